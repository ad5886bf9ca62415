"""Template and directory snapshots in the repo: write them deterministically, read them back.

A snapshot folder (the configuration's `snapshots_dir`, `templates/` by default) holds one
`<template id>.json` per template, the template as `GET /checklists/{id}` returns it, and
`_directory.json`, the organisation's users (id, email), groups (id, name), tags and folders.
Files are JSON with sorted keys, two-space indents and a trailing newline; kick-off fields and
steps are ordered by position, then id. Timestamps that change on every save in Tallyfy
(`created_at`, `last_updated`, `updated_at`) are dropped so that pulling an unchanged template
gives the same bytes. `SnapshotStore` answers the template and directory reads of
`TallyfyClient`, so resolution runs the same code offline as online.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runner.errors import ConfigError, NotFoundError
from runner.resolve.shapes import unwrap
from runner.snapshots.folder import DIRECTORY_FILE, snapshots_present
from runner.state.formats import Format
from runner.state.fsutil import atomic_write

# Snapshots from before 0.1.0 have no `needs_launchspec`; `templates pull` writes it.
SNAPSHOT = Format("template snapshot", "format", 1, {1: "0.1.0"}, error=ConfigError)
VOLATILE = frozenset({"created_at", "last_updated", "updated_at"})
# What the checks need of the directory; nothing else (no names, roles or phone numbers).
DIRECTORY_KEYS = {
    "users": ("id", "email"),
    "groups": ("id", "name"),
    "tags": ("id", "title"),
    "folders": ("id", "name", "title"),
}


def _strip(value: Any) -> Any:
    """`value` without volatile timestamps, at any depth."""
    if isinstance(value, Mapping):
        return {str(k): _strip(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list | tuple):
        return [_strip(v) for v in value]
    return value


def _by_position(items: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    def key(item: Mapping[str, Any]) -> tuple[int, str]:
        pos = item.get("position")
        return (pos if isinstance(pos, int) else 1 << 30, str(item.get("id")))

    return sorted(items, key=key)


def normalise_template(template: Mapping[str, Any]) -> dict[str, Any]:
    """The template as kept in a snapshot: lists unwrapped and ordered, volatile keys dropped."""
    out: dict[str, Any] = _strip(template)
    for key in ("prerun", "steps"):
        out[key] = _by_position(unwrap(out.get(key)))
    return out


def normalise_directory(directory: Mapping[str, Sequence[Mapping[str, Any]]]) -> dict[str, Any]:
    """Only the keys the checks need, each list ordered by id."""
    out: dict[str, Any] = {}
    for kind, keys in DIRECTORY_KEYS.items():
        items = [{k: i[k] for k in keys if k in i} for i in directory.get(kind, ())]
        out[kind] = sorted(items, key=lambda i: (str(type(i.get("id"))), i.get("id")))
    return out


def dumps(doc: Mapping[str, Any]) -> str:
    """Deterministic JSON text: sorted keys, two-space indents, a trailing newline."""
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def template_path(folder: Path, template_id: str) -> Path:
    return folder / f"{template_id}.json"


def write_template(folder: Path, template: Mapping[str, Any], organization: str) -> Path:
    """Write one template's snapshot; returns its path."""
    doc = {**SNAPSHOT.stamp(), "organization": organization,
           "template": normalise_template(template)}
    path = template_path(folder, str(template["id"]))
    _write(path, doc)
    return path


def write_directory(
    folder: Path, directory: Mapping[str, Sequence[Mapping[str, Any]]], organization: str
) -> Path:
    """Write the directory snapshot; returns its path."""
    doc = {**SNAPSHOT.stamp(), "organization": organization, **normalise_directory(directory)}
    path = folder / DIRECTORY_FILE
    _write(path, doc)
    return path


def _write(path: Path, doc: Mapping[str, Any]) -> None:
    """Write a snapshot, never over one a newer launchspec wrote (refused, naming it)."""
    try:
        old = json.loads(path.read_bytes())
    except (OSError, ValueError):
        old = None  # none yet, or not a snapshot: pulling again replaces it
    if isinstance(old, dict) and isinstance(old.get(SNAPSHOT.key), int):
        SNAPSHOT.version(old, str(path))
    atomic_write(path, dumps(doc).encode())


def _read(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ConfigError(
            f"cannot read snapshot {path}: {e}", hint="run `launchspec templates pull` again"
        ) from e
    if not isinstance(doc, dict):
        raise ConfigError(
            f"{path} is not a launchspec snapshot",
            hint="run `launchspec templates pull` again, or move the file out of the folder",
        )
    return SNAPSHOT.upgrade(doc, str(path))


@dataclass
class SnapshotStore:
    """Snapshots read from a folder, answering the reads resolution makes of the API client."""

    folder: Path
    templates: dict[str, dict[str, Any]] = field(default_factory=dict)
    directory: dict[str, Any] = field(default_factory=dict)
    organization: str | None = None

    @classmethod
    def load(cls, folder: Path) -> SnapshotStore | None:
        """The snapshots in `folder`, or None when it holds no directory snapshot."""
        if not snapshots_present(folder):
            return None
        directory = _read(folder / DIRECTORY_FILE)
        store = cls(folder, directory=directory, organization=directory.get("organization"))
        for path in sorted(folder.glob("*.json")):
            if path.name != DIRECTORY_FILE:
                template = _read(path).get("template") or {}
                store.templates[str(template.get("id"))] = template
        return store

    def get_template(self, template_id: str) -> dict[str, Any]:
        try:
            return self.templates[template_id]
        except KeyError:
            raise NotFoundError(
                f"no snapshot of template {template_id} in {self.folder}", status=404
            ) from None

    def find_templates(self, q: str | None = None, *, steps: bool = False) -> list[dict[str, Any]]:
        """Like the API's `q`: a case-insensitive part of the title; ordered by title. A
        snapshot always holds its steps."""
        want = (q or "").casefold()
        found = [t for t in self.templates.values() if want in str(t.get("title", "")).casefold()]
        return sorted(found, key=lambda t: (str(t.get("title", "")).casefold(), str(t["id"])))

    def knows(self, ref: str) -> bool:
        """True when `ref` (an id or a title, any case) names a snapshot."""
        return ref in self.templates or any(
            str(t.get("title", "")).casefold() == ref.casefold() for t in self.templates.values()
        )

    def list_users(self) -> list[dict[str, Any]]:
        return list(self.directory.get("users") or [])

    def list_groups(self) -> list[dict[str, Any]]:
        return list(self.directory.get("groups") or [])

    def list_tags(self) -> list[dict[str, Any]]:
        return list(self.directory.get("tags") or [])

    def list_folders(self) -> list[dict[str, Any]]:
        return list(self.directory.get("folders") or [])


def uncovered_note(refs: Iterable[tuple[str, str]], folder: str) -> str:
    """The plan note for specs whose template has no snapshot: (template ref, key) pairs."""
    by_ref: dict[str, list[str]] = {}
    for ref, key in refs:
        by_ref.setdefault(ref, []).append(key)
    listed = "; ".join(f"{ref!r} (used by {', '.join(sorted(k))})" for ref, k in by_ref.items())
    return (
        f"no API token and no snapshot in {folder}/ of template {listed}: its kick-off fields, "
        "steps and owners were not checked; run `launchspec templates pull` with a token"
    )


def covered_note(folder: str) -> str:
    return (
        f"no API token: kick-off fields, steps and owners were checked against the snapshots "
        f"in {folder}/; live runs were not read"
    )
