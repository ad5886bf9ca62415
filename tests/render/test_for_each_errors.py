"""A value error in one `for_each` element names the element and where its data is."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import make_project, run_cli


def test_a_bad_csv_value_names_the_row_and_the_key(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    (root / "specs" / "clients.csv").write_text(
        "id,name,start\nacme,Acme,2030-12-01\ninitech,Initech,2030-12-02\nstark,Stark,soon\n"
    )
    (root / "specs" / "each.yaml").write_text(
        "id: welcome\ntemplate: Client Onboarding\nfor_each: clients.csv\n"
        "name: 'Welcome {{ each.value.name }}'\n"
        "prerun: {Client name: '{{ each.value.name }}', Start date: 2026-12-01, "
        "Plan tier: Growth}\n"
        "tasks:\n  Kick-off call:\n    deadline: '{{ each.value.start }}'\n"
    )
    result = run_cli(root, "plan")
    assert result.code == 1, result.text
    assert "specs/clients.csv line 4, key stark" in result.err, result.err
    assert "acme" not in result.err and "initech" not in result.err


def test_a_typo_in_the_spec_is_reported_once_for_every_element(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    (root / "specs" / "clients.csv").write_text("id,name\nacme,Acme\ninitech,Initech\nstark,S\n")
    (root / "specs" / "each.yaml").write_text(
        "id: welcome\ntemplate: Client Onboarding\nfor_each: clients.csv\n"
        "name: 'Welcome {{ each.value.name }}'\n"
        "prerun: {Client name: '{{ each.value.nmae }}', Start date: 2026-12-01, "
        "Plan tier: Growth}\n"
    )
    result = run_cli(root, "plan")
    assert result.code == 1, result.text
    lines = [line for line in result.err.splitlines() if "nmae" in line]
    assert len(lines) == 1, result.err
    assert "(for_each keys acme, initech, stark)" in lines[0]


def test_a_resolve_problem_shared_by_elements_is_reported_once(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    (root / "specs" / "clients.csv").write_text("id,name\nacme,Acme\ninitech,Initech\n")
    (root / "specs" / "each.yaml").write_text(
        "id: welcome\ntemplate: Client Onboarding\nfor_each: clients.csv\n"
        "name: 'Welcome {{ each.value.name }}'\n"
        "prerun: {Client name: '{{ each.value.name }}', Start date: 2026-12-01, "
        "Plan tier: Growth}\n"
        "tasks: {Kick-off call: {owners: {groups: [Sals]}}}\n"
    )
    result = run_cli(root, "plan", "--sandbox")
    assert result.code == 1, result.text
    lines = [line for line in result.err.splitlines() if "Sals" in line]
    assert len(lines) == 1, result.err
    assert "(for welcome[acme], welcome[initech])" in lines[0]
