"""The record an apply keeps as it goes: the lockfile as it grows, written coalesced, and events."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from runner.apply.events import ApplyResult, Event
from runner.state.lockfile import LockEntry, Lockfile, write_lockfile
from runner.state.scans import Scan

FLUSH_SECONDS = 0.25


class Ledger:
    """One apply's lockfile and events, shared by its worker threads under `mutex`."""

    def __init__(
        self,
        lock: Lockfile,
        lock_path: Any,
        on_event: Callable[[Event], None],
        clock: Callable[[], float] = time.monotonic,
    ):
        self.lock = lock
        self.lock_path = lock_path
        self.on_event = on_event
        self.result = ApplyResult()
        self.mutex = threading.Lock()
        self._write_lock = threading.Lock()  # one writer at a time, never under `mutex` first
        self._version = 0  # changes made to `lock`
        self._written_version = 0
        self._written_at = 0.0
        self._interval = FLUSH_SECONDS
        self._clock = clock  # spaces the writes; a test freezes it to hold a write back

    def record(self, key: str, entry: LockEntry) -> None:
        with self.mutex:
            self.lock = self.lock.with_entry(key, entry)
            due = self._changed()
        if due:
            self._write()

    def moved(self, old: str, new: str, entry: LockEntry) -> None:
        """The run recorded as `old` is recorded as `new` instead, in one write."""
        with self.mutex:
            self.lock = self.lock.without(old).with_entry(new, entry)
            due = self._changed()
        if due:
            self._write()

    def archived(self, key: str, run_id: str, *, drop: bool) -> None:
        """`run_id` of `key` is archived: remembered (a merge never brings it back), and with
        `drop` the key's entry goes too."""
        with self.mutex:
            self.lock = self.lock.with_archived(key, run_id, drop=drop)
            due = self._changed()
        if due:
            self._write()

    def add_scans(self, scans: Mapping[str, Scan]) -> None:
        """Keep how far back templates' runs were read; written with the final flush.
        (Call with the mutex held.)"""
        if scans:
            self.lock = replace(self.lock, scans={**self.lock.scans, **scans})
            self._version += 1

    def emit(self, event: Event) -> None:
        with self.mutex:
            self.result.events.append(event)
        self.on_event(event)

    def close(self) -> None:
        """Write what a coalesced flush still holds back."""
        self._write()

    def _changed(self) -> bool:
        """Count a change (mutex held); whether the lockfile is due to be written."""
        self._version += 1
        return self._clock() - self._written_at >= self._interval

    def _write(self) -> None:
        with self.mutex:
            lock, version = self.lock, self._version
        self._write_snapshot(lock, version)

    def _write_snapshot(self, lock: Lockfile, version: int) -> None:
        """Replace the lockfile with `lock` unless a newer one was written meanwhile.

        Rewriting the whole file after every launch costs O(n²) over a large apply, so writes
        are coalesced, at most one per interval, and the interval grows with the time a write
        takes (writing stays under a fifth of the time). Coalescing loses nothing: each run id
        is already in the journal's `launched` record, from which the next command rebuilds
        any entry a crash kept out of the lockfile. Workers go on launching while it writes.
        """
        with self._write_lock:
            if version <= self._written_version:
                return
            started = self._clock()
            write_lockfile(self.lock_path, lock)
            took = self._clock() - started
            self._written_version, self._written_at = version, self._clock()
            self._interval = max(FLUSH_SECONDS, 4 * took)
