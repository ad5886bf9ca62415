"""Spec files come only from inside the project root: no `..` or absolute globs, no links out."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import make_project, run_cli

OUTSIDE_SPEC = "id: stolen\ntemplate: Client Onboarding\nname: read from outside the root\n"


def _outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "stolen.yaml").write_text(OUTSIDE_SPEC)
    return folder


@pytest.mark.parametrize("glob", ["../outside/*.yaml", "specs/../../outside/*.yaml", "ABS"])
def test_a_glob_that_leaves_the_root_is_refused(tmp_path: Path, glob: str) -> None:
    root = make_project(tmp_path)
    outside = _outside(tmp_path)
    pattern = f"{outside}/*.yaml" if glob == "ABS" else glob
    (root / "launchspec.yaml").write_text(f'specs: ["specs/*.yaml", "{pattern}"]\n')
    for command in ("validate", "plan"):
        result = run_cli(root, command)
        assert result.code == 1, result.text
        assert "launchspec.yaml:1:" in result.err
        assert "inside the project root" in result.err
        assert "Traceback" not in result.err and "NotImplementedError" not in result.err
        assert "stolen" not in result.out


def test_a_linked_spec_file_outside_the_root_is_refused(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    outside = _outside(tmp_path)
    (root / "specs" / "evil.yaml").symlink_to(outside / "stolen.yaml")
    result = run_cli(root, "validate")
    assert result.code == 1, result.text
    assert "specs/evil.yaml" in result.err and "outside the project root" in result.err
    assert "Traceback" not in result.err


def test_a_linked_folder_outside_the_root_is_refused(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    outside = _outside(tmp_path)
    (root / "specs" / "linked").symlink_to(outside, target_is_directory=True)
    (root / "launchspec.yaml").write_text('specs: ["specs/*.yaml", "specs/*/*.yaml"]\n')
    result = run_cli(root, "plan")
    assert result.code == 1, result.text
    assert "outside the project root" in result.err


def test_links_inside_the_root_still_work(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    (root / "specs" / "alias.yaml").symlink_to(root / "specs" / "internal-audit.yaml")
    (root / "specs" / "internal-audit.yaml").rename(root / "audit.yaml")
    (root / "specs" / "alias.yaml").unlink()
    (root / "specs" / "alias.yaml").symlink_to(root / "audit.yaml")
    result = run_cli(root, "validate")
    assert result.code == 0, result.text
