"""Settling what a crashed or cut-off apply left in the journal, before anything new is sent."""

from __future__ import annotations

import time
from dataclasses import replace

from runner.remote.reconcile import RunIndex, Settled
from runner.state.journal import Journal
from runner.state.lockfile import LockEntry, Lockfile


def with_recorded_launches(journal: Journal, lock: Lockfile) -> tuple[Lockfile, list[Settled]]:
    """Add runs the journal saw launched but the lockfile missed (a crash between the two)."""
    settled = []
    # Oldest first, so a key launched again (a replace) keeps only its latest run.
    latest = {intent.key: (intent, run_id) for intent, run_id in journal.launched()}
    for intent, run_id in latest.values():
        current = lock.entries.get(intent.key)
        if current is not None and current.run_id == run_id:
            continue
        entry = LockEntry.from_json(intent.key, {**intent.entry, "run_id": run_id})
        lock = lock.with_entry(intent.key, entry)
        settled.append(Settled(intent.key, "recovered", run_id))
    return lock, settled


def settle_pending(
    journal: Journal, lock: Lockfile, index: RunIndex, *, min_age: float = 0.0
) -> tuple[Lockfile, list[Settled]]:
    """Read back every pending launch; record found runs, release absent ones, flag the rest.

    An absent run is only taken as "not launched" once its intent is `min_age` seconds old: a
    server may finish a request whose client timed out or was killed, and its run appears late.
    Younger ones come back as `young` and stay pending.
    """
    settled = []
    now = time.time()
    for intent in journal.pending():
        found = index.find(intent.key, intent.marker or None, intent.entry, intent.at)
        if found.unique and found.exact:
            entry = LockEntry.from_json(intent.key, {**intent.entry, "run_id": found.unique})
            lock = lock.with_entry(intent.key, replace(entry, adopted=True))
            journal.resolved(intent, "read-back", found.unique)
            settled.append(Settled(intent.key, "read-back", found.unique))
        elif not found.run_ids and now - intent.at < min_age:
            settled.append(Settled(intent.key, "young", wait=min_age - (now - intent.at)))
        elif not found.run_ids:
            # Nothing on the server carries this launch's marker, long enough after: the POST
            # never took effect.
            journal.resolved(intent, "not-launched")
            settled.append(Settled(intent.key, "not-launched"))
        else:
            settled.append(Settled(intent.key, "ambiguous", candidates=found.run_ids))
    return lock, settled


def pending_keys(journal: Journal) -> set[str]:
    """Keys whose last launch attempt has no recorded outcome."""
    return {i.key for i in journal.pending()}
