"""What changed in a template since its snapshot was pulled, in the words a reviewer uses (pure).

Only what the checks depend on is compared: the template's title and status; each kick-off
field's label, alias, type, required flag, options and table columns; each step's title,
alias, deadline, default owners, `max_assignable` and `allow_guest_owners`. A changed summary
or guidance text is not drift: nothing a spec says depends on it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from runner.resolve.directory import label_of
from runner.resolve.shapes import unwrap

FIELD_KEYS = ("label", "alias", "field_type", "required")
STEP_KEYS = (
    "title",
    "alias",
    "deadline",
    "assignees",
    "guests",
    "groups",
    "max_assignable",
    "allow_guest_owners",
)
Item = Mapping[str, Any]


def template_changes(old: Item, new: Item) -> list[str]:
    """Every relevant difference from snapshot `old` to live `new`, one phrase each."""
    out = [
        f"{key} changed from {old.get(key)!r} to {new.get(key)!r}"
        for key in ("title", "status")
        if old.get(key) != new.get(key)
    ]
    out += _items(unwrap(old.get("prerun")), unwrap(new.get("prerun")), "kick-off field", "label")
    out += _items(unwrap(old.get("steps")), unwrap(new.get("steps")), "step", "title")
    return out


def _items(old: Sequence[Item], new: Sequence[Item], what: str, label: str) -> list[str]:
    before = {str(i.get("id")): i for i in old}
    after = {str(i.get("id")): i for i in new}
    out: list[str] = []
    for key, item in before.items():
        name = label_of(item, label)
        if key not in after:
            out.append(f"{what} {name!r} was removed")
        else:
            out += [f"{what} {name!r}: {c}" for c in _item_changes(item, after[key], what)]
    for key, item in after.items():
        if key not in before:
            required = " (required)" if item.get("required") else ""
            out.append(f"{what} {label_of(item, label)!r} was added{required}")
    return out


def _item_changes(old: Item, new: Item, what: str) -> list[str]:
    keys = STEP_KEYS if what == "step" else FIELD_KEYS
    out = [
        f"{key} changed from {old.get(key)!r} to {new.get(key)!r}"
        for key in keys
        if _norm(old.get(key)) != _norm(new.get(key))
    ]
    if what != "step":
        out += _choices(old.get("options"), new.get("options"), "option", "text")
        out += _choices(old.get("columns"), new.get("columns"), "column", "label")
    return out


def _choices(old: Any, new: Any, what: str, label: str) -> list[str]:
    """Options (or columns) by id: renamed, removed, added."""
    before = {o.get("id"): o.get(label) for o in unwrap(old)}
    after = {o.get("id"): o.get(label) for o in unwrap(new)}
    out = []
    for key, text in before.items():
        if key not in after:
            out.append(f"{what} {text!r} was removed")
        elif after[key] != text:
            out.append(f"{what} {text!r} was renamed to {after[key]!r}")
    out += [f"{what} {text!r} was added" for key, text in after.items() if key not in before]
    return out


def _norm(value: Any) -> Any:
    """Treat a missing list and an empty one alike, and lists as unordered sets of owners."""
    if value is None or value == []:
        return None
    if isinstance(value, list):
        return sorted(map(str, value))
    return value


def drift_message(title: str, changes: Sequence[str], limit: int = 5) -> str:
    """One diagnostic message for a drifted template, naming at most `limit` changes."""
    shown = "; ".join(changes[:limit])
    more = f"; and {len(changes) - limit} more" if len(changes) > limit else ""
    return f"template {title!r} changed since its snapshot was pulled: {shown}{more}"
