"""Drift: what changed on a run in Tallyfy since launchspec wrote it (pure; `plan --refresh`).

Old is what launchspec recorded or sent, new is what the server holds now. Only what
launchspec manages is compared: the name, summary, owner, starred and public flags (as the
lockfile recorded them), and, while the spec still asks for the launch that was made, each
kick-off value it sets and the deadline and owners of each task it overrides.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from runner.plan.plan import Change, Desired
from runner.state.lockfile import LockEntry

REDACTED = "(secret)"  # a recorded value holding a secret cannot be compared
UPDATABLE = ("summary", "owner_id", "starred", "is_public")  # the name is compared on its own


def run_drift(
    run: Mapping[str, Any],
    entry: LockEntry,
    desired: Desired | None,
    labels: Mapping[str, str],
    steps: Mapping[str, str],
) -> tuple[Change, ...]:
    """Every managed field of `run` that differs from what was recorded or launched.

    `labels`: kick-off field id -> label; `steps`: step id -> title (of the run's template)."""
    found = list(_fields(run, entry))
    request = desired.request if desired is not None else None
    if request is not None and request.digest == entry.digest:
        # The spec still asks for exactly what was launched: what it sent is what was recorded.
        found += _kickoff(run, request.body.get("prerun") or {}, labels)
        found += _tasks(run, request.body.get("tasks") or {}, steps)
    return tuple(found)


def _fields(run: Mapping[str, Any], entry: LockEntry) -> Iterator[Change]:
    if "name" in run and _known(entry.name) and run["name"] != entry.name:
        yield Change("name", entry.name, run["name"])
    for name in UPDATABLE:
        if name in entry.fields and name in run and _known(entry.fields[name]):
            old, new = entry.fields[name], run[name]
            if not same(old, new):
                yield Change(name, old, new)


def _kickoff(
    run: Mapping[str, Any], sent: Mapping[str, Any], labels: Mapping[str, str]
) -> Iterator[Change]:
    stored = run.get("prerun")
    if not isinstance(stored, Mapping):
        return  # not readable: nothing can be said
    for fid, value in sent.items():
        have = stored.get(fid)
        if _known(value) and not same(value, have):
            yield Change(f"kick-off {labels.get(fid, fid)}", value, have)


def _tasks(
    run: Mapping[str, Any], sent: Mapping[str, Any], steps: Mapping[str, str]
) -> Iterator[Change]:
    tasks = run.get("tasks")
    tasks = tasks.get("data") if isinstance(tasks, Mapping) else tasks
    if not isinstance(tasks, list):
        return  # the server did not show the run's tasks
    by_step = {str(t.get("step_id")): t for t in tasks if isinstance(t, Mapping)}
    for sid, override in sent.items():
        task = by_step.get(str(sid))
        if task is None or not isinstance(override, Mapping):
            continue
        title = steps.get(str(sid), str(sid))
        if override.get("deadline") is not None and "deadline" in task:
            old, new = override["deadline"], task["deadline"]
            if _instant(old) is not None and _instant(old) != _instant(new):
                yield Change(f"task {title} deadline", old, new)
        if override.get("owners") is not None and isinstance(task.get("owners"), Mapping):
            old, new = _people(override["owners"]), _people(task["owners"])
            if old != new:
                yield Change(f"task {title} owners", old, new)


def same(ours: Any, theirs: Any) -> bool:
    """Equal as the API stores them: dates by day (it stores them as times), lists as lists,
    and an empty value as none (Tallyfy keeps an empty optional kick-off value as null)."""
    if _empty(ours) and _empty(theirs):
        return True
    if isinstance(ours, str) and isinstance(theirs, str) and len(ours) >= 10 and ours[4] == "-":
        return ours[:10] == theirs[:10]
    if isinstance(ours, int | float) and isinstance(theirs, str) and theirs.isdigit():
        return str(ours) == theirs  # ids: some answers quote them
    if isinstance(ours, tuple):
        ours = list(ours)
    return bool(ours == theirs)


def _empty(value: Any) -> bool:
    return value is None or value in ("", [], (), {})


def _known(value: Any) -> bool:
    return REDACTED not in str(value)


def _instant(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def _people(value: Mapping[str, Any]) -> dict[str, list[str]]:
    return {k: sorted(str(v) for v in value.get(k) or ()) for k in ("users", "groups", "guests")}
