"""Ambiguity is never guessed: two candidate runs stop apply; import and forget settle it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from runner.remote.reconcile import marker_for
from runner.state.journal import Journal
from tests.chaos.harness import Server, read_lock
from tests.support.by_hand import GMBH, GMBH_NAME, MONTH_END, launch_by_hand
from tests.support.cli import make_project, run_cli
from tests.support.sandbox import SandboxProcess


@pytest.fixture
def applied(tmp_path: Path, sandbox_factory: Callable[..., SandboxProcess]) -> tuple[Path, Server]:
    """The example project applied once: five runs, recorded."""
    server = Server(sandbox_factory("--admin", "--fault-seed", "3"))
    root = make_project(tmp_path)
    assert run_cli(root, "apply", "--yes", env=server.sb.env()).code == 0
    return root, server


def _says_how_to_settle(text: str, key: str) -> None:
    assert f"launchspec import {key} " in text, text
    assert f"launchspec forget {key}" in text, text
    assert "Traceback" not in text


def test_pending_intent_with_two_candidates_stops(applied: tuple[Path, Server]) -> None:
    root, server = applied
    lock = read_lock(root)
    assert lock is not None
    original = lock.entries[GMBH].run_id
    assert run_cli(root, "forget", GMBH).code == 0
    marker = marker_for(lock.lineage, GMBH)
    Journal(root / ".launchspec").intent(GMBH, marker, {
        "template_id": MONTH_END, "name": GMBH_NAME, "launched_at": "2026-11-30T09:00:00Z"})
    second = launch_by_hand(server, marker)
    result = run_cli(root, "apply", "--yes", env=server.sb.env())
    assert result.code == 1, result.text
    assert "cannot tell whether" in result.err and original in result.err and second in result.err
    _says_how_to_settle(result.err, GMBH)
    assert len(server.runs()) == 6, "apply must not launch while it cannot tell"


def test_two_marked_runs_stop_apply_then_import_settles(applied: tuple[Path, Server]) -> None:
    root, server = applied
    lock = read_lock(root)
    assert lock is not None
    original = lock.entries[GMBH].run_id
    forgot = run_cli(root, "forget", GMBH)
    assert forgot.code == 0 and original in forgot.out, forgot.text
    run = next(r for r in server.runs() if r["id"] == original)
    assert run["status"] != "archived", "forget must leave the run as it is"
    second = launch_by_hand(server, marker_for(lock.lineage, GMBH))

    result = run_cli(root, "apply", "--yes", env=server.sb.env())
    assert result.code == 1, result.text
    assert original in result.text and second in result.text
    _says_how_to_settle(result.text, GMBH)
    assert len(server.runs()) == 6

    imported = run_cli(root, "import", GMBH, original, env=server.sb.env())
    assert imported.code == 0, imported.text
    after = read_lock(root)
    assert after is not None and after.entries[GMBH].run_id == original
    plan = run_cli(root, "plan", "--format", "json", "--detailed-exitcode", env=server.sb.env())
    assert plan.code == 0, plan.text
    kinds = {a["key"]: a["row"] for a in json.loads(plan.out)["actions"]}
    assert kinds[GMBH] == "unchanged"
    assert len(server.runs()) == 6
    assert run_cli(root, "apply", "--yes", env=server.sb.env()).code == 0
    assert len(server.runs()) == 6


def test_import_refuses_a_run_of_another_template(applied: tuple[Path, Server]) -> None:
    root, server = applied
    lock = read_lock(root)
    assert lock is not None
    other = lock.entries["onboarding-globex"].run_id
    assert run_cli(root, "forget", GMBH).code == 0
    # recorded under another key, it is refused for that first; freed, for its template
    assert run_cli(root, "import", GMBH, other, env=server.sb.env()).code == 2
    assert run_cli(root, "forget", "onboarding-globex").code == 0
    result = run_cli(root, "import", GMBH, other, env=server.sb.env())
    assert result.code == 1 and "template" in result.err, result.text
    assert "Traceback" not in result.text
    missing = run_cli(root, "import", GMBH, "0" * 32, env=server.sb.env())
    assert missing.code == 1 and "does not exist" in missing.err, missing.text


def test_forget_of_an_unknown_key_is_a_usage_error(applied: tuple[Path, Server]) -> None:
    root, _ = applied
    result = run_cli(root, "forget", "no-such-key")
    assert result.code == 2 and "neither in the lockfile nor pending" in result.err


def _crash_before_lockfile_write(root: Path) -> str:
    """As if apply died after journalling GMBH's run id, before the lockfile held it."""
    doc = json.loads((root / "launchspec.lock.json").read_text())
    entry = doc["launches"].pop(GMBH)
    (root / "launchspec.lock.json").write_text(json.dumps(doc))
    run_id = str(entry.pop("run_id"))
    journal = Journal(root / ".launchspec")
    journal.record_launch(journal.intent(GMBH, marker_for(doc["lineage"], GMBH), entry), run_id)
    return run_id


def test_import_sees_a_run_only_the_journal_holds(applied: tuple[Path, Server]) -> None:
    """import checked the lockfile alone, then closed the journal's `launched` record: a run id
    known only to the journal was dropped for the imported one (found by reading keys.py)."""
    root, server = applied
    launched = _crash_before_lockfile_write(root)
    other = launch_by_hand(server, "")
    result = run_cli(root, "import", GMBH, other, env=server.sb.env())
    assert result.code == 2 and launched in result.err, result.text
    kept = [run for i, run in Journal(root / ".launchspec").launched() if i.key == GMBH]
    assert kept == [launched], "the launched id is kept for the next command to record"


def test_forget_of_a_run_only_the_journal_holds(applied: tuple[Path, Server]) -> None:
    """forget closed the journal's `launched` record, then said the key was unknown."""
    root, _ = applied
    launched = _crash_before_lockfile_write(root)
    result = run_cli(root, "forget", GMBH)
    assert result.code == 0 and launched in result.out, result.text
    lock = read_lock(root)
    assert lock is not None and GMBH not in lock.entries and len(lock.entries) == 4
    assert not [i for i, _ in Journal(root / ".launchspec").launched() if i.key == GMBH]
