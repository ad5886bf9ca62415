"""A deadline in the past is a warning at its line, and an error with --strict."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import make_project, run_cli

PAST = {
    "literal": "2020-01-01",
    "add_days": "{{ launch.at | add_days(-5) }}",
}


@pytest.mark.parametrize("deadline", PAST.values(), ids=PAST.keys())
def test_a_past_deadline_warns_and_strict_refuses(tmp_path: Path, deadline: str) -> None:
    root = make_project(tmp_path)
    (root / "specs" / "late.yaml").write_text(
        "id: late\ntemplate: Client Onboarding\nname: Late onboarding\n"
        "prerun: {Client name: Late, Start date: 2026-12-01, Plan tier: Growth}\n"
        f"tasks:\n  Kick-off call:\n    deadline: '{deadline}'\n"
    )
    warned = run_cli(root, "plan")
    assert warned.code == 0, warned.text
    assert "late.yaml:7:15: warning: deadline" in warned.err and "before the launch" in warned.err
    strict = run_cli(root, "plan", "--strict")
    assert strict.code == 1, strict.text
    assert "late.yaml:7:15: error: deadline" in strict.err
