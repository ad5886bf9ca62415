"""Recovery through the CLI: bad lockfiles are refused, a crashed apply's journal is settled."""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest

from runner.remote import recovery
from runner.remote.reconcile import marker_for
from runner.state.journal import Journal
from tests.chaos.harness import ApplyProcess, Server, cli_env, duplicates, read_lock
from tests.support.by_hand import GMBH, GMBH_NAME, MONTH_END, launch_by_hand
from tests.support.cli import make_project, run_cli
from tests.support.sandbox import SandboxProcess

LOCK = "launchspec.lock.json"
GOOD_LOCK = {"format_version": 1, "lineage": "0f6c2f53-6f3e-4d0e-9d55-8a1f3c2b1a00",
             "serial": 1, "organization": None, "launches": {}}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path)


@pytest.fixture
def server(sandbox_factory: Callable[..., SandboxProcess]) -> Server:
    return Server(sandbox_factory("--admin", "--fault-seed", "7"))


def _bad_lockfiles(org: str) -> dict[str, tuple[bytes, str]]:
    good = json.dumps(GOOD_LOCK, indent=2).encode()
    return {
        "corrupt": (b"<<<<<<< HEAD\n{]\n", "not valid JSON"),
        "truncated": (good[: len(good) // 2], "not valid JSON"),
        "newer": (json.dumps({**GOOD_LOCK, "format_version": 99}).encode(), "newer than"),
        "other-org": (json.dumps({**GOOD_LOCK, "organization": "f" * 32}).encode(),
                      "belongs to organisation"),
        "not-an-object": (b"[1, 2]\n", "must hold a JSON object"),
        "bad-entry": (json.dumps({**GOOD_LOCK, "launches": {"k": {"name": "x"}}}).encode(),
                      "malformed"),
        "bad-time": (json.dumps({**GOOD_LOCK, "launches": {"k": {
            "run_id": "a" * 32, "template_id": "b" * 32, "launched_at": "2026-11-01"}}}).encode(),
            "launched_at"),
        "bad-serial": (json.dumps({**GOOD_LOCK, "serial": "seven"}).encode(), "serial"),
        "null-run": (json.dumps({**GOOD_LOCK, "launches": {"onboarding-globex": {
            "run_id": None, "template_id": "b" * 32, "launched_at": "2026-11-01T09:00:00Z"}}})
            .encode(), "run_id"),
        "newline-run": (json.dumps({**GOOD_LOCK, "launches": {"k": {
            "run_id": "a" * 32 + "\n", "template_id": "b" * 32,
            "launched_at": "2026-11-01T09:00:00Z"}}}).encode(), "run_id"),
    }


@pytest.mark.parametrize("case", ["corrupt", "truncated", "newer", "other-org", "not-an-object",
                                  "bad-entry", "bad-time", "bad-serial", "null-run",
                                  "newline-run"])
@pytest.mark.parametrize("command", ["apply", "plan"])
def test_bad_lockfile_is_refused_without_a_launch(
    project: Path, server: Server, case: str, command: str
) -> None:
    data, words = _bad_lockfiles(server.sb.org)[case]
    (project / LOCK).write_bytes(data)
    args = ["apply", "--yes"] if command == "apply" else ["plan"]
    result = run_cli(project, *args, env=server.sb.env(), timeout=60)
    assert result.code == 1, result.text
    assert words in result.err and LOCK in result.err, result.err
    assert "Traceback" not in result.text
    assert server.runs() == []
    assert (project / LOCK).read_bytes() == data, "a refused lockfile must be left as it was"


def _kill_with_launches_in_flight(project: Path, server: Server) -> int:
    """Start apply on a server that holds every launch uncommitted, SIGKILL apply once one is
    held, then let launches through again: a launch is in flight at the kill by construction,
    whatever the machine's speed (a delay before committing was a race a loaded machine lost),
    and the sandbox drops it, its client gone.

    Returns how many intents the killed apply left pending.
    """
    server.set_faults(hold_launches=True)
    p = ApplyProcess.start(project, cli_env(server.sb))
    server.wait_held(1, p)
    assert p.signal(signal.SIGKILL), p.text
    p.finish(timeout=60)
    server.set_faults(hold_launches=False)
    return len(Journal(project / ".launchspec").pending())


def test_journal_of_a_killed_apply_is_reconciled(project: Path, server: Server) -> None:
    pending = _kill_with_launches_in_flight(project, server)
    assert pending >= 1
    plan = run_cli(project, "plan", env=server.sb.env(), timeout=60)
    assert plan.code == 0, plan.text
    assert "pending reconciliation" in plan.out and "reads it back" in plan.out, plan.out
    applied = run_cli(project, "apply", "--yes", env=server.sb.env(), timeout=60)
    assert applied.code == 0, applied.text
    assert "an earlier launch whose answer was lost" in applied.out, applied.out
    runs = server.runs()
    assert len(runs) == 5 and not duplicates(runs)
    final = read_lock(project)
    assert final is not None and {e.run_id for e in final.entries.values()} == \
        {r["id"] for r in runs}
    assert not Journal(project / ".launchspec").pending()


def test_intent_whose_run_was_committed_is_adopted(project: Path, server: Server) -> None:
    """Killed after the server committed the launch, before the answer was journalled."""
    (project / LOCK).write_text(json.dumps(GOOD_LOCK))
    marker = marker_for(str(GOOD_LOCK["lineage"]), GMBH)
    Journal(project / ".launchspec").intent(GMBH, marker, {"template_id": MONTH_END,
                                                           "name": GMBH_NAME,
                                                           "launched_at": "2026-11-30T09:00:00Z",
                                                           "digest": ""})
    run_id = launch_by_hand(server, marker)
    plan = run_cli(project, "plan", env=server.sb.env(), timeout=60)
    assert "pending reconciliation" in plan.out, plan.text
    applied = run_cli(project, "apply", "--yes", env=server.sb.env(), timeout=60)
    assert applied.code == 0, applied.text
    found = f"{GMBH}: an earlier launch whose answer was lost was found on the server"
    assert f"{found} (run {run_id})" in applied.out, applied.out
    lock = read_lock(project)
    assert lock is not None and lock.entries[GMBH].run_id == run_id
    runs = server.runs()
    assert len(runs) == 5 and not duplicates(runs)


def _old_intent(project: Path, key: str, marker: str, template: str, name: str) -> None:
    journal = Journal(project / ".launchspec")
    intent = journal.intent(key, marker, {"template_id": template, "name": name,
                                          "launched_at": "2026-11-01T00:00:00Z", "digest": ""})
    records = journal.path.read_text().replace(str(intent.at), str(intent.at - 3600))
    journal.path.write_text(records)


def test_hand_written_old_intent_with_no_run_is_released(project: Path, server: Server) -> None:
    key = "onboarding-globex"
    (project / LOCK).write_text(json.dumps(GOOD_LOCK))
    marker = marker_for(GOOD_LOCK["lineage"], key)  # type: ignore[arg-type]
    _old_intent(project, key, marker, "ab1f3c0e6c7a4b0d9e8f7a6b5c4d3e2f", "Onboarding")
    plan = run_cli(project, "plan", env=server.sb.env(), timeout=60)
    assert "pending reconciliation" in plan.out, plan.text
    applied = run_cli(project, "apply", "--yes", env=server.sb.env(), timeout=60)
    assert applied.code == 0, applied.text
    never = f"{key}: an earlier launch whose answer was lost never happened"
    assert never in applied.out, applied.out
    runs = server.runs()
    assert len(runs) == 5 and not duplicates(runs)
    assert not Journal(project / ".launchspec").pending()


def test_young_intent_with_no_run_waits_before_it_is_released(
    project: Path, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lost launch may still appear on the server: apply waits settle_seconds before deciding.

    The read-back's clock is injected: the intent is one second old at the first look and
    settled at the second, however long apply takes to reach them on a loaded machine."""
    key = "onboarding-globex"
    (project / "launchspec.yaml").write_text("limits: {settle_seconds: 3}\n")
    (project / LOCK).write_text(json.dumps(GOOD_LOCK))
    marker = marker_for(GOOD_LOCK["lineage"], key)  # type: ignore[arg-type]
    intent = Journal(project / ".launchspec").intent(key, marker, {
        "template_id": "efd12534ded06f20e21b33e8dacf1f15", "name": "Onboarding",
        "launched_at": "2026-11-01T00:00:00Z", "digest": ""})
    looks = iter([intent.at + 1])  # then intent.at + 3.5: past the settle time
    clock = SimpleNamespace(time=lambda: next(looks, intent.at + 3.5))
    monkeypatch.setattr(recovery, "time", clock)
    started = time.monotonic()
    applied = run_cli(project, "apply", "--yes", env=server.sb.env(), timeout=60)
    assert applied.code == 0, applied.text
    assert time.monotonic() - started >= 2.0  # it waited out the 2 s left
    assert "waiting 2 s" in applied.err and "settle" in applied.err, applied.err
    never = f"{key}: an earlier launch whose answer was lost never happened"
    assert never in applied.out, applied.out
    runs = server.runs()
    assert len([r for r in runs if marker in (r.get("summary") or "")]) == 1
    assert not duplicates(runs)


def _summer_zone() -> str:
    """A time zone that is on summer time today (one hemisphere or the other always is)."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    now = datetime.now(UTC)
    for zone in ("Australia/Sydney", "America/New_York"):
        if now.astimezone(ZoneInfo(zone)).dst():
            return zone
    raise AssertionError("no summer time found")  # pragma: no cover


def test_name_read_back_sees_a_fresh_run_in_a_summer_time_zone(
    project: Path, server: Server
) -> None:
    """provenance: false matches a lost launch by name and creation time. The creation time was
    read as local time (time.mktime), an hour early under summer time, so the run looked older
    than its intent, the intent was released as not launched and the key launched a second
    time (found by reading reconcile._created)."""
    (project / "launchspec.yaml").write_text("provenance: false\nlimits: {settle_seconds: 1}\n")
    (project / LOCK).write_text(json.dumps(GOOD_LOCK))
    Journal(project / ".launchspec").intent(GMBH, "", {
        "template_id": MONTH_END, "name": GMBH_NAME,
        "launched_at": "2026-11-30T09:00:00Z", "digest": ""})
    run_id = launch_by_hand(server, "")
    env = {**server.sb.env(), "TZ": _summer_zone()}
    applied = run_cli(project, "apply", "--yes", env=env, timeout=60)
    # Without a marker one name match is not proof: apply stops and names the run.
    assert applied.code == 1, applied.text
    assert "cannot tell" in applied.err and run_id in applied.err, applied.text
    assert [r["id"] for r in server.runs() if r["name"] == GMBH_NAME] == [run_id]
