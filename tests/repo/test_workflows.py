"""The GitHub workflows and the composite action: actionlint, structure, and their shell steps
run here in order against the sandbox with the variables Actions would set."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.support.cli import REPEATING, REPO
from tests.support.sandbox import SandboxProcess
from tests.support.workflows import (
    ACTION,
    PINNED,
    WORKFLOWS,
    all_files,
    cli_commands,
    load,
    repo_actionlint,
    run_steps,
    steps,
)


@pytest.mark.parametrize("name", ["ci.yml", "plan.yml", "apply.yml"])
def test_actionlint_workflow(name: str) -> None:
    assert repo_actionlint()[name] == ""


def test_actionlint_composite_action() -> None:
    """actionlint reads workflows only: the action's steps are linted inside a reusable
    workflow whose inputs are the action's."""
    assert repo_actionlint()["action-as-workflow.yml"] == ""


def test_actionlint_reports_a_broken_workflow_linted_with_the_others() -> None:
    """The one run of actionlint over every file reads them all and says which is wrong."""
    assert "rnu" in repo_actionlint()["broken.yml"]


@pytest.mark.parametrize("path", all_files(), ids=lambda p: p.name)
def test_structure(path: Path) -> None:
    doc = load(path)
    for step in steps(doc):
        if "uses" in step:
            assert PINNED.match(step["uses"]), f"{step['uses']} is not pinned to a version"
        script = step.get("run", "")
        assert "${{" not in script, "expressions go through env:, never into a script"
        for command in re.findall(r"\blaunchspec (?:--?[\w-]+ )*([a-z]+)", script):
            assert command in cli_commands(), f"launchspec {command} is no command"
    if "runs" in doc:
        assert doc["runs"]["using"] == "composite"
        assert {"command", "working-directory", "token", "org-id", "api-url", "args"} <= set(
            doc["inputs"])
        assert all(s.get("shell") == "bash" for s in steps(doc) if "run" in s)
    else:
        assert doc["permissions"], "every workflow says what it may do"


