"""Whether a folder holds snapshots: apart from the store, so `validate` learns it with one
stat and none of the store's imports (a pre-commit hook's start-up time)."""

from __future__ import annotations

from pathlib import Path

DIRECTORY_FILE = "_directory.json"


def snapshots_present(folder: Path) -> bool:
    """Whether `folder` holds snapshots: its directory snapshot is there (one stat)."""
    return (folder / DIRECTORY_FILE).is_file()
