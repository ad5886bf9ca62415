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

    def __init__(self, lock: Lockfile, lock_path: Any, on_event: Callable[[Event], None]):
        self.lock = lock
        self.lock_path = lock_path
        self.on_event = on_event
        self.result = ApplyResult()
        self.mutex = threading.Lock()
        self.dirty = False
        self._written_at = 0.0

    def record(self, key: str, entry: LockEntry) -> None:
        with self.mutex:
            self.lock = self.lock.with_entry(key, entry)
            self.flush()

    def drop(self, key: str) -> None:
        with self.mutex:
            self.lock = self.lock.without(key)
            self.flush()

    def add_scans(self, scans: Mapping[str, Scan]) -> None:
        """Keep how far back templates' runs were read; written with the final flush.
        (Call with the mutex held.)"""
        if scans:
            self.lock = replace(self.lock, scans={**self.lock.scans, **scans})
            self.dirty = True

    def emit(self, event: Event) -> None:
        with self.mutex:
            self.result.events.append(event)
        self.on_event(event)

    def close(self) -> None:
        """Write what a coalesced flush still holds back."""
        with self.mutex:
            if self.dirty:
                self.flush(force=True)

    def flush(self, force: bool = False) -> None:
        """Replace the lockfile at most every FLUSH_SECONDS (call with the mutex held).

        Rewriting the whole file after every launch costs O(n²) over a large apply. Coalescing
        loses nothing: each run id is already durable in the journal's `launched` record, from
        which the next command rebuilds any entry a crash kept out of the lockfile.
        """
        self.dirty = True
        now = time.monotonic()
        if force or now - self._written_at >= FLUSH_SECONDS:
            write_lockfile(self.lock_path, self.lock)
            self._written_at, self.dirty = now, False
