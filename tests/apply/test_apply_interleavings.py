"""Applier interleavings the sandbox cannot stage exactly, against a fake client in-process."""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from runner.apply.apply import Applier
from runner.apply.events import Event
from runner.errors import IndeterminateError, NotFoundError
from runner.plan.plan import Action, Desired, Plan
from runner.remote.recovery import with_recorded_launches
from runner.specs.spec import Spec
from runner.state.journal import Journal
from runner.state.lockfile import Lockfile, read_lockfile
from runner.state.provenance import key_of, markers_in
from tests.support.plans import rendered, request

AT = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


class FakeClient:
    """Launches succeed, except keys in `lost`: the server commits them, the answer is cut."""

    def __init__(self, lost: set[str]) -> None:
        self.lost = lost
        self.runs: list[dict[str, Any]] = []

    def launch_run(self, body: Mapping[str, Any]) -> dict[str, Any]:
        run = {"id": f"run{len(self.runs)}", "checklist_id": body.get("checklist_id", "tpl1"),
               "name": body.get("name"), "summary": body.get("summary")}
        self.runs.append(run)
        if any(key_of(m) in self.lost for m in markers_in(run["summary"])):
            raise IndeterminateError("cut", status=None)
        return run

    def list_runs(self, **filters: Any) -> Iterator[dict[str, Any]]:
        return iter([r for r in self.runs if r["checklist_id"] == filters.get("checklist_id")])

    def get_run(self, run_id: str) -> dict[str, Any]:
        for run in self.runs:
            if run["id"] == run_id:
                return run
        raise NotFoundError(f"run {run_id} not found", status=404)

    def update_run(self, run_id: str, fields: Mapping[str, Any]) -> dict[str, Any]:
        raise AssertionError("not used")

    def archive_run(self, run_id: str) -> dict[str, Any]:
        raise AssertionError("not used")


def _launch(key: str) -> Action:
    spec = Spec(key, {}, SimpleNamespace(file="specs/x.yaml"))  # type: ignore[arg-type]
    desired = Desired(rendered(key, spec=spec, launch_at=AT), request(key))
    return Action("create", "new", key, desired)


def _plan(lock: Lockfile, *actions: Action) -> Plan:
    return Plan(tuple(actions), lineage=lock.lineage, serial=lock.serial, organization=None,
                launch_at="2026-11-29T09:00:00Z")


def test_run_confirmed_by_read_back_survives_a_kill_before_the_lockfile_write(
    tmp_path: Path,
) -> None:
    """A lost answer confirmed by read-back was recorded in the journal as `resolved` (which
    recovery does not read) and in a batched lockfile write: killed before that write, the
    run id was gone from both (found by reading the ledger's batching against
    Journal._outcomes). The kill is a copy of the project's files taken as b's launch is
    confirmed; the ledger's clock stands still, so b's write is held back however fast or
    slow the machine."""
    project, killed = tmp_path / "project", tmp_path / "killed"
    project.mkdir()
    journal = Journal(project / ".launchspec")

    def kill_once_b_is_confirmed(event: Event) -> None:
        if event.key == "b":
            shutil.copytree(project, killed)

    applier = Applier(FakeClient(lost={"b"}), Lockfile.new(), journal,
                      project / "launchspec.lock.json", concurrency=1,
                      on_event=kill_once_b_is_confirmed, clock=lambda: 1000.0)
    applier.run(_plan(applier.lock, _launch("a"), _launch("b")))
    on_disk = read_lockfile(killed / "launchspec.lock.json")
    assert set(on_disk.entries) == {"a"}, "b's lockfile write is still held back"
    recovered, _ = with_recorded_launches(Journal(killed / ".launchspec"), on_disk)
    assert {k: e.run_id for k, e in recovered.entries.items()} == {"a": "run0", "b": "run1"}


def test_superseded_launch_record_does_not_rewrite_the_lockfile(tmp_path: Path) -> None:
    """A key launched, then replaced, while the journal was kept (something else pending):
    recovery re-recorded the old run, then the new one, bumping the serial twice at every
    command, so a saved plan was always refused as stale (found by reading
    recovery.with_recorded_launches)."""
    journal = Journal(tmp_path / ".launchspec")
    entry = {"template_id": "tpl1", "launched_at": "2026-11-29T09:00:00Z", "name": "n",
             "digest": "d"}
    journal.record_launch(journal.intent("k", "m", entry), "old")
    journal.record_launch(journal.intent("k", "m", entry), "new")
    lock, _ = with_recorded_launches(journal, Lockfile.new())
    assert lock.entries["k"].run_id == "new"
    again, settled = with_recorded_launches(journal, lock)
    assert again.serial == lock.serial and settled == []


class ArchivingClient(FakeClient):
    """Archives succeed."""

    def archive_run(self, run_id: str) -> dict[str, Any]:
        return {"id": run_id, "status": "archived"}


def test_pruned_key_is_not_recovered_from_the_journal(tmp_path: Path) -> None:
    """`--prune` removed a key from the lockfile but left its `launched` journal record open:
    while the journal was kept (another key pending), the next command put the archived run
    back (found in review of the exactly-once core)."""
    client = ArchivingClient(lost=set())
    lock_path = tmp_path / "launchspec.lock.json"
    journal = Journal(tmp_path / ".launchspec")
    new = Lockfile.new()
    Applier(client, new, journal, lock_path).run(_plan(new, _launch("a")))
    lock = read_lockfile(lock_path)
    archive = Action("archive", "no-spec", "a", entry=lock.entries["a"])
    Applier(client, lock, journal, lock_path).run(_plan(lock, archive))
    recovered, settled = with_recorded_launches(journal, read_lockfile(lock_path))
    assert "a" not in recovered.entries and not settled
