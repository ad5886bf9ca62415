"""Two versions of one lockfile and their common base made into one, by a rule every machine
computes the same way (git's merge driver, and the lockfile handed over through the lease).

Per key, three-way: a side that changed the key from the base wins over one that did not, so
a key pruned or forgotten on one side stays removed and a key added on one side is kept. Runs
archived by either side (`Lockfile.archived`) are never an entry again, even when the base is
unknown or older than both sides. Two different live runs for one key (both sides launched it)
are a conflict: one is kept, the other still carries the key's marker on the server, so
`plan --refresh` shows the key as launched more than once and `apply --dedupe` settles it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace

from runner.errors import LockfileError
from runner.state.lockfile import LockEntry, Lockfile
from runner.state.scans import merge_scans


@dataclass(frozen=True)
class Conflict:
    """One key both sides launched: the run kept in the entry and the other one."""

    key: str
    kept: str
    other: str


@dataclass(frozen=True)
class Merge:
    """The merged lockfile, and what it took from the other side."""

    lock: Lockfile
    taken: int = 0  # keys added or changed from the other side
    removed: int = 0  # keys the other side removed
    conflicts: tuple[Conflict, ...] = ()


def survivor(a: LockEntry, b: LockEntry) -> LockEntry:
    """Of two entries for one key, the one kept: the earlier launch, then the smaller run id."""
    return min(a, b, key=lambda e: (e.launched_at, e.run_id))


def identity_problem(ours: Lockfile, theirs: Lockfile, what: str) -> str | None:
    """Why `theirs` (described by `what`) is not a version of `ours`, or None.

    Two lineages are two histories (nothing says which keys are the same launches), and two
    organisations hold different runs: neither is ever merged, however few entries either has.
    """
    if ours.lineage != theirs.lineage:
        return (
            f"{what} is of lineage {theirs.lineage} ({describe(theirs)}), this lockfile of "
            f"lineage {ours.lineage} ({describe(ours)}): two histories, not merged"
        )
    if ours.organization and theirs.organization and ours.organization != theirs.organization:
        return (
            f"{what} belongs to organisation {theirs.organization}, this lockfile to "
            f"{ours.organization}: not merged"
        )
    return None


def adoption_problem(
    organization: str | None, folder: str, theirs: Lockfile, what: str
) -> str | None:
    """Why a project folder with no lockfile yet may not start from `theirs`, or None.

    Adopting is allowed only when `theirs` records this very folder of the repository (the
    `project` field, written by every apply that holds the lease) and the same organisation:
    a lockfile that does not say whose it is is never taken.
    """
    if theirs.project is None:
        return (
            f"{what} (lineage {theirs.lineage}) does not record its project folder (written "
            "by an older launchspec): not adopted"
        )
    if theirs.project != folder:
        return (
            f"{what} is the lockfile of project folder {shown(theirs.project)}, not of "
            f"{shown(folder)}: not adopted"
        )
    if organization and theirs.organization != organization:
        return (
            f"{what} belongs to organisation {theirs.organization}, this project to "
            f"{organization}: not adopted"
        )
    return None


def describe(lock: Lockfile) -> str:
    org = lock.organization or "no organisation yet"
    folder = "" if lock.project is None else f", folder {shown(lock.project)}"
    return f"organisation {org}{folder}, {len(lock.entries)} launches"


def shown(folder: str) -> str:
    return repr(folder) if folder else "'' (the top of the repository)"


def merge3(base: Lockfile | None, ours: Lockfile, theirs: Lockfile, what: str = "") -> Merge:
    """`ours` and `theirs` made into one, `base` their last common version (None: unknown,
    then a key one side lacks is kept from the other). LockfileError when they are not two
    versions of one lockfile (`identity_problem`)."""
    problem = identity_problem(ours, theirs, what or "the other lockfile")
    if problem:
        raise LockfileError(problem, hint=REFUSED_HINT)
    if base is not None and base.lineage != ours.lineage:
        base = None  # not an ancestor of this history: no base
    archived = _union(ours.archived, theirs.archived)
    b, o, t = (_live(x.entries, archived) for x in (base or Lockfile(ours.lineage), ours, theirs))
    entries: dict[str, LockEntry] = {}
    taken = removed = 0
    conflicts = []
    for key in sorted({*ours.entries, *t}):
        entry, conflict = _one(o.get(key), t.get(key), b.get(key))
        if entry is not None:
            entries[key] = entry
        if conflict is not None and entry is not None:
            conflicts.append(Conflict(key, entry.run_id, conflict.run_id))
        elif entry != ours.entries.get(key):
            taken += entry is not None
            removed += entry is None
    body = replace(
        ours,
        organization=ours.organization or theirs.organization,
        project=ours.project if ours.project is not None else theirs.project,
        entries=entries,
        scans=merge_scans(ours.scans, theirs.scans),
        archived=archived,
    )
    return Merge(_serial(body, ours, theirs), taken, removed, tuple(conflicts))


REFUSED_HINT = (
    "keep one of them: if the other one's runs belong here, `launchspec import KEY RUN_ID` "
    "each of them into this lockfile"
)


def _one(
    mine: LockEntry | None, other: LockEntry | None, was: LockEntry | None
) -> tuple[LockEntry | None, LockEntry | None]:
    """One key's entry after the merge, and the run left out when both sides launched it."""
    if mine == other or other == was:
        return mine, None
    if mine == was:
        return other, None
    if mine is None or other is None:  # one side removed it, the other changed it
        kept = mine or other
        assert kept is not None
        same_run = was is not None and was.run_id == kept.run_id
        return (None if same_run else kept), None  # a new run is live; the old one is gone
    if mine.run_id == other.run_id:  # one run, recorded differently: any fixed choice
        return max(mine, other, key=lambda e: json.dumps(e.to_json(), sort_keys=True)), None
    kept = survivor(mine, other)
    return kept, (other if kept is mine else mine)


def _live(
    entries: Mapping[str, LockEntry], archived: Mapping[str, tuple[str, ...]]
) -> dict[str, LockEntry]:
    """The entries whose run neither side has archived."""
    return {k: e for k, e in entries.items() if e.run_id not in archived.get(k, ())}


def _union(
    a: Mapping[str, tuple[str, ...]], b: Mapping[str, tuple[str, ...]]
) -> dict[str, tuple[str, ...]]:
    return {k: tuple(sorted({*a.get(k, ()), *b.get(k, ())})) for k in sorted({*a, *b})}


def _serial(body: Lockfile, ours: Lockfile, theirs: Lockfile) -> Lockfile:
    """The serial: a side's own when the merge is that side unchanged (the higher of two equal
    sides), else one past both."""
    bare = replace(body, serial=0)
    same = [side.serial for side in (ours, theirs) if replace(side, serial=0) == bare]
    top = max(ours.serial, theirs.serial)
    return replace(body, serial=top if same and max(same) == top else top + 1)
