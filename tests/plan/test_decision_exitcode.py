"""`plan --detailed-exitcode`: 3 when an entry needs a person's decision, not 0 (issue 21, 4)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import make_project, run_cli
from tests.support.sandbox import SandboxProcess


def test_an_orphan_needs_a_decision_and_ci_sees_it(tmp_path: Path, sandbox: SandboxProcess) -> None:
    root, env = make_project(tmp_path), sandbox.env()
    assert run_cli(root, "apply", "--yes", env=env).code == 0
    assert run_cli(root, "plan", "--detailed-exitcode", env=env).code == 0

    (root / "specs" / "onboarding-globex.yaml").unlink()
    orphaned = run_cli(root, "plan", "--detailed-exitcode", env=env)
    assert orphaned.code == 3, orphaned.text
    assert "- onboarding-globex  orphaned" in orphaned.out
    doc = json.loads(run_cli(root, "plan", "--format", "json", env=env).out)
    assert doc["has_changes"] is False and doc["needs_decision"] is True

    # A decision and a change: still 3 (the person decides first); a change alone: 2.
    assert run_cli(root, "plan", "--prune", "--detailed-exitcode", env=env).code == 2
    spec = root / "specs" / "month-end-close.yaml"
    spec.write_text(spec.read_text().replace("owner: mei@", "owner: ops@", 1))  # an update
    assert run_cli(root, "plan", "--detailed-exitcode", env=env).code == 3


def test_plan_help_documents_every_exit_status() -> None:
    from click.testing import CliRunner

    from runner.cli.main import cli

    out = " ".join(CliRunner().invoke(cli, ["plan", "--help"]).output.split())
    for said in ("0 nothing to do", "1 error", "2 apply would change something",
                 "3 an entry needs a decision"):
        assert said in out, said
    readme = " ".join((Path(__file__).parents[2] / "README.md").read_text().split())
    assert "3 an entry needs a decision" in readme
