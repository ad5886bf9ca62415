"""Every apply summary counts what happened (issue 21, item 7): dedupe's archives and the
survivors it recorded, runs recorded from an earlier apply, a stop after everything was done,
a bar during a long wait, and a plan with a pending entry."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from runner.apply.events import Event
from runner.cli.apply_screen import ApplyView
from runner.client.calls import Wait
from runner.plan.plan import Plan
from runner.remote.reconcile import marker_for
from runner.state.journal import Journal
from runner.views.planview import format_text
from tests.chaos.harness import Server, read_lock
from tests.support.by_hand import GMBH, launch_by_hand
from tests.support.cli import make_project, run_cli
from tests.support.plans import launch, make
from tests.support.sandbox import SandboxProcess


def test_dedupe_counts_what_it_archived_and_kept(
    tmp_path: Path, sandbox_factory: Callable[..., SandboxProcess]
) -> None:
    server = Server(sandbox_factory("--admin"))
    root = make_project(tmp_path)
    assert run_cli(root, "apply", "--yes", env=server.sb.env()).code == 0
    lock = read_lock(root)
    assert lock is not None
    launch_by_hand(server, marker_for(lock.lineage, GMBH))  # a second run of the key

    deduped = run_cli(root, "apply", "--yes", "--dedupe", env=server.sb.env())
    assert deduped.code == 0, deduped.text
    assert not re.search(r"\[\d+/0\]", deduped.out), deduped.out
    assert f"archived {GMBH}" in deduped.out
    assert "Apply complete: 1 archived, 1 deduped" in deduped.out, deduped.out


def test_runs_recorded_from_an_earlier_apply_are_counted(
    tmp_path: Path, sandbox_factory: Callable[..., SandboxProcess]
) -> None:
    server = Server(sandbox_factory("--admin"))
    root = make_project(tmp_path)
    assert run_cli(root, "apply", "--yes", env=server.sb.env()).code == 0
    lock = read_lock(root)
    assert lock is not None
    run_id = lock.entries[GMBH].run_id
    assert run_cli(root, "forget", GMBH).code == 0
    marker = marker_for(lock.lineage, GMBH)
    journal = Journal(root / ".launchspec")
    entry = {k: v for k, v in lock.entries[GMBH].to_json().items() if k != "run_id"}
    journal.record_launch(journal.intent(GMBH, marker, entry), run_id)  # died before its lockfile

    applied = run_cli(root, "apply", "--yes", env=server.sb.env())
    assert applied.code == 0, applied.text
    assert "nothing to do" not in applied.out, applied.out
    assert "Apply complete: 1 recorded from an earlier apply" in applied.out, applied.out


def test_a_stop_after_everything_was_launched_is_complete(tmp_path: Path) -> None:
    from runner.apply.apply import Applier
    from runner.state.lockfile import Lockfile
    from tests.apply.test_apply_interleavings import FakeClient, _launch

    stop = threading.Event()
    actions = [_launch("a"), _launch("b")]
    launched: list[str] = []

    def on_event(e: Event) -> None:  # SIGINT arrives as the last launch is recorded
        launched.append(e.key)
        if len(launched) == len(actions):
            stop.set()

    applier = Applier(FakeClient(lost=set()), Lockfile.new(), Journal(tmp_path / ".launchspec"),
                      tmp_path / "launchspec.lock.json", on_event=on_event, stop=stop,
                      provenance=False)
    plan = Plan(tuple(actions), lineage=applier.lock.lineage, serial=0, organization=None,
                launch_at="2026-11-29T09:00:00Z")
    result = applier.run(plan)
    assert len(result.of("launched")) == 2
    assert not result.interrupted and result.ok


def test_the_bar_says_a_long_wait_not_a_short_eta(capsys: pytest.CaptureFixture[str]) -> None:
    now = [100.0]
    view = ApplyView(colour=False, yes=True, tty=True, clock=lambda: now[0])
    view.confirm(make([launch(f"k{i}") for i in range(4)]))
    for i in range(3):
        now[0] += 0.5
        view.event(Event("launched", f"k{i}", "r" * 32))
    capsys.readouterr()
    view.waited(Wait("the server asked to slow down (429 on POST /runs): waiting 60 s "
                     "(Retry-After) before sending anything more", 60.0))
    bar = capsys.readouterr().err.split("\r")[-1]
    assert "ETA 1 s" not in bar and "waiting 1 min · ETA 1 min" in bar, repr(bar)


def test_a_pending_entry_is_not_nothing_to_do() -> None:
    from runner.plan.plan import Action

    why = "an earlier launch's outcome is unknown"
    plan = make([Action("read", "outcome-unknown", "k1", why=why)])
    text = format_text(plan)
    assert "Nothing for apply to do" not in text, text
    assert "Apply first reads 1 pending launch back from the server" in text, text
