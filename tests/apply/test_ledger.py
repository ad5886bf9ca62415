"""The ledger's batched lockfile writes, on a clock the test moves: what is on disk when."""

from __future__ import annotations

from pathlib import Path

from runner.apply.ledger import FLUSH_SECONDS, Ledger
from runner.state.lockfile import LockEntry, Lockfile, read_lockfile


class Clock:
    """Stands still until the test moves it."""

    def __init__(self) -> None:
        self.now, self.write = 1000.0, 0.0

    def __call__(self) -> float:
        return self.now


def _entry(key: str) -> LockEntry:
    return LockEntry(run_id=f"run-{key}", template_id="t", launched_at="2026-11-29T09:00:00Z",
                     name=key, digest="d")


def test_writes_are_spaced_by_the_interval_and_close_writes_the_rest(tmp_path: Path) -> None:
    path, clock = tmp_path / "launchspec.lock.json", Clock()
    ledger = Ledger(Lockfile.new(), path, lambda e: None, clock)

    def on_disk() -> set[str]:
        return set(read_lockfile(path).entries)

    ledger.record("a", _entry("a"))
    assert on_disk() == {"a"}  # the first record is written at once
    ledger.record("b", _entry("b"))
    clock.now += FLUSH_SECONDS / 2
    ledger.record("c", _entry("c"))
    assert on_disk() == {"a"}  # within the interval: held back (the journal has them)
    clock.now += FLUSH_SECONDS / 2
    ledger.record("d", _entry("d"))
    assert on_disk() == {"a", "b", "c", "d"}
    ledger.record("e", _entry("e"))
    ledger.close()
    assert on_disk() == {"a", "b", "c", "d", "e"}


def test_a_slow_write_spaces_the_next_ones_further(tmp_path: Path) -> None:
    """Writing stays under a fifth of the time: a write that took 1 s waits 4 s for the next."""
    path, clock = tmp_path / "launchspec.lock.json", Clock()

    def slow_clock() -> float:  # each reading is `clock.write` seconds after the last
        clock.now += clock.write
        return clock.now

    ledger = Ledger(Lockfile.new(), path, lambda e: None, slow_clock)
    clock.write = 1.0
    ledger.record("a", _entry("a"))  # written, and the write took 1 s: the next after 4 s
    clock.write = 0.0
    clock.now += 3.9
    ledger.record("b", _entry("b"))
    assert set(read_lockfile(path).entries) == {"a"}
    clock.now += 0.1
    ledger.record("c", _entry("c"))
    assert set(read_lockfile(path).entries) == {"a", "b", "c"}
