"""Two versions of one lockfile made into one, by a rule every machine computes the same way."""

from __future__ import annotations

from dataclasses import replace

from runner.state.lockfile import LockEntry, Lockfile
from runner.state.scans import merge_scans


def survivor(a: LockEntry, b: LockEntry) -> LockEntry:
    """Of two entries for one key, the one kept: the earlier launch, then the smaller run id."""
    return min(a, b, key=lambda e: (e.launched_at, e.run_id))


def merged(ours: Lockfile, theirs: Lockfile) -> Lockfile | None:
    """One lockfile holding every key of both; None when they are of different lineages (two
    histories: nothing says which keys are the same launches).

    Where both name a key with different runs, both runs exist: `survivor` keeps one here,
    and the other shows as a duplicate on the next `plan --refresh` (settled by
    `apply --dedupe`).
    """
    if ours.lineage != theirs.lineage and ours.entries and theirs.entries:
        return None
    scans = merge_scans(ours.scans, theirs.scans)
    if not ours.entries:
        return replace(theirs, scans=scans)
    if not theirs.entries:
        return replace(ours, scans=scans)
    entries = dict(theirs.entries)
    for key, entry in ours.entries.items():
        other = entries.get(key)
        entries[key] = entry if other is None else survivor(entry, other)
    serial = max(ours.serial, theirs.serial)
    if entries != dict(ours.entries):
        serial += 1 if entries != dict(theirs.entries) else 0
    return replace(ours, serial=serial, entries=entries, scans=scans)
