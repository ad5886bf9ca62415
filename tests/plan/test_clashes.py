"""Launches with one template and one name (two specs, or a spec and a run made by hand): warned."""

from __future__ import annotations

from pathlib import Path

from runner.plan.clashes import name_clashes
from runner.plan.plan import Desired
from tests.support.cli import make_project, run_cli
from tests.support.plans import rendered
from tests.support.sandbox import SandboxProcess


def test_two_specs_with_the_same_template_and_name_are_warned_of() -> None:
    a = Desired(rendered("a", name="Close - Acme"))
    b = Desired(rendered("b", name="Close - Acme"))
    c = Desired(rendered("c", name="Close - Acme", template="Other template"))
    notes = name_clashes([a, b, c])
    assert notes == [
        "a and b launch 'Client Onboarding' with the same name 'Close - Acme': "
        "people will not tell their runs apart"
    ]
    assert name_clashes([a, c]) == []


def test_a_name_already_used_by_a_run_made_by_hand_is_warned_of(
    tmp_path: Path, sandbox: SandboxProcess
) -> None:
    project, env = make_project(tmp_path), sandbox.env()
    other = make_project(tmp_path / "by-hand")  # launches the same runs outside this lockfile
    assert run_cli(other, "apply", "--yes", "--target", "onboarding-globex", env=env).code == 0
    plan = run_cli(project, "plan", "--target", "onboarding-globex", env=env)
    assert plan.code == 0, plan.text
    assert "onboarding-globex would launch the name 'Onboarding - Globex Corp" in plan.out
    assert "already used by run " in plan.out
