"""Checks across documents: schema, unique ids, parents and cycles, template names used."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from runner.check.cross import cross_checks
from runner.check.dates import impossible_dates
from runner.diagnostics import Diagnostic, Position
from runner.errors import ConfigError, SpecError, UsageError
from runner.specs.config import Config, inline_secrets
from runner.specs.source import Document
from runner.specs.spec import Spec

MAX_NAME_LENGTH = 550  # the API's limit on a run name
SPEC_SUFFIXES = (".yaml", ".yml")


def _display(config: Config, path: Path) -> str:
    """The path as users see it: relative to the project root when inside it."""
    try:
        return path.relative_to(config.root).as_posix()
    except ValueError:
        pass
    try:  # resolve() only when needed: it costs a syscall per path component
        return path.resolve().relative_to(config.root).as_posix()
    except ValueError:
        return str(path)


def find_spec_files(config: Config, paths: Sequence[Path] = ()) -> list[Path]:
    """Spec files under `paths` (or the config's globs), sorted, config file excluded."""
    found: set[Path] = set()
    if paths:
        for given in paths:
            full = given if given.is_absolute() else config.root / given
            if full.is_dir():
                found.update(p for p in full.rglob("*") if p.suffix in SPEC_SUFFIXES)
            elif full.is_file():
                found.add(full)
            else:
                raise UsageError(f"{given}: no such file or directory")
    else:
        for pattern in config.spec_globs:
            found.update(p for p in config.root.glob(pattern) if p.is_file())
    excluded = {config.file, config.file.resolve()} if config.file else set()
    files = sorted(p for p in found if p not in excluded and p.absolute() not in excluded)
    # Only what the configuration's globs find (a pull request can change those); files named
    # on the command line are the caller's own choice, wherever they are.
    outside = [] if paths else [p for p in files if not _inside(config.root, p)]
    if outside:
        raise SpecError([_outside_root(config.root, p) for p in outside])
    if not files and not paths:
        globs = ", ".join(config.spec_globs)
        raise ConfigError(
            f"no spec files match {globs} under {config.root}",
            hint="run it in the specs repository, or point at it with -C DIR "
            "(`specs:` in launchspec.yaml sets the globs)",
        )
    return files


def _inside(root: Path, path: Path) -> bool:
    real_root = _real(root)
    if path.is_symlink():
        return path.resolve().is_relative_to(real_root)
    # Files share a few folders: resolve each folder once, not every file's whole path.
    return _real(path.parent).joinpath(path.name).is_relative_to(real_root)


@lru_cache(maxsize=4096)
def _real(folder: Path) -> Path:
    return folder.resolve()


def _outside_root(root: Path, path: Path) -> Diagnostic:
    """A spec file whose real path (links followed) is outside the project root."""
    return Diagnostic(
        f"spec file is outside the project root (it leads to {path.resolve()})",
        Position(os.path.relpath(path, root)),
        code="outside-root",
        hint="spec files must be inside the project root; links may not lead out of it",
    )


def merge_defaults(defaults: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
    """`data` over `defaults`: mappings merge key by key, anything else is replaced."""
    merged = dict(defaults)
    for key, value in data.items():
        under = merged.get(key)
        if isinstance(value, Mapping) and isinstance(under, Mapping):
            merged[key] = merge_defaults(under, value)
        else:
            merged[key] = value
    return merged


def check_files(
    config: Config, files: Sequence[Path], *, keep: bool = True
) -> tuple[list[Spec], list[Diagnostic]]:
    """Load and check `files`; return the valid specs and every diagnostic, sorted by position.

    With `keep=False` only what the checks across specs need is kept of each document, and
    no specs are returned, so memory does not grow with the size of each spec.
    """
    from runner.check.parallel import check_in_parallel

    checked = _Checked(config, keep)
    if keep or not check_in_parallel(checked, files):
        for path in files:
            checked.add_file(path)
    documents, diagnostics = checked.without_data_files()
    bad = checked.bad
    for d in cross_checks(documents, config.root):
        diagnostics.append(d[1])
        bad.add(d[0])
    specs = [
        Spec(doc.data["id"], merge_defaults(config.defaults, doc.data), doc)
        for doc in documents
        if (doc.file, doc.index) not in bad and keep
    ]
    return specs, sorted(diagnostics, key=Diagnostic.sort_key)


class _Checked:
    """The documents checked so far, their problems, and which files are `for_each` data."""

    def __init__(self, config: Config, keep: bool):
        from runner.specs.schema import spec_checker

        self.config, self.keep = config, keep
        self.checker = spec_checker()
        self.documents: list[Document] = []
        self.by_file: dict[str, list[Diagnostic]] = {}  # problems found reading each file
        self.bad: set[tuple[str, int]] = set()
        self.data_files: set[str] = set()
        self.default_vars = set(config.defaults.get("vars") or {})

    def empty_copy(self) -> _Checked:
        """A checker with the same settings and nothing checked yet (for a worker)."""
        return _Checked(self.config, self.keep)

    def results(self) -> tuple[Any, ...]:
        return self.documents, self.by_file, self.bad, self.data_files

    def absorb(self, results: tuple[Any, ...]) -> None:
        """Add a worker's results, in file order."""
        documents, by_file, bad, data_files = results
        self.documents.extend(documents)
        self.by_file.update(by_file)
        self.bad.update(bad)
        self.data_files.update(data_files)

    def add_file(self, path: Path) -> None:
        from runner.specs.source import load_file

        shown = _display(self.config, path)
        docs, problems = load_file(path, shown)
        failed = any(d.severity == "error" for d in problems)
        for doc in docs:
            data = _data_file(doc, self.config.root)
            if data is not None:
                self.data_files.add(_display(self.config, data))
            if failed or self._check(doc, problems):
                self.bad.add((doc.file, doc.index))
            self.documents.append(doc if self.keep else _slim(doc))
        self.by_file[shown] = problems

    def _check(self, doc: Document, problems: list[Diagnostic]) -> bool:
        """Add the document's own problems to `problems`; whether it has any."""
        from runner.render.expand import check_doc
        from runner.render.jinjacheck import TEMPLATE_NAMES, Known, check_templates
        from runner.specs.schema import dotted

        config = self.config
        vars_ = doc.data.get("vars")
        names = self.default_vars | (set(vars_) if isinstance(vars_, dict) else set())
        known = Known(TEMPLATE_NAMES, names, config.env_allow, config.secret_vars)
        found = self.checker.check(doc) + check_templates(doc, known, dotted)
        found += _name_length(doc) + impossible_dates(doc)
        found += inline_secrets(doc, ("vars",), config.secret_vars)
        if _shapes_hold(found):  # for_each/every checks assume the shapes the schema promises
            found += check_doc(doc, config.root)
        problems.extend(found)
        return bool(found)

    def without_data_files(self) -> tuple[list[Document], list[Diagnostic]]:
        """A YAML file that a spec names in `for_each` is data, even where the spec globs
        reach: its documents and problems are not a spec's."""
        data = self.data_files
        kept = [d for file, found in self.by_file.items() if file not in data for d in found]
        return [doc for doc in self.documents if doc.file not in data], kept


# What `check_doc` reads: for_each, every and their companions.
_REPEAT_KEYS = frozenset({"for_each", "key_field", "every", "on", "timezone"})
# What the checks across specs read of a document (a parent's `for_each` needs all of it).
_CROSS_KEYS = ("id", "parent", "every")


def _shapes_hold(found: Sequence[Diagnostic]) -> bool:
    """Whether what `check_doc` reads is as the schema says, though other keys may not be:
    a missing `for_each` file is reported with a misspelt key, not after it is fixed."""
    return not any(re.split(r"[.\[]", d.path, maxsplit=1)[0] in _REPEAT_KEYS for d in found)


def _data_file(doc: Document, root: Path) -> Path | None:
    if not isinstance(doc.data.get("for_each"), str):
        return None  # the common case, without importing the data files' reader
    from runner.specs.eachsource import data_file

    return data_file(doc, root)


def _slim(doc: Document) -> Document:
    if not isinstance(doc.data, dict) or "for_each" in doc.data:
        return doc
    data = {k: doc.data[k] for k in _CROSS_KEYS if k in doc.data}
    return replace(doc, data=data, positions={}, key_positions={}, templated=None)


def _name_length(doc: Document) -> list[Diagnostic]:
    name = doc.data.get("name")
    if not isinstance(name, str) or len(name) <= MAX_NAME_LENGTH:
        return []
    if "{{" in name or "{%" in name:
        return []  # the rendered length is checked when rendering
    message = f"'name' is too long ({len(name)} characters; Tallyfy allows {MAX_NAME_LENGTH})"
    return [Diagnostic(message, doc.pos(("name",)), path="name", code="name-too-long")]


