"""What a launch was launched with, as a person reads it (pure): kept in the lockfile so that
`!` edited after launch can show each field old -> new. Secrets' values are never kept: a
value holding one is `(secret)` as a whole."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from runner.render.render import Rendered, RenderedTask
from runner.resolve.request import SECRET, without_secrets

# What a change of each part is called in a plan's reason, in this order.
PARTS = {
    "template": "template",
    "prerun": "kick-off values",
    "tasks": "tasks",
    "users": "users",
    "groups": "groups",
    "roles": "roles",
    "tags": "tags",
    "folders": "folders",
    "parent": "parent",
}


def launched_values(r: Rendered) -> dict[str, Any]:
    """The fixed part of a launch as the spec wrote it (template, kick-off values by label,
    tasks by title, members, tags, folders, parent), JSON-safe, secrets redacted whole."""
    doc = {
        "template": r.template,
        "prerun": {str(k): v for k, v in r.kickoff.items()},
        "tasks": {str(k): _task(t) for k, t in r.tasks.items()},
        "users": list(r.users),
        "groups": list(r.groups),
        "roles": dict(r.roles),
        "tags": list(r.tags),
        "folders": list(r.folders),
        "parent": r.parent,
    }
    return {k: _redacted(v, r.secret_values) for k, v in _json(doc).items()}


def fixed_changes(
    old: Mapping[str, Any], new: Mapping[str, Any]
) -> Iterator[tuple[str, str, Any, Any]]:
    """(part, field, old, new) for each value that differs: a kick-off field by its label, a
    task's deadline or owners by the task's title, the other parts by their name."""
    for part in PARTS:
        was, now = old.get(part), new.get(part)
        if part in ("prerun", "tasks") and isinstance(was, Mapping) and isinstance(now, Mapping):
            for name in [*was, *(n for n in now if n not in was)]:
                if part == "prerun":
                    if was.get(name) != now.get(name):
                        yield part, name, was.get(name), now.get(name)
                    continue
                a, b = was.get(name) or {}, now.get(name) or {}
                for what in ("deadline", "owners"):
                    if a.get(what) != b.get(what):
                        yield part, f"task {name!r} {what}", a.get(what), b.get(what)
        elif was != now and not (_empty(was) and _empty(now)):
            yield part, part, was, now


def reason(parts: list[str]) -> str:
    """`kick-off values and users changed after launch`."""
    names = [PARTS[p] for p in PARTS if p in parts]
    said = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"{said} changed after launch"


def _task(t: RenderedTask) -> dict[str, Any]:
    owners = [*t.users, *(f"{g} (group)" for g in t.groups), *(f"{g} (guest)" for g in t.guests)]
    return {"deadline": t.deadline, "owners": owners if t.owners_set or owners else None}


def _json(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def _redacted(value: Any, secrets: tuple[str, ...]) -> Any:
    """`value`, with any value that holds a secret (or an unset secret's placeholder) replaced
    whole by `(secret)`: not even a part of one is written."""
    if isinstance(value, Mapping):
        return {k: _redacted(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_redacted(v, secrets) for v in value]
    return SECRET if without_secrets(value, secrets) != value else value


def _empty(value: Any) -> bool:
    return value is None or value in ("", [], {})
