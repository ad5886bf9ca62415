"""The workflows `init` writes install exactly the launchspec that wrote them, from PyPI."""

from __future__ import annotations

import os
import subprocess
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml

import runner
from runner.project.starter import starter_files
from tests.support.workflows import steps

WORKFLOWS = (".github/workflows/launchspec-plan.yml", ".github/workflows/launchspec-apply.yml")


def test_one_version_source() -> None:
    """pyproject.toml reads the version from runner/__init__.py: the installed metadata and
    `runner.__version__` cannot disagree (a stale install is re-made by scripts/bootstrap)."""
    assert version("launchspec") == runner.__version__


@pytest.mark.parametrize("name", WORKFLOWS)
def test_workflow_pins_the_version_that_wrote_it(name: str) -> None:
    text = starter_files()[name]
    assert "@VERSION@" not in text
    assert f"(launchspec {runner.__version__})" in text.splitlines()[2]
    assert "index" not in text.lower(), "nothing for a user to point elsewhere"
    doc = yaml.safe_load(text)
    assert doc["env"]["LAUNCHSPEC_VERSION"] == version("launchspec")


@pytest.mark.parametrize("name", WORKFLOWS)
def test_install_step_asks_pip_for_exactly_that_version(name: str, tmp_path: Path) -> None:
    """The install step, run as Actions would with a `python` that records its arguments."""
    doc = yaml.safe_load(starter_files()[name])
    (install,) = [s for s in steps(doc) if s.get("id") == "install"]
    fake = tmp_path / "python"
    fake.write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$ARGS_FILE"\n')
    fake.chmod(0o755)
    args = tmp_path / "args"
    env = {**os.environ, **doc["env"], "PATH": f"{tmp_path}:{os.environ['PATH']}",
           "ARGS_FILE": str(args)}
    subprocess.run(["bash", "-e", "-c", install["run"]], env=env, check=True, timeout=30)
    called = args.read_text().splitlines()
    assert called[:3] == ["-I", "-m", "pip"] and "install" in called
    assert called[-1] == f"launchspec=={runner.__version__}"
