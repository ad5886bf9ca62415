"""Keys launched more than once, settled: the duplicate runs archived (`--dedupe`).

Found by `runner.remote.duplicates`; settled by the rule every machine computes the same way
(`survivor`: the oldest run): archive the others, record the survivor.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from runner.apply.events import Event
from runner.remote.duplicates import find, survivor
from runner.remote.ports import RunWriter
from runner.remote.reconcile import RunIndex
from runner.state.lockfile import Lockfile


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


def dedupe(client: RunWriter, lock: Lockfile, on_event: Callable[[Event], None]) -> Lockfile:
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
