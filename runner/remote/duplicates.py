"""Keys launched more than once (two runs carry one key's marker), and runs to adopt.

The lease prevents two machines from launching the same specs; what slips past it (a lease
turned off, two repositories on one organisation) is found here by reading the markers back.
The rule every machine settles duplicates by is `survivor`: keep the oldest run (by
`created_at`, then the smallest id); the applier archives the others (`--dedupe`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from runner.remote.ports import RunReader
from runner.remote.reconcile import RunIndex, marker_for
from runner.state.lockfile import Lockfile


def find(index: RunIndex, lineage: str, keys: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """Per key (of `keys`: key -> template id) carried by two or more active runs, their ids."""
    out: dict[str, tuple[str, ...]] = {}
    for key, template_id in sorted(keys.items()):
        found = index.find(key, marker_for(lineage, key), {"template_id": template_id}, 0)
        if len(found.run_ids) > 1:
            out[key] = found.run_ids
    return out


def recorded(client: RunReader, lock: Lockfile) -> dict[str, tuple[str, ...]]:
    """The lockfile's keys carried by two or more active runs, with their ids (`status` and
    `plan --refresh`): every run of the keys' templates is read, as the lockfile's scans are
    not consulted."""
    keys = {key: entry.template_id for key, entry in lock.entries.items()}
    return find(RunIndex(client), lock.lineage, keys)


def adoptable(index: RunIndex, lock: Lockfile, launches: Mapping[str, str]) -> dict[str, str]:
    """Of `launches` (key -> template id) the lockfile does not hold, the keys whose marker
    exactly one run already carries (after `forget`, or a lockfile that was lost): the plan
    adopts that run instead of launching."""
    found = {}
    for key, template_id in sorted(launches.items()):
        if key in lock.entries:
            continue
        hit = index.find(key, marker_for(lock.lineage, key), {"template_id": template_id}, 0)
        if hit.unique:
            found[key] = hit.unique
    return found


def survivor(runs: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
    """The run kept: the oldest by `created_at`, then the smallest id."""
    return min(runs, key=lambda r: (str(r.get("created_at") or ""), str(r["id"])))
