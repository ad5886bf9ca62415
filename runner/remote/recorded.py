"""The lockfile's runs as the server holds them now: `plan --refresh`, the orphans' states,
and `status` (each run's tasks, their owners' names, keys launched twice).

One read per run, sent together (as the plan's other reads are), or a lockfile of 200 keys
would cost 200 round trips in a row; the client's limiter still honours the server's limits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from runner.errors import NotFoundError
from runner.remote.duplicates import recorded as recorded_duplicates
from runner.remote.ports import Json, Reader
from runner.state.lockfile import Lockfile
from runner.state.provenance import markers_in, plain_text, without_markers

READERS = 8  # runs read at once

# A template's kick-off field id -> label and step id -> title: to say which field drifted.
Names = tuple[dict[str, str], dict[str, str]]
# A run as the server holds it and its tasks, listed; None when the server does not have it.
Progress = tuple[Json | None, list[Json]]

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class RecordedRuns:
    """What `status` reads of the lockfile's runs: each key's run and tasks, the users and
    groups tasks are owned by, and the keys two or more runs carry."""

    progress: dict[str, Progress]
    users: list[Json]
    groups: list[Json]
    duplicates: dict[str, tuple[str, ...]]


def read_recorded(client: Reader, lock: Lockfile) -> RecordedRuns:
    """Every recorded run with its tasks (read together), the people, the duplicates."""
    users, groups = client.list_users(), client.list_groups()
    items = sorted(lock.entries.items())
    reads = _together(lambda run_id: _progress(client, run_id), [e.run_id for _, e in items])
    progress = {key: read for (key, _), read in zip(items, reads, strict=True)}
    return RecordedRuns(progress, users, groups, recorded_duplicates(client, lock))


def read_runs(client: Reader, run_ids: Sequence[str]) -> list[Json | None]:
    """Each run with its tasks, in order; None for one the server does not have."""
    return _together(lambda run_id: _run(client, run_id), run_ids)


def template_names(client: Reader, template_ids: Sequence[str]) -> dict[str, Names]:
    """Per template, its kick-off fields' and steps' names by id (empty when it is gone)."""
    names = _together(lambda t: _names(client, t), template_ids)
    return dict(zip(template_ids, names, strict=True))


def _together(read: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """`read` of each item, READERS at a time, in order."""
    with ThreadPoolExecutor(max_workers=READERS, thread_name_prefix="recorded") as pool:
        return list(pool.map(read, items))


def orphan_states(client: Reader, lock: Lockfile, wanted: set[str]) -> dict[str, str]:
    """The state of each recorded run no spec asks for any more, so that one archived in
    Tallyfy is not offered to `--prune` to archive again (read together, as --refresh reads:
    removing a data file's rows can orphan hundreds at once)."""
    orphans = [(k, e.run_id) for k, e in sorted(lock.entries.items()) if k not in wanted]
    if not orphans:
        return {}
    runs = read_runs(client, [run_id for _, run_id in orphans])
    return {
        key: "missing" if run is None else run_state(run)
        for (key, _), run in zip(orphans, runs, strict=True)
    }


def run_state(run: Mapping[str, Any]) -> str:
    """`archived` or `active` (a run the server does not have is `missing`)."""
    return "archived" if run.get("status") == "archived" else "active"


def as_written(run: Mapping[str, Any]) -> dict[str, Any]:
    """The run with its summary as the person wrote it: apply adds the provenance line, and a
    rich-text editor may have saved the text as HTML (compared as text, markup left out)."""
    summary = run.get("summary")
    if not isinstance(summary, str) or not (markers_in(summary) or plain_text(summary) != summary):
        return dict(run)
    return {**run, "summary": without_markers(summary)}


def _run(client: Reader, run_id: str) -> Json | None:
    try:
        return dict(client.get_run(run_id, with_=("tasks",)))
    except NotFoundError:
        return None


def _progress(client: Reader, run_id: str) -> Progress:
    """The run and its tasks from their own paged listing (`status` shows every task)."""
    try:
        run = client.get_run(run_id)
    except NotFoundError:
        return None, []
    try:
        return run, client.list_tasks(run_id)
    except NotFoundError:
        return run, []


def _names(client: Reader, template_id: str) -> Names:
    try:
        template = client.get_template(template_id)
    except NotFoundError:
        return {}, {}
    return _by_id(template.get("prerun"), "label"), _by_id(template.get("steps"), "title")


def _by_id(items: Any, label: str) -> dict[str, str]:
    rows = items if isinstance(items, list) else []
    return {str(r.get("id")): str(r.get(label)) for r in rows if isinstance(r, Mapping)}
