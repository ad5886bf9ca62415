"""Lockfile and journal: deterministic bytes, atomic writes, every corrupt form refused."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from runner.errors import LockBusyError, LockfileError
from runner.remote.recovery import pending_keys, with_recorded_launches
from runner.state.journal import Journal
from runner.state.lockfile import (
    FORMAT_VERSION,
    LockEntry,
    Lockfile,
    exclusive,
    read_lockfile,
    write_lockfile,
)

ENTRY = LockEntry(
    run_id="a" * 32,
    template_id="b" * 32,
    launched_at="2026-11-29T10:00:00Z",
    name="Onboarding - Globex",
    digest="d" * 64,
)


def test_round_trip_is_deterministic_sorted_and_ends_with_newline(tmp_path: Path) -> None:
    lock = Lockfile.new("org1").with_entry("zeta", ENTRY).with_entry("alpha", ENTRY)
    path = tmp_path / "launchspec.lock.json"
    write_lockfile(path, lock)
    data = path.read_bytes()
    assert data.endswith(b"}\n")
    doc = json.loads(data)
    assert list(doc["launches"]) == ["alpha", "zeta"]
    assert doc["serial"] == 2 and doc["format_version"] == FORMAT_VERSION
    again = read_lockfile(path)
    assert again == lock
    write_lockfile(path, again)
    assert path.read_bytes() == data


def test_missing_lockfile_is_empty_with_a_new_lineage(tmp_path: Path) -> None:
    a = read_lockfile(tmp_path / "none.json")
    b = read_lockfile(tmp_path / "none.json")
    assert a.entries == {} and a.serial == 0
    assert a.lineage != b.lineage


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"format_version": 1, "lineage": "x", "launches": {', "not valid JSON"),
        (b"", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b"[1, 2]", "must hold a JSON object"),
        (b'{"lineage": "x", "launches": {}}', "no format_version"),
        (b'{"format_version": 99, "lineage": "x", "launches": {}}', "newer than"),
        (b'{"format_version": 1, "lineage": "x", "launches": {"k": {"name": "n"}}}', "malformed"),
        (b'{"format_version": 1, "launches": {}}', "malformed"),
    ],
)
def test_corrupt_lockfiles_are_refused_clearly(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "launchspec.lock.json"
    path.write_bytes(content)
    with pytest.raises(LockfileError, match=message):
        read_lockfile(path)


def test_lockfile_of_another_organisation_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "l.json"
    write_lockfile(path, Lockfile.new("org-a"))
    with pytest.raises(LockfileError, match="belongs to organisation org-a"):
        read_lockfile(path, organization="org-b")


def test_write_leaves_no_temp_files(tmp_path: Path) -> None:
    path = tmp_path / "l.json"
    for i in range(5):
        write_lockfile(path, Lockfile.new().with_entry(f"k{i}", ENTRY))
    assert [p.name for p in tmp_path.iterdir()] == ["l.json"]


def test_second_holder_is_refused_or_waits(tmp_path: Path) -> None:
    held = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with exclusive(tmp_path, 0):
            held.set()
            release.wait(60)

    t = threading.Thread(target=hold)
    t.start()
    assert held.wait(60)
    busy = pytest.raises(LockBusyError, match=r"another launchspec apply holds the lock \(pid")
    with busy, exclusive(tmp_path, 0):
        pass
    waited: list[str] = []
    start = time.monotonic()  # before the timer: its 0.3 s are all inside what is measured
    threading.Timer(0.3, release.set).start()
    with exclusive(tmp_path, 60, on_wait=waited.append):
        assert time.monotonic() - start >= 0.3
    assert waited and "pid" in waited[0]
    t.join(5)


def test_journal_pending_launched_and_torn_last_line(tmp_path: Path) -> None:
    j = Journal(tmp_path)
    entry = ENTRY.to_json()
    entry.pop("run_id")
    a = j.intent("a", "m-a", entry)
    b = j.intent("b", "m-b", entry)
    c = j.intent("c", "m-c", entry)
    j.record_launch(a, "1" * 32)
    j.failed(c, "HTTP 422")
    with j.path.open("ab") as f:
        f.write(b'{"op":"launched","attempt":"')  # a crash mid-append
    assert pending_keys(j) == {"b"}
    lock, settled = with_recorded_launches(j, Lockfile.new())
    assert lock.entries["a"].run_id == "1" * 32
    assert [s.how for s in settled] == ["recovered"]
    j.resolved(b, "not-launched")
    j.compact()
    assert not j.path.exists()


def _reference(lock: Lockfile) -> bytes:
    """The lockfile's format as first defined: one json.dumps of the whole document."""
    doc: dict[str, object] = {
        "format_version": 1, "needs_launchspec": "0.1.0", "lineage": lock.lineage,
        "serial": lock.serial,
        "organization": lock.organization,
        "launches": {k: e.to_json() for k, e in lock.entries.items()},
    }  # fmt: skip
    if lock.scans:
        doc["scans"] = {t: s.to_json() for t, s in sorted(lock.scans.items())}
    return (json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def test_the_bytes_are_the_documented_format() -> None:
    from dataclasses import replace

    from runner.state.lockfile import LockEntry
    from runner.state.scans import Scan

    def entry(i: int) -> LockEntry:
        return LockEntry(run_id=f"r{i}", template_id="t", launched_at="2026-12-01T09:00:00Z",
                         name=f"Clôture {i} \"q\"", digest="d", fields={"b": [1, {"z": None}],
                         "a": "ü"}, parent=None if i % 2 else "k0")  # fmt: skip

    lock = Lockfile.new("org")
    assert lock.to_bytes() == _reference(lock)  # no launches
    for i in range(30):
        lock = lock.with_entry(f"k{i}[ä]" if i % 7 == 0 else f"k{i}", entry(i))
        assert lock.to_bytes() == _reference(lock)
    lock = replace(lock.with_entry("k3", entry(99)).without("k5"),
                   scans={"t": Scan("2026-12-01T09:00:00Z", {"launchspec-id: x/y": ("r1",)})})
    assert lock.to_bytes() == _reference(lock)
