"""`launchspec status` as people and tools read it: each recorded key's state, and its views.

`summarise` turns a run and its tasks as the API returns them into a `RunStatus`: the run's
status, tasks done out of total, the next open task with its owners and deadline, and the
open tasks past their deadline. A run the API no longer returns is `deleted`; an archived one
and a key launched twice are flagged. Pure: the reads are `runner.remote.recorded`'s.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from runner.resolve.directory import Directory
from runner.snapshots.rows import owner_names
from runner.state.lockfile import LockEntry
from runner.views.templateview import table

DONE = frozenset({"completed", "complete", "done", "approved"})
FLAGGED = ("archived", "deleted")


@dataclass(frozen=True)
class TaskInfo:
    """One open task as status shows it."""

    title: str
    owners: tuple[str, ...]
    deadline: str | None
    overdue: bool


@dataclass(frozen=True)
class RunStatus:
    """The live state of one lockfile key."""

    key: str
    run_id: str
    name: str
    status: str  # the run's status, or `deleted` when the API no longer has it
    done: int = 0
    total: int = 0
    next_task: TaskInfo | None = None
    overdue: tuple[TaskInfo, ...] = ()
    duplicates: tuple[str, ...] = ()  # runs carrying this key's marker, when more than one

    @property
    def flagged(self) -> bool:
        return self.status in FLAGGED or bool(self.duplicates)


def summarise(
    key: str,
    entry: LockEntry,
    run: Mapping[str, Any] | None,
    tasks: Sequence[Mapping[str, Any]],
    directory: Directory,
    now: datetime,
) -> RunStatus:
    """One key's state from the run and its tasks as the API returns them (pure)."""
    if run is None:
        return RunStatus(key, entry.run_id, entry.name, "deleted")
    ordered = sorted(tasks, key=lambda t: (_int(t.get("position")), str(t.get("id"))))
    open_ = [_info(t, directory, now) for t in ordered if not _done(t)]
    total, done = len(ordered), len(ordered) - len(open_)
    progress = run.get("progress")
    if not ordered and isinstance(progress, Mapping):  # no tasks listed: trust the run's count
        done, total = _int(progress.get("complete"), 0), _int(progress.get("total"), 0)
    return RunStatus(
        key=key,
        run_id=entry.run_id,
        name=str(run.get("name") or entry.name),
        status=str(run.get("status") or "active"),
        done=done,
        total=total,
        next_task=open_[0] if open_ else None,
        overdue=tuple(t for t in open_ if t.overdue),
    )


def _done(task: Mapping[str, Any]) -> bool:
    return str(task.get("status")) in DONE or bool(task.get("completed_at"))


def _info(task: Mapping[str, Any], directory: Directory, now: datetime) -> TaskInfo:
    deadline = parse_time(task.get("deadline"))
    return TaskInfo(
        title=str(task.get("title") or task.get("id")),
        owners=_owners(task.get("owners"), directory),
        deadline=deadline.strftime("%Y-%m-%dT%H:%M:%SZ") if deadline else None,
        overdue=deadline is not None and deadline < now,
    )


def _owners(owners: Any, directory: Directory) -> tuple[str, ...]:
    if not isinstance(owners, Mapping):
        return ()
    return owner_names(directory, owners.get("users"), owners.get("groups"), owners.get("guests"))


def parse_time(value: Any) -> datetime | None:
    """An API time (`2026-12-01T17:00:00Z`, `+00:00`, or `2026-12-01 17:00:00`) in UTC."""
    if not isinstance(value, str) or not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)


def _int(value: Any, default: int = 1 << 30) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def format_json(statuses: Sequence[RunStatus], now: datetime) -> str:
    doc = {
        "format_version": 1,
        "as_of": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "runs": [{**asdict(s), "flagged": s.flagged} for s in statuses],
    }
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def format_text(statuses: Sequence[RunStatus], now: datetime) -> str:
    stamp = now.strftime("%Y-%m-%d %H:%M UTC")
    if not statuses:
        return f"No launches are recorded in the lockfile (as of {stamp}).\n"
    overdue = sum(len(s.overdue) for s in statuses)
    flagged = sum(s.flagged for s in statuses)
    n = len(statuses)
    head = f"launchspec status: {n} launch{'' if n == 1 else 'es'}, {overdue} overdue task"
    head += "" if overdue == 1 else "s"
    head += f", {flagged} flagged" if flagged else ""
    rows = [_row(s) for s in statuses]
    lines = [f"{head} (as of {stamp})", ""]
    lines += table(["", "key", "status", "done", "next task", "owners", "due"], rows, indent="")
    lines += _details(statuses)
    return "\n".join(lines) + "\n"


def _row(s: RunStatus) -> list[str]:
    mark = "!" if s.flagged or s.overdue else ""
    nxt = s.next_task
    due = _when(nxt.deadline) + (" OVERDUE" if nxt.overdue else "") if nxt else ""
    return [
        mark,
        s.key,
        s.status,
        f"{s.done}/{s.total}" if s.status != "deleted" else "-",
        nxt.title if nxt else ("-" if s.status != "deleted" else ""),
        ", ".join(nxt.owners) if nxt else "",
        due,
    ]


def _details(statuses: Sequence[RunStatus]) -> list[str]:
    out: list[str] = []
    for s in statuses:
        if s.status == "deleted":
            out.append(f"! {s.key}: run {s.run_id} no longer exists (deleted, or not visible)")
        elif s.status == "archived":
            out.append(f"! {s.key}: run {s.run_id} is archived")
        if s.duplicates:
            ids = ", ".join(s.duplicates)
            out.append(f"! {s.key}: launched more than once, runs {ids} (`apply --dedupe`)")
        for t in s.overdue:
            owners = ", ".join(t.owners) or "nobody"
            out.append(f"! {s.key}: task {t.title!r} ({owners}) was due {_when(t.deadline)}")
    if any(s.flagged for s in statuses):
        out.append("hint: `launchspec plan --refresh` shows what apply would do about them")
    return ["", *out] if out else []


def _when(iso: str | None) -> str:
    """`2026-12-01T17:00:00Z` -> `2026-12-01 17:00 UTC` for people."""
    return f"{iso[:10]} {iso[11:16]} UTC" if iso else "-"
