"""After `forget` (or a lost lockfile), a run the server already holds is shown as adopted."""

from __future__ import annotations

import json
from pathlib import Path

from tests.chaos.harness import read_lock
from tests.support.cli import make_project, run_cli
from tests.support.sandbox import SandboxProcess, list_runs

KEY = "onboarding-globex"


def test_plan_shows_adopt_and_apply_adopts_that_run(
    tmp_path: Path, sandbox: SandboxProcess
) -> None:
    root = make_project(tmp_path)
    assert run_cli(root, "apply", "--yes", env=sandbox.env()).code == 0
    lock = read_lock(root)
    assert lock is not None
    run_id = lock.entries[KEY].run_id
    assert run_cli(root, "forget", KEY).code == 0
    planned = run_cli(root, "plan", env=sandbox.env())
    assert f"{KEY}  to adopt" in planned.out and run_id in planned.out, planned.text
    assert f"+ {KEY}" not in planned.out
    doc = json.loads(run_cli(root, "plan", "--format", "json", env=sandbox.env()).out)
    (adopt,) = [a for a in doc["actions"] if a["key"] == KEY]
    assert (adopt["action"], adopt["reason"]) == ("adopt", "marker-found")
    assert adopt["run_id"] == run_id
    before = len(list_runs(sandbox))
    applied = run_cli(root, "apply", "--yes", env=sandbox.env())
    assert applied.code == 0 and f"adopted {KEY}" in applied.out, applied.text
    assert len(list_runs(sandbox)) == before
    again = read_lock(root)
    assert again is not None and again.entries[KEY].run_id == run_id
