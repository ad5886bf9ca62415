"""A recurring launch not yet due is shown (due date, rendered values), counted, never launched."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import lockfile, make_project, run_cli
from tests.support.sandbox import SandboxProcess, list_runs

PAYROLL = """\
id: payroll-close
template: Month-end Close
every: monthly
on: last day
timezone: UTC
name: "Payroll close {{ launch.period }}"
owner: mei@example.com
prerun:
  Period: "{{ launch.period }}"
  Entity: Acme Inc.
  Reporting currency: USD
"""
KEY = "payroll-close@2026-12"
EARLY = "2026-12-04T09:00:00Z"  # December's last day is the 31st: not due yet


def _project(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    (src / "payroll.yaml").write_text(PAYROLL)
    return make_project(tmp_path, src)


def test_a_launch_not_yet_due_is_shown_in_every_format(
    tmp_path: Path, sandbox: SandboxProcess
) -> None:
    root = _project(tmp_path)
    env = {**sandbox.env(), "LAUNCHSPEC_NOW": EARLY}
    text = run_cli(root, "plan", env=env)
    assert text.code == 0, text.text
    assert f"{KEY} due 2026-12-31" in text.out
    assert "'Payroll close 2026-12'" in text.out
    assert "Period: 2026-12" in text.out  # its rendered values, as a launch shows them
    assert "1 not yet due" in text.out.splitlines()[0]
    assert "1 launch not yet due" in text.out.splitlines()[-1]
    assert "No changes: every spec is launched" not in text.out

    doc = json.loads(run_cli(root, "plan", "--format", "json", env=env).out)
    (action,) = doc["actions"]
    assert action["action"] == "wait" and action["due"] == "2026-12-31"
    assert action["details"]["prerun"]["Period"] == "2026-12"
    assert doc["summary"]["rows"]["scheduled"] == 1 and doc["has_changes"] is False

    md = run_cli(root, "plan", "--format", "markdown", env=env).out
    assert "1 not yet due" in md and "due 2026-12-31" in md
    assert "| Period | 2026-12 |" in md

    applied = run_cli(root, "apply", "--yes", env=env)
    assert applied.code == 0 and "nothing to do" in applied.out, applied.text
    assert list_runs(sandbox) == []
    lock = root / "launchspec.lock.json"
    assert not lock.exists() or KEY not in lockfile(root)["launches"]


def test_offline_the_rendered_values_are_shown(tmp_path: Path) -> None:
    root = _project(tmp_path)
    result = run_cli(root, "plan", "--format", "json", env={"LAUNCHSPEC_NOW": EARLY})
    assert result.code == 0, result.text
    (action,) = json.loads(result.out)["actions"]
    assert action["action"] == "wait" and action["due"] == "2026-12-31"
    assert action["details"]["prerun"] == {
        "Period": "2026-12", "Entity": "Acme Inc.", "Reporting currency": "USD"}


def test_backfilled_periods_and_the_current_one_not_yet_due(
    tmp_path: Path, sandbox: SandboxProcess
) -> None:
    root = _project(tmp_path)
    env = {**sandbox.env(), "LAUNCHSPEC_NOW": EARLY}
    doc = json.loads(run_cli(root, "plan", "--format", "json", "--backfill", "1", env=env).out)
    kinds = {a["key"]: a["row"] for a in doc["actions"]}
    assert kinds == {"payroll-close@2026-11": "launch", KEY: "scheduled"}


def test_once_due_it_is_launched(tmp_path: Path, sandbox: SandboxProcess) -> None:
    root = _project(tmp_path)
    env = {**sandbox.env(), "LAUNCHSPEC_NOW": "2026-12-31T09:00:00Z"}
    applied = run_cli(root, "apply", "--yes", env=env)
    assert applied.code == 0 and "1 launched" in applied.out, applied.text
    assert set(lockfile(root)["launches"]) == {KEY}
