"""A launchspec installed without one of its own files says so and how to repair it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

import pytest

import runner
from runner.specs.config import config_schema
from runner.specs.schema import load_schema, spec_checker
from runner.state.stateschema import _validator
from tests.support.cli import run_cli

# What keeps an installed file once read: emptied so that this test's installation is read.
CACHES = (load_schema, spec_checker, config_schema, _validator)


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the installed package data that runner.packagedata reads instead."""
    copy = tmp_path / "installed" / "runner"
    for folder in ("schemas", "starter"):
        shutil.copytree(Path(str(files("runner").joinpath(folder))), copy / folder)
    monkeypatch.setattr("runner.packagedata.files", lambda _: copy)
    for cache in CACHES:
        cache.cache_clear()
    yield copy
    for cache in CACHES:
        cache.cache_clear()


@pytest.mark.parametrize(("missing", "command"), [
    ("starter/example.yaml", ["init"]),
    ("schemas/launchspec.schema.json", ["validate"]),
    ("schemas/lockfile.schema.json", ["plan", "--offline"]),
])
def test_a_missing_installed_file_is_named_with_the_repair(
    installed: Path, tmp_path: Path, missing: str, command: list[str]
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    assert run_cli(project, "init").code == 0
    (project / "launchspec.lock.json").write_text(
        '{"format_version": 1, "lineage": "l", "launches": {}}\n')
    if command == ["validate"]:  # compiled code checks a valid spec; the schema explains a bad one
        (project / "specs" / "bad.yaml").write_text("id: bad\ntemplate: T\nnmae: x\n")
    (installed / missing).unlink()
    ran = run_cli(project, *command, env={"CI": "true"})  # CI: no compiled-schema cache
    assert ran.code == 1, ran.text
    assert f"installed without runner/{missing}" in ran.err and "Traceback" not in ran.text
    assert f'pip install --force-reinstall "launchspec=={runner.__version__}"' in ran.err
