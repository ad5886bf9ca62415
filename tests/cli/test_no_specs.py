"""A directory with no spec files is an error naming the globs and the root, never green."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.sandbox import SandboxProcess


@pytest.mark.parametrize("command", [["validate"], ["plan"], ["apply", "--yes"]])
def test_no_spec_files_is_an_error(
    tmp_path: Path, sandbox: SandboxProcess, command: list[str]
) -> None:
    result = run_cli(tmp_path, *command, env=sandbox.env())
    assert result.code == 1, result.text
    assert "no spec files match specs/**/*.yaml" in result.err and str(tmp_path) in result.err
    assert "-C DIR" in result.err
    assert not (tmp_path / "launchspec.lock.json").exists()
    assert not (tmp_path / ".launchspec").exists()
