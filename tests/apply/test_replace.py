"""`--replace KEY` always relaunches, with a fresh launch time, and counts each key once."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import make_project, run_cli
from tests.support.sandbox import SandboxProcess

KEY = "onboarding-globex"


def test_replace_relaunches_an_unchanged_key_at_a_fresh_launch_time(
    tmp_path: Path, sandbox: SandboxProcess
) -> None:
    project = make_project(tmp_path)
    first = {**sandbox.env(), "LAUNCHSPEC_NOW": "2026-11-27T09:00:00Z"}
    assert run_cli(project, "apply", "--yes", env=first).code == 0
    lock = project / "launchspec.lock.json"
    before = json.loads(lock.read_text())["launches"][KEY]
    later = {**sandbox.env(), "LAUNCHSPEC_NOW": "2026-12-04T09:00:00Z"}

    plan = run_cli(project, "plan", "--replace", KEY, "--format", "json", env=later)
    action = next(a for a in json.loads(plan.out)["actions"] if a["key"] == KEY)
    assert (action["action"], action["reason"]) == ("replace", "replace-requested")
    assert "(2026-12-04)" in action["name"]

    applied = run_cli(project, "apply", "--yes", "--replace", KEY, env=later)
    assert applied.code == 0, applied.text
    assert "[1/1] launched" in applied.out and "[2/1]" not in applied.out
    after = json.loads(lock.read_text())["launches"][KEY]
    assert after["run_id"] != before["run_id"]
    assert after["launched_at"] == "2026-12-04T09:00:00Z"
    assert after["name"] == "Onboarding - Globex Corp (2026-12-04)"
    final = run_cli(project, "plan", "--detailed-exitcode", env=later)
    assert final.code == 0, final.text
