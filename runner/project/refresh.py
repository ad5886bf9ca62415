"""`plan --refresh`: each recorded run read back: its state (active, archived, missing), drift."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from runner.errors import NotFoundError
from runner.plan.drift import run_drift
from runner.plan.plan import Change, Desired
from runner.remote.ports import Reader
from runner.state.lockfile import Lockfile
from runner.state.provenance import markers_in, plain_text, without_markers

READERS = 8  # runs read at once; the client's limiter still honours the server's limits


@dataclass
class Live:
    """What the server holds for the lockfile's runs."""

    states: dict[str, str] = field(default_factory=dict)  # key -> active, archived, missing
    drift: dict[str, tuple[Change, ...]] = field(default_factory=dict)  # key -> changes by hand


def read_live(client: Reader, lock: Lockfile, desired: Sequence[Desired]) -> Live:
    """Each recorded run as the server holds it now, compared with what launchspec wrote."""
    wanted = {d.key: d for d in desired}
    entries = sorted(lock.entries.items())
    # One read per run: they go out together (as the plan's other reads do), or a lockfile of
    # 200 keys costs 200 round trips in a row.
    with ThreadPoolExecutor(max_workers=READERS, thread_name_prefix="refresh") as pool:
        runs = list(pool.map(lambda item: _run(client, item[1].run_id), entries))
        templates = sorted(
            {e.template_id for (_, e), run in zip(entries, runs, strict=True) if run is not None}
        )
        names = dict(zip(templates, pool.map(lambda t: _names(client, t), templates), strict=True))
    live = Live()
    for (key, entry), run in zip(entries, runs, strict=True):
        if run is None:
            live.states[key] = "missing"
            continue
        live.states[key] = _state(run)
        if live.states[key] != "active":
            continue
        labels, steps = names[entry.template_id]
        changes = run_drift(_without_marker(run), entry, wanted.get(key), labels, steps)
        if changes:
            live.drift[key] = changes
    return live


def orphan_states(client: Reader, lock: Lockfile, wanted: set[str]) -> dict[str, str]:
    """The state of each recorded run no spec asks for any more, so that one archived in
    Tallyfy is not offered to `--prune` to archive again (read together, as --refresh reads:
    removing a data file's rows can orphan hundreds at once)."""
    orphans = [(k, e.run_id) for k, e in sorted(lock.entries.items()) if k not in wanted]
    if not orphans:
        return {}
    with ThreadPoolExecutor(max_workers=READERS, thread_name_prefix="orphans") as pool:
        runs = pool.map(lambda item: _run(client, item[1]), orphans)
        return {
            key: "missing" if run is None else _state(run)
            for (key, _), run in zip(orphans, runs, strict=True)
        }


def _state(run: Mapping[str, Any]) -> str:
    return "archived" if run.get("status") == "archived" else "active"


def _run(client: Reader, run_id: str) -> dict[str, Any] | None:
    try:
        return dict(client.get_run(run_id, with_=("tasks",)))
    except NotFoundError:
        return None


def _without_marker(run: Mapping[str, Any]) -> dict[str, Any]:
    """The run with its summary as the person wrote it: apply adds the provenance line, and a
    rich-text editor may have saved the text as HTML (compared as text, markup left out)."""
    summary = run.get("summary")
    if not isinstance(summary, str) or not (markers_in(summary) or plain_text(summary) != summary):
        return dict(run)
    return {**run, "summary": without_markers(summary)}


def _names(client: Reader, template_id: str) -> tuple[dict[str, str], dict[str, str]]:
    """Kick-off field id -> label and step id -> title, to say which field drifted."""
    try:
        template = client.get_template(template_id)
    except NotFoundError:
        return {}, {}
    return _by_id(template.get("prerun"), "label"), _by_id(template.get("steps"), "title")


def _by_id(items: Any, label: str) -> dict[str, str]:
    rows = items if isinstance(items, list) else []
    return {str(r.get("id")): str(r.get(label)) for r in rows if isinstance(r, Mapping)}
