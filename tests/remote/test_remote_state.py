"""Remote state read through the RunReader port: duplicates, runs to adopt, reads bounded by scans.

The port is what the stage is: an in-memory reader stands in for the client here, as the
sandbox does in the tests of apply, so the rules are checked without HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

from runner.errors import NotFoundError
from runner.remote.duplicates import adoptable, find, survivor
from runner.remote.ports import Json, Reader
from runner.remote.reconcile import PAGE, RunIndex, marker_for
from runner.remote.recorded import read_recorded
from runner.state.lockfile import LockEntry, Lockfile
from runner.state.scans import Scan

LINEAGE = "11111111-2222-3333-4444-555555555555"
TEMPLATE = "t" * 32


class Runs:
    """A RunReader over runs held in memory, newest first when asked; counts what was read."""

    def __init__(self, runs: list[Json]) -> None:
        self.runs = runs
        self.read = 0

    def list_runs(self, **filters: str | int | bool) -> Iterator[Json]:
        ordered = sorted(self.runs, key=lambda r: str(r["created_at"]),
                         reverse=filters.get("sort") == "-created_at")
        for run in ordered:
            if run["checklist_id"] == filters.get("checklist_id"):
                self.read += 1
                yield run

    def get_run(self, run_id: str) -> Json:
        for run in self.runs:
            if run["id"] == run_id:
                return run
        raise NotFoundError(f"run {run_id}")


def _run(run_id: str, key: str | None, created: str, **extra: Any) -> Json:
    summary = marker_for(LINEAGE, key) if key else "by hand"
    return {"id": run_id, "checklist_id": TEMPLATE, "summary": summary,
            "created_at": created, "status": "active", **extra}


def _lock(*keys: str) -> Lockfile:
    entries = {k: LockEntry(run_id=f"run-{k}", template_id=TEMPLATE,
                            launched_at="2026-01-01T00:00:00Z", name=k, digest="d") for k in keys}
    return Lockfile(LINEAGE, 1, None, entries)


def test_a_key_two_runs_carry_is_a_duplicate_and_the_oldest_survives() -> None:
    reader = Runs([_run("b2", "a", "2026-01-02T00:00:00Z"),
                   _run("a1", "a", "2026-01-02T00:00:00Z"),
                   _run("c3", "a", "2026-01-03T00:00:00Z"),
                   _run("d4", "b", "2026-01-01T00:00:00Z")])
    found = find(RunIndex(reader), LINEAGE, {"a": TEMPLATE, "b": TEMPLATE})
    assert found == {"a": ("a1", "b2", "c3")}
    runs = [r for r in reader.runs if r["id"] in found["a"]]
    assert survivor(runs)["id"] == "a1"  # oldest first, then the smallest id


def test_only_an_unrecorded_key_one_run_carries_is_adopted() -> None:
    reader = Runs([_run("r1", "lost", "2026-01-01T00:00:00Z"),
                   _run("r2", "twice", "2026-01-01T00:00:00Z"),
                   _run("r3", "twice", "2026-01-02T00:00:00Z"),
                   _run("r4", "kept", "2026-01-01T00:00:00Z"),
                   _run("r5", None, "2026-01-01T00:00:00Z", name="new")])
    launches = dict.fromkeys(("lost", "twice", "kept", "new"), TEMPLATE)
    assert adoptable(RunIndex(reader), _lock("kept"), launches) == {"lost": "r1"}


def test_a_scan_bounds_the_read_and_older_marked_runs_come_from_it() -> None:
    old = [_run(f"o{i}", None, f"2025-06-01T00:{i // 60:02d}:{i % 60:02d}Z")
           for i in range(3 * PAGE)]
    reader = Runs([*old, _run("n1", "a", "2026-02-01T00:00:00Z"),
                   _run("o99", "a", "2025-01-01T00:00:00Z")])
    scan = Scan("2026-01-01T00:00:00Z", {marker_for(LINEAGE, "a"): ("o99",)})
    index = RunIndex(reader, {TEMPLATE: scan})
    found = index.find("a", marker_for(LINEAGE, "a"), {"template_id": TEMPLATE}, 0)
    assert found.run_ids == ("n1", "o99")  # the new run read, the old one named by the scan
    assert reader.read == PAGE  # newest first, stopped at the end of the page the scan ends in


class People(Runs):
    """A Reader enough for `read_recorded`: runs, their tasks (one run's listing is gone)."""

    def list_users(self) -> list[Json]:
        return [{"id": 7, "email": "a@b.c"}]

    def list_groups(self) -> list[Json]:
        return []

    def list_tasks(self, run_id: str) -> list[Json]:
        if run_id == "run-b":
            raise NotFoundError(f"tasks of {run_id}")
        return [{"id": f"{run_id}-t", "status": "not-started"}]


def test_status_reads_each_recorded_run_its_tasks_and_the_keys_launched_twice() -> None:
    reader = People([_run("run-a", "a", "2026-01-01T00:00:00Z"),
                     _run("a2", "a", "2026-01-02T00:00:00Z"),
                     _run("run-b", "b", "2026-01-01T00:00:00Z")])
    found = read_recorded(cast(Reader, reader), _lock("a", "b", "gone"))
    assert found.progress["a"] == (reader.runs[0], [{"id": "run-a-t", "status": "not-started"}])
    assert found.progress["b"] == (reader.runs[2], [])  # the run, though its tasks are not
    assert found.progress["gone"] == (None, [])
    assert found.users == [{"id": 7, "email": "a@b.c"}]
    assert found.duplicates == {"a": ("a2", "run-a")}
