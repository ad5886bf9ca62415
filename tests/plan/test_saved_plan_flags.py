"""A saved plan keeps every flag that shaped it: `apply plan.json` plans the same (issue 21, 3)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.support.cli import REPO, lockfile, make_project, run_cli
from tests.support.sandbox import SandboxProcess, list_runs

MARCH = "2027-03-02T09:00:00Z"


def test_a_plan_saved_with_prune_applies(tmp_path: Path, sandbox: SandboxProcess) -> None:
    root, env = make_project(tmp_path), sandbox.env()
    assert run_cli(root, "apply", "--yes", env=env).code == 0
    (root / "specs" / "onboarding-globex.yaml").unlink()
    saved = run_cli(root, "plan", "--prune", "--out", "plan.json", env=env)
    assert saved.code == 0, saved.text
    assert json.loads((root / "plan.json").read_text())["flags"]["prune"] is True

    applied = run_cli(root, "apply", "plan.json", "--yes", env=env)
    assert applied.code == 0, applied.text
    assert "onboarding-globex" not in lockfile(root)["launches"]
    assert len(list_runs(sandbox, status="archived")) == 1


def test_a_plan_saved_with_backfill_applies(tmp_path: Path, sandbox: SandboxProcess) -> None:
    specs = tmp_path / "src"
    specs.mkdir()
    shutil.copy(REPO / "specs" / "month-end-close-monthly.yaml", specs)
    root = make_project(tmp_path, specs)
    env = {**sandbox.env(), "LAUNCHSPEC_NOW": MARCH}
    assert run_cli(root, "plan", "--backfill", "2", "--out", "plan.json", env=env).code == 0
    applied = run_cli(root, "apply", "plan.json", "--yes", env=env)
    assert applied.code == 0, applied.text
    assert len(lockfile(root)["launches"]) == 3


def test_a_flag_apply_is_given_that_the_plan_was_not_made_with_is_named(
    tmp_path: Path, sandbox: SandboxProcess
) -> None:
    root, env = make_project(tmp_path), sandbox.env()
    assert run_cli(root, "apply", "--yes", env=env).code == 0
    (root / "specs" / "onboarding-globex.yaml").unlink()
    assert run_cli(root, "plan", "--out", "plan.json", env=env).code == 0
    refused = run_cli(root, "apply", "plan.json", "--prune", "--yes", env=env)
    assert refused.code != 0
    assert "the saved plan was made without --prune" in refused.err, refused.text
    assert list_runs(sandbox, status="archived") == []


def test_a_plan_saved_offline_is_refused_by_name(tmp_path: Path, sandbox: SandboxProcess) -> None:
    root, env = make_project(tmp_path), sandbox.env()
    assert run_cli(root, "plan", "--offline", "--out", "plan.json", env=env).code == 0
    refused = run_cli(root, "apply", "plan.json", "--yes", env=env)
    assert refused.code != 0
    assert "made offline" in refused.err and "a template, the organisation" not in refused.err, \
        refused.text
    assert list_runs(sandbox) == []
