"""Keys launched more than once (two runs carry one key's marker), found and settled.

The lease prevents two machines from launching the same specs; what slips past it (a lease
turned off, two repositories on one organisation) is found here by reading the markers back,
and settled by a rule every machine computes the same way: keep the oldest run (by
`created_at`, then the smallest id), archive the others, record the survivor.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from runner.apply.events import Event
from runner.apply.reconcile import RunIndex, marker_for
from runner.state.lockfile import Lockfile


def find(index: RunIndex, lineage: str, keys: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """Per key (of `keys`: key -> template id) carried by two or more active runs, their ids."""
    out: dict[str, tuple[str, ...]] = {}
    for key, template_id in sorted(keys.items()):
        found = index.find(key, marker_for(lineage, key), {"template_id": template_id}, 0)
        if len(found.run_ids) > 1:
            out[key] = found.run_ids
    return out


def after_launches(index: RunIndex, lock: Lockfile, events: Sequence[Event]) -> list[Event]:
    """A `duplicate` event for each key launched (or adopted) in `events` whose marker two or
    more runs carry, read fresh from the server."""
    launched = {e.key for e in events if e.kind in ("launched", "adopted")}
    keys = {k: lock.entries[k].template_id for k in launched if k in lock.entries}
    for template_id in set(keys.values()):
        index.forget(template_id)
    out = []
    for key, ids in find(index, lock.lineage, keys).items():
        why = f"{len(ids)} runs carry its marker: {', '.join(ids)}; "
        why += "`launchspec apply --dedupe` keeps the oldest and archives the others"
        out.append(Event("duplicate", key, message=why))
    return out


def adoptable(index: RunIndex, lock: Lockfile, desired: Sequence[Any]) -> dict[str, str]:
    """Keys the lockfile does not hold whose marker exactly one run already carries (after
    `forget`, or a lockfile that was lost): the plan adopts that run instead of launching."""
    keys = {
        d.key: d.request.template_id
        for d in desired
        if d.request is not None and d.key not in lock.entries
    }
    found = {}
    for key, template_id in sorted(keys.items()):
        hit = index.find(key, marker_for(lock.lineage, key), {"template_id": template_id}, 0)
        if hit.unique:
            found[key] = hit.unique
    return found


def survivor(runs: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
    """The run kept: the oldest by `created_at`, then the smallest id."""
    return min(runs, key=lambda r: (str(r.get("created_at") or ""), str(r["id"])))


def dedupe(client: Any, lock: Lockfile, on_event: Callable[[Event], None]) -> Lockfile:
    """Archive every duplicate run of every key in `lock`, keeping `survivor`; the lockfile
    with each survivor recorded."""
    index = RunIndex(client)
    keys = {k: e.template_id for k, e in lock.entries.items()}
    for key, ids in find(index, lock.lineage, keys).items():
        runs = [r for r in index.runs(keys[key]) if str(r["id"]) in ids]
        keep = str(survivor(runs)["id"])
        for run_id in ids:
            if run_id != keep:
                client.archive_run(run_id)
                lock = lock.with_archived(key, run_id, drop=False)
                on_event(Event("archived", key, run_id, f"a duplicate of run {keep}"))
        lock = lock.with_entry(key, replace(lock.entries[key], run_id=keep))
        on_event(Event("deduped", key, keep, f"kept the oldest of {len(ids)} runs"))
    return lock
