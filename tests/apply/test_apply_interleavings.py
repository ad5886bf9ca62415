"""Applier interleavings the sandbox cannot stage exactly, against a fake client in-process."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from runner.apply.apply import Applier
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


def test_run_confirmed_by_read_back_survives_a_kill_before_the_lockfile_write(
    tmp_path: Path,
) -> None:
    """A lost answer confirmed by read-back was recorded in the journal as `resolved` (which
    recovery does not read) and in a coalesced lockfile write: killed before that write, the
    run id was gone from both (found by reading Applier._flush's docstring against
    Journal._outcomes)."""
    client = FakeClient(lost={"b"})
    lock_path = tmp_path / "launchspec.lock.json"
    journal = Journal(tmp_path / ".launchspec")
    applier = Applier(client, Lockfile.new(), journal, lock_path)
    actions = [_launch("a"), _launch("b")]
    plan = Plan(tuple(actions), lineage=applier.lock.lineage, serial=0, organization=None,
                launch_at="2026-11-29T09:00:00Z")
    for action in actions:  # as Applier.run would, but killed before its final flush
        assert applier._one(action, plan)
    assert applier._dirty, "the second record waits for a coalesced write"
    recovered, _ = with_recorded_launches(journal, read_lockfile(lock_path))
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
    applier = Applier(client, Lockfile.new(), journal, lock_path)
    launch = _launch("a")
    plan = Plan((launch,), lineage=applier.lock.lineage, serial=0, organization=None,
                launch_at="2026-11-29T09:00:00Z")
    assert applier._one(launch, plan)
    archive = Action("archive", "no-spec", "a", entry=applier.lock.entries["a"])
    assert applier._one(archive, plan)
    applier._flush(force=True)
    recovered, settled = with_recorded_launches(journal, read_lockfile(lock_path))
    assert "a" not in recovered.entries and not settled
