"""`launchspec init`: the files a new project starts from, written without overwriting.

The files are package data (`runner/starter/`, and the schemas from `runner/schemas/`), so
`init` works from any installed copy. Every file is checked before the first write: one that
exists with other content refuses the whole init (unless `force`), and nothing is written.
`.gitignore` belongs to the user: `.launchspec/` is added to it, nothing else changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from runner import __version__
from runner.errors import UsageError
from runner.packagedata import read_text
from runner.specs.schema import SPEC_SCHEMA
from runner.state.fsutil import atomic_write

SCHEMA_FILE = f"schema/{SPEC_SCHEMA}"  # where init puts it, and where `new` looks for it
CONFIG_SCHEMA_FILE = "schema/config.schema.json"
IGNORED = ".launchspec/"
EXAMPLE = "specs/example.yaml"


@dataclass(frozen=True)
class Written:
    """One file init handled: its path relative to the root, and `new`, `overwritten`,
    `updated` (only `.gitignore`) or `unchanged`."""

    path: str
    how: str


def starter_files() -> dict[str, str]:
    """Every file init writes (but `.gitignore`), by path relative to the project root."""
    def text(name: str) -> str:
        return read_text("starter", name)

    workflow = {
        f".github/workflows/{name}": text(name).replace("@VERSION@", __version__)
        for name in ("launchspec-plan.yml", "launchspec-apply.yml")
    }
    return {
        "launchspec.yaml": text("launchspec.yaml"),
        SCHEMA_FILE: read_text("schemas", SPEC_SCHEMA),
        CONFIG_SCHEMA_FILE: read_text("schemas", "config.schema.json"),
        EXAMPLE: text("example.yaml"),
        **workflow,
    }


def init_project(
    root: Path, force: bool = False, shown: Callable[[str], str] = str
) -> list[Written]:
    """Write the starter files under `root` (made if missing); UsageError, before any write,
    naming (as `shown` says them) every file that exists with other content, or the example
    spec about to come back into a project that has its own specs, unless `force`."""
    wanted = starter_files()
    clashes = [
        shown(name)
        for name, text in wanted.items()
        if (root / name).exists() and _read(root / name) != text
    ]
    if clashes and not force:
        raise UsageError(
            f"{', '.join(clashes)} already exist{'s' if len(clashes) == 1 else ''} with other "
            "content; nothing was written",
            hint="pass --force to overwrite, or `launchspec init DIR` for a new folder",
        )
    if not force and _example_returns(root):
        raise UsageError(
            f"{shown(EXAMPLE)} was removed from this project (or never was in it): init would "
            "write it back, and the next apply would launch it; nothing was written",
            hint="pass --force to write it anyway",
        )
    written = [_write(root, name, text) for name, text in wanted.items()]
    written.insert(1, _ignore_state(root))
    return written


def _example_returns(root: Path) -> bool:
    """Whether the example spec would come back into a project already started: one with a
    configuration or spec files of its own, and no example."""
    if (root / EXAMPLE).exists():
        return False
    specs = root / "specs"
    own = specs.is_dir() and any(p.suffix in (".yaml", ".yml") for p in specs.rglob("*"))
    return own or (root / "launchspec.yaml").exists()


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None  # a folder or an unreadable file: a clash, reported by name


def _write(root: Path, name: str, text: str) -> Written:
    path = root / name
    existed = path.exists()
    if existed and _read(path) == text:
        return Written(name, "unchanged")
    atomic_write(path, text.encode())
    return Written(name, "overwritten" if existed else "new")


def _ignore_state(root: Path) -> Written:
    """`.launchspec/` in the project's .gitignore: the file made, or the line added."""
    path = root / ".gitignore"
    if not path.exists():
        text = read_text("starter", "gitignore")
        atomic_write(path, text.encode())
        return Written(".gitignore", "new")
    text = path.read_text(encoding="utf-8")
    lines = {line.strip().rstrip("/") for line in text.splitlines()}
    if {".launchspec", "/.launchspec"} & lines:
        return Written(".gitignore", "unchanged")
    sep = "" if not text or text.endswith("\n") else "\n"
    atomic_write(path, f"{text}{sep}{IGNORED}\n".encode())
    return Written(".gitignore", "updated")
