"""`apply FILE` takes a saved plan; a spec file or other text says so plainly."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import make_project, run_cli
from tests.support.sandbox import SandboxProcess, list_runs


def test_a_spec_file_given_to_apply_is_explained(tmp_path: Path, sandbox: SandboxProcess) -> None:
    root = make_project(tmp_path)
    result = run_cli(root, "apply", "--yes", "specs/onboarding-globex.yaml", env=sandbox.env())
    assert result.code == 2, result.text
    assert "is a spec file; `apply` takes a saved plan file (from `plan --out`)" in result.err
    assert "Expecting value" not in result.err
    assert list_runs(sandbox) == []


def test_a_file_that_is_not_json_is_explained(tmp_path: Path, sandbox: SandboxProcess) -> None:
    root = make_project(tmp_path)
    (root / "notes.txt").write_text("hello\n")
    result = run_cli(root, "apply", "--yes", "notes.txt", env=sandbox.env())
    assert result.code == 2, result.text
    assert "is not a saved plan" in result.err and "Expecting value" not in result.err


def test_a_wrong_organisation_shows_the_base_url_and_org_used(
    tmp_path: Path, sandbox: SandboxProcess
) -> None:
    root = make_project(tmp_path)
    env = {**sandbox.env(), "TALLYFY_ORG_ID": "f" * 32}
    result = run_cli(root, "plan", env=env)
    assert result.code == 1, result.text
    assert f"the base URL was {sandbox.url}" in result.err and "f" * 32 in result.err
