"""The compiled schema validator, kept between runs in the user's cache folder.

Generating and compiling the validator's Python costs about 20 ms, a sixth of a one-file
`validate` (a pre-commit hook's latency). The compiled code is stored under
`$XDG_CACHE_HOME/launchspec` (else `~/.cache/launchspec`), keyed by the schema's text, the
fastjsonschema version and the Python version; any doubt (a missing, unreadable or damaged
file, an unwritable folder) means compiling as if there were no cache.

The file holds code this process runs, so it is trusted only where nothing but this user
could have written it: a file and folder owned by this user and writable by no one else. In
CI (`CI` set, as on GitHub Actions) there is no cache at all: runners may be shared between
jobs, and 20 ms does not matter there.
"""

from __future__ import annotations

import copy
import hashlib
import json
import marshal
import os
import re
import stat
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

Validator = Callable[[Any], Any]
_FIRST_FUNCTION = re.compile(r"^def (\w+)\(", re.M)


def cache_folder() -> Path:
    """Where launchspec keeps caches for this user."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "launchspec"


def compiled_validator(schema: Mapping[str, Any]) -> Validator:
    """A fastjsonschema validator for `schema`, from the cache when it holds one."""
    import fastjsonschema

    key = json.dumps(schema, sort_keys=True) + fastjsonschema.VERSION + sys.version
    path = cache_folder() / f"validator-{hashlib.sha256(key.encode()).hexdigest()[:20]}.bin"
    use_cache = not os.environ.get("CI")
    stored = _read(path) if use_cache else None
    if stored is None:
        source = fastjsonschema.compile_to_code(copy.deepcopy(dict(schema)), use_default=False)
        # The root schema's function comes first; the others are its `$ref`s.
        name = _FIRST_FUNCTION.search(source)
        if name is None:
            return fastjsonschema.compile(copy.deepcopy(dict(schema)), use_default=False)
        stored = (name[1], compile(source, "<launchspec schema validator>", "exec"))
        if use_cache:
            _write(path, stored)
    namespace: dict[str, Any] = {}
    exec(stored[1], namespace)  # the code fastjsonschema generated for our own schema
    validator: Validator = namespace[stored[0]]
    return validator


def _only_mine(path: Path) -> bool:
    """Owned by this user, and writable by nobody else (nor is the folder holding it)."""
    for where in (path.parent, path):
        info = where.stat()
        if info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            return False
    return True


def _read(path: Path) -> tuple[str, Any] | None:
    try:
        if not _only_mine(path):
            return None
        stored = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if not (isinstance(stored, tuple) and len(stored) == 2 and isinstance(stored[0], str)):
        return None
    return stored if type(stored[1]).__name__ == "code" else None


def _write(path: Path, code: tuple[str, Any]) -> None:
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as out:
            out.write(marshal.dumps(code))
        os.replace(out.name, path)  # readers see the whole file or none
    except OSError:
        pass
