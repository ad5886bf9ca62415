"""Helpers over API shapes: wrapped lists, matching keys to fields/steps, canonical JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from runner.resolve.directory import by_label, closest, label_of
from runner.resolve.people import Problem


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces: the same data is always the same text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def unwrap(value: Any) -> list[Mapping[str, Any]]:
    """A related list as the API sends it: bare or wrapped in {"data": [...]}."""
    if isinstance(value, Mapping):
        value = value.get("data")
    return [v for v in value or [] if isinstance(v, Mapping)]


def match(key: str, items: Sequence[Mapping[str, Any]], label: str) -> list[Mapping[str, Any]]:
    """Items `key` names: by id, else label (exact, then any case), else alias."""
    by_id = [i for i in items if i.get("id") == key]
    return by_id or by_label(key, items, label) or [i for i in items if i.get("alias") == key]


def find_one(
    key: str,
    items: Sequence[Mapping[str, Any]],
    label: str,
    what: str,
    *,
    silently_dropped: bool = False,
) -> Mapping[str, Any] | Problem:
    """The one item `key` names, or a Problem listing what is known and the closest name."""
    hits = match(key, items, label)
    if len(hits) == 1:
        return hits[0]
    if hits:
        return Problem(f"{what} {key!r} is ambiguous: it matches {len(hits)} {what}s; use the id")
    labels = [label_of(i, label) for i in items]
    aliases = [str(i["alias"]) for i in items if i.get("alias")]
    guess = closest(key, labels) or closest(key, aliases)
    # The API drops unknown kick-off keys without an error: say so, it is why we refuse.
    dropped = " (the API would silently drop it)" if silently_dropped else ""
    return Problem(
        f"unknown {what} {key!r}{dropped}; known: {', '.join(labels) or 'none'}",
        hint=f"did you mean {guess!r}?" if guess else None,
    )


def plain(value: Any) -> Any:
    """JSON-safe copy: dates as ISO strings, tuples as lists."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
