"""A spec edited in fixed and updatable fields at once: updates applied, the rest reported."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import make_project, run_cli
from tests.support.sandbox import SandboxProcess, list_runs

KEY = "onboarding-globex"


def test_rename_is_applied_even_when_kick_off_values_changed_too(
    tmp_path: Path, sandbox: SandboxProcess
) -> None:
    project, env = make_project(tmp_path), sandbox.env()
    assert run_cli(project, "apply", "--yes", env=env).code == 0
    lock = project / "launchspec.lock.json"
    before = json.loads(lock.read_text())["launches"][KEY]
    spec = project / "specs" / f"{KEY}.yaml"
    spec.write_text(
        spec.read_text()
        .replace('name: "Onboarding - {{ vars.client }}', 'name: "Welcome - {{ vars.client }}')
        .replace("Region: EMEA", "Region: APAC")
    )

    plan = run_cli(project, "plan", "--format", "json", env=env)
    action = next(a for a in json.loads(plan.out)["actions"] if a["key"] == KEY)
    assert (action["action"], action["reason"], action["row"]) == ("update", "edited", "edited")
    name_change = next(c for c in action["changes"] if c["field"] == "name")
    assert name_change["old"].startswith("Onboarding - Globex Corp")
    assert name_change["new"].startswith("Welcome - Globex Corp")
    text = run_cli(project, "plan", env=env).out
    assert "name: Onboarding - Globex Corp" in text and "-> Welcome - Globex Corp" in text
    assert "kick-off values changed after launch" in text and "Region: EMEA -> APAC" in text

    applied = run_cli(project, "apply", "--yes", env=env)
    assert applied.code == 0, applied.text
    run = next(r for r in list_runs(sandbox) if r["id"] == before["run_id"])
    assert run["name"].startswith("Welcome - Globex Corp")
    after = json.loads(lock.read_text())["launches"][KEY]
    assert after["digest"] == before["digest"]  # the fixed part is still the launched one

    again = json.loads(run_cli(project, "plan", "--format", "json", env=env).out)
    action = next(a for a in again["actions"] if a["key"] == KEY)
    assert (action["action"], action["reason"]) == ("no-op", "edited") and action["changes"] == []


def test_markdown_shows_the_edited_runs_field_changes(
    tmp_path: Path, sandbox: SandboxProcess
) -> None:
    project, env = make_project(tmp_path), sandbox.env()
    assert run_cli(project, "apply", "--yes", env=env).code == 0
    spec = project / "specs" / f"{KEY}.yaml"
    spec.write_text(
        spec.read_text()
        .replace('summary: "Kick-off for', 'summary: "Start for')
        .replace("Region: EMEA", "Region: APAC")
    )
    md = run_cli(project, "plan", "--format", "markdown", env=env).out
    assert "| summary | Kick-off for Globex Corp" in md and "| Start for Globex Corp" in md
    assert "Apply updates the fields below in place" in md
