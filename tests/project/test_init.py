"""`launchspec init`: a project that validates, a schema editors find, workflows that lint."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

import yaml

from tests.support.cli import run_cli
from tests.support.workflows import PINNED, actionlint, cli_commands, steps

WRITTEN = (
    "launchspec.yaml",
    ".gitignore",
    "schema/launchspec.schema.json",
    "specs/example.yaml",
    ".github/workflows/launchspec-plan.yml",
    ".github/workflows/launchspec-apply.yml",
)
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$", re.M)


def test_init_writes_a_project_that_validates(tmp_path: Path) -> None:
    made = run_cli(tmp_path, "init", "ops")
    assert made.code == 0, made.text
    root = tmp_path / "ops"
    for name in WRITTEN:
        assert (root / name).is_file(), name
        assert f"wrote ops/{name}" in made.out, made.out
    assert ".launchspec/" in (root / ".gitignore").read_text().splitlines()
    packaged = files("runner").joinpath("schemas", "launchspec.schema.json").read_text()
    assert (root / "schema" / "launchspec.schema.json").read_text() == packaged
    example = root / "specs" / "example.yaml"
    found = MODELINE.search(example.read_text())
    assert found and (example.parent / found.group(1)).resolve().is_file(), found
    checked = run_cli(root, "validate")
    assert checked.code == 0, checked.text
    assert "1 file" in checked.text


def test_init_workflows_plan_on_pull_requests_and_apply_on_merge(tmp_path: Path) -> None:
    assert run_cli(tmp_path, "init").code == 0
    folder = tmp_path / ".github" / "workflows"
    plan = yaml.safe_load((folder / "launchspec-plan.yml").read_text())
    apply = yaml.safe_load((folder / "launchspec-apply.yml").read_text())
    assert "pull_request" in plan[True] and "push" in apply[True]  # PyYAML reads `on` as True
    for doc in (plan, apply):
        for step in steps(doc):
            if "uses" in step:
                assert PINNED.match(step["uses"]), step["uses"]
            script = step.get("run", "")
            assert "${{" not in script, "expressions go through env:, never into a script"
            for command in re.findall(r"\blaunchspec (?:--?[\w-]+ )*([a-z]+)", script):
                assert command in cli_commands(), command
    linted = actionlint(folder / "launchspec-plan.yml", folder / "launchspec-apply.yml")
    assert linted == {path: "" for path in linted}, linted


def test_init_refuses_to_overwrite_unless_forced(tmp_path: Path) -> None:
    (tmp_path / "launchspec.yaml").write_text("timezone: Europe/Paris\n")
    (tmp_path / ".gitignore").write_text("*.log\n")
    refused = run_cli(tmp_path, "init")
    assert refused.code == 2, refused.text
    assert "launchspec.yaml" in refused.err and "--force" in refused.err
    assert not (tmp_path / "specs").exists(), "nothing is written when one file is refused"
    assert (tmp_path / "launchspec.yaml").read_text() == "timezone: Europe/Paris\n"
    forced = run_cli(tmp_path, "init", "--force")
    assert forced.code == 0, forced.text
    assert "timezone: Europe/Paris" not in (tmp_path / "launchspec.yaml").read_text()
    # .gitignore is the user's: the line is added, nothing else changes
    assert (tmp_path / ".gitignore").read_text() == "*.log\n.launchspec/\n"
    again = run_cli(tmp_path, "init")
    assert again.code == 0, again.text  # the same files again: nothing to refuse
    assert "unchanged launchspec.yaml" in again.out and "wrote" not in again.out
    assert (tmp_path / ".gitignore").read_text() == "*.log\n.launchspec/\n"


def test_init_again_does_not_bring_the_example_back(tmp_path: Path) -> None:
    assert run_cli(tmp_path, "init").code == 0
    example = tmp_path / "specs" / "example.yaml"
    example.unlink()
    (tmp_path / "specs" / "mine.yaml").write_text("id: mine\ntemplate: T\n")
    again = run_cli(tmp_path, "init")
    assert again.code == 2, again.text
    assert "specs/example.yaml" in again.err and "--force" in again.err
    assert not example.exists()
    assert run_cli(tmp_path, "init", "--force").code == 0 and example.exists()


def test_the_first_thing_a_user_runs_works(tmp_path: Path) -> None:
    made = run_cli(tmp_path, "init", "x")
    assert made.code == 0, made.text
    assert "`launchspec -C x plan --sandbox`" in made.out
    planned = run_cli(tmp_path / "x", "plan", "--sandbox")
    assert planned.code == 0, planned.text
    assert "1 to launch" in planned.out


def test_files_are_made_under_the_users_umask(tmp_path: Path) -> None:
    import os
    import stat

    from runner.project.starter import init_project

    old = os.umask(0o022)
    try:
        init_project(tmp_path)
    finally:
        os.umask(old)
    for name in ("launchspec.yaml", ".gitignore", "specs/example.yaml"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o644, name
