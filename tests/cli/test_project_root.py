"""From any folder inside a project, launchspec finds launchspec.yaml upward, as git does."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import make_project, run_cli


def test_validate_and_plan_from_a_folder_inside_the_project(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    inside = root / "specs"
    checked = run_cli(inside, "validate")
    assert checked.code == 0, checked.text
    assert "3 files valid" in checked.out, checked.out
    one = run_cli(inside, "validate", "onboarding-globex.yaml")  # as typed in specs/
    assert one.code == 0 and "1 file valid" in one.out, one.text
    planned = run_cli(inside, "plan", "--offline", "--target", "onboarding-globex.yaml")
    assert planned.code == 0, planned.text
    assert "onboarding-globex" in planned.out and "month-end" not in planned.out
    saved = run_cli(inside, "plan", "--offline", "--out", "saved.json")
    assert saved.code == 0 and (inside / "saved.json").is_file(), saved.text


def test_the_search_stops_at_the_top_of_a_git_repository(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    (root / "launchspec.yaml").write_text("timezone: Nowhere/Such\n")  # must not be read
    repo = root / "other"
    (repo / ".git").mkdir(parents=True)
    (repo / "specs").mkdir()
    (repo / "specs" / "a.yaml").write_text("id: a\ntemplate: T\n")
    checked = run_cli(repo / "specs", "validate")
    assert checked.code == 0, checked.text


def test_init_starts_a_project_where_it_is_asked(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    made = run_cli(root / "specs", "init", "team")
    assert made.code == 0, made.text
    assert (root / "specs" / "team" / "launchspec.yaml").is_file()