def test_permissions_and_concurrency() -> None:
    ci, plan, apply = (load(WORKFLOWS / f) for f in ("ci.yml", "plan.yml", "apply.yml"))
    assert ci["permissions"] == {"contents": "read"}
    assert plan["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert apply["permissions"] == {"contents": "write"}
    assert apply["concurrency"] == {"group": "launchspec-apply", "cancel-in-progress": False}
    commit = next(s for s in steps(apply) if "git-auto-commit" in s.get("uses", ""))
    assert commit["if"] == "always()"
    assert set(ci["jobs"]["test"]["strategy"]["matrix"]["python"]) == {"3.11", "3.12", "3.13"}
    install = next(s for s in steps(plan) if s.get("id") == "install")
    assert ".launchspec-runner" in install["run"]  # the base branch's runner, not the PR's
    base = next(s for s in steps(plan) if s.get("with", {}).get("path") == ".launchspec-runner")
    assert base["with"]["ref"] == "${{ github.event.pull_request.base.sha }}"
    for s in steps(plan) + steps(apply):
        if "TALLYFY_TOKEN" in s.get("env", {}):
            assert "TALLYFY_API_URL" in s["env"], "the specs must not choose where the token goes"


def test_pre_commit_hook() -> None:
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "launchspec-validate" and hook["language"] == "python"
    assert hook["entry"] == "launchspec validate" and re.search(hook["files"], "specs/a.yaml")


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    work = tmp_path / "workspace"
    # The single-launch examples: the for_each and every ones are applied in test_for_each_apply.
    shutil.copytree(REPO / "specs", work / "specs", ignore=shutil.ignore_patterns(*REPEATING))
    return work


def test_plan_workflow_against_the_sandbox(workspace: Path, sandbox: SandboxProcess) -> None:
    ran = run_steps(WORKFLOWS / "plan.yml", workspace, sandbox.env())
    proc, outputs = ran["plan"]
    assert ran["validate"][0].returncode == 0 and proc.returncode == 0, proc.stderr
    comment = (workspace / "plan-comment.md").read_text()
    assert comment.startswith("<!-- launchspec-plan -->") and "**5 to launch" in comment
    assert "Offline plan" not in comment and (workspace / "plan.json").exists()
    assert outputs["has_changes"] == "true"
    assert outputs["launch"] == outputs["actions_create"] == "5"
    assert "### launchspec plan" in ran["summary"].read_text()


def test_plan_workflow_fork_tier(workspace: Path) -> None:
    ran = run_steps(WORKFLOWS / "plan.yml", workspace, {"TALLYFY_TOKEN": "", "TALLYFY_ORG_ID": ""})
    assert ran["plan"][0].returncode == 0, ran["plan"][0].stderr
    assert "Offline plan: no API token." in (workspace / "plan-comment.md").read_text()


def test_apply_workflow_against_the_sandbox(workspace: Path, sandbox: SandboxProcess) -> None:
    ran = run_steps(WORKFLOWS / "apply.yml", workspace, sandbox.env())
    proc, _ = ran["apply"]
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Apply complete: 5 launched" in ran["summary"].read_text()
    assert (workspace / "launchspec.lock.json").exists()


def test_apply_workflow_fails_loudly(workspace: Path, sandbox: SandboxProcess) -> None:
    env = {**sandbox.env(), "TALLYFY_TOKEN": "wrong-token"}
    ran = run_steps(WORKFLOWS / "apply.yml", workspace, env)
    proc, _ = ran["apply"]
    assert proc.returncode == 1
    assert "::error title=launchspec apply did not finish::error:" in proc.stdout
    assert "### launchspec apply" in ran["summary"].read_text()


@pytest.mark.parametrize(("command", "code"), [("validate", 0), ("plan", 0), ("destroy", 2)])
def test_composite_action_step(workspace: Path, command: str, code: int) -> None:
    extra = {"LAUNCHSPEC_COMMAND": command, "LAUNCHSPEC_ARGS": "--format github"
             if command == "validate" else ""}
    ran = run_steps(ACTION, workspace, {"TALLYFY_TOKEN": ""}, **extra)
    assert ran["run"][0].returncode == code, ran["run"][0].stdout + ran["run"][0].stderr


# -- code from a pull request must not run ----------------------------------------------------

PYTHON_CALL = re.compile(r"\bpython3?((?:\s+-[A-Za-z]+)*)\s+-m\s+(\S+)")


def _python_calls() -> list[tuple[str, str, str]]:
    """(file, flags, module) of every `python ... -m MODULE` in the workflows and the action."""
    calls = []
    for path in [*sorted(WORKFLOWS.glob("*.yml")), REPO / "action.yml"]:
        for match in PYTHON_CALL.finditer(path.read_text()):
            calls.append((path.name, match.group(1), match.group(2)))
    return calls


def test_every_python_call_in_the_workflows_is_isolated() -> None:
    calls = _python_calls()
    assert len(calls) >= 4, calls  # plan, apply, recurring and the action install the runner
    assert [c for c in calls if "-I" not in c[1].split()] == []


@pytest.mark.parametrize("flags", sorted({c[1] for c in _python_calls()}))
def test_a_planted_pip_does_not_run(tmp_path: Path, flags: str) -> None:
    """A pull request that adds `pip/__main__.py` at the checkout's root runs nothing."""
    marker = tmp_path / "pwned"
    (tmp_path / "pip").mkdir()
    (tmp_path / "pip" / "__main__.py").write_text(f"open({str(marker)!r}, 'w').write('x')\n")
    (tmp_path / "pip" / "__init__.py").write_text("")
    proc = subprocess.run([sys.executable, *flags.split(), "-m", "pip", "--version"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert not marker.exists(), "the pull request's pip/__main__.py ran"
    assert proc.returncode == 0 and "pip" in proc.stdout


def test_a_planted_pip_would_run_without_isolation(tmp_path: Path) -> None:
    """The attack the test above guards against is real: plain `python -m` imports it."""
    marker = tmp_path / "pwned"
    (tmp_path / "pip").mkdir()
    (tmp_path / "pip" / "__main__.py").write_text(f"open({str(marker)!r}, 'w').write('x')\n")
    (tmp_path / "pip" / "__init__.py").write_text("")
    subprocess.run([sys.executable, "-m", "pip", "--version"], cwd=tmp_path,
                   capture_output=True, timeout=60)
    assert marker.exists()
