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
