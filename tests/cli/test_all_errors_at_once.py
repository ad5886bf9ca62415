"""Every problem in one run: `validate` reports all it can know offline, `plan` the rest."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import run_cli
from tests.support.sandbox import SandboxProcess

SPECS = {
    # a schema error and a missing for_each file in the same spec
    "a.yaml": "id: a\ntemplate: Client Onboarding\nfor_each: missing.csv\nstarred: maybe\n",
    # an unknown parent next to them
    "b.yaml": "id: b\ntemplate: Client Onboarding\nparent: nope\n",
    # valid, but fails when rendered (each row lacks the column)
    "c.yaml": "id: c\ntemplate: Client Onboarding\nfor_each: [x]\n"
    "name: '{{ each.value.nmae }}'\n"
    "prerun: {Client name: C, Start date: 2026-12-01, Plan tier: Growth}\n",
    # valid and renders, but fails when resolved against the templates and people
    "d.yaml": "id: d\ntemplate: Client Onboarding\n"
    "prerun: {Client name: D, Start date: 2026-12-01, Plan tier: Gold, Regoin: EMEA}\n"
    "tasks: {Kick-off call: {owners: {groups: [Sals]}}}\n",
}
VALIDATE = ("missing.csv", "'starred'", "parent 'nope'")
RENDER = ("nmae",)
RESOLVE = ("'Gold'", "'Regoin'", "'Sals'")


def _project(tmp_path: Path) -> Path:
    (tmp_path / "specs").mkdir()
    for name, text in SPECS.items():
        (tmp_path / "specs" / name).write_text(text)
    return tmp_path


def _errors(text: str) -> list[str]:
    return [line for line in text.splitlines() if ": error: " in line]


def test_validate_reports_a_missing_for_each_file_with_the_schema_errors(tmp_path: Path) -> None:
    result = run_cli(_project(tmp_path), "validate")
    assert result.code == 1
    errors = _errors(result.out)
    for needle in VALIDATE:
        assert sum(needle in line for line in errors) == 1, (needle, result.out)


def test_plan_reports_every_stage_in_one_run(tmp_path: Path, sandbox: SandboxProcess) -> None:
    result = run_cli(_project(tmp_path), "plan", env=sandbox.env())
    assert result.code == 1
    errors = _errors(result.err)
    for needle in VALIDATE + RENDER + RESOLVE:
        assert sum(needle in line for line in errors) == 1, (needle, result.err)
    assert len(errors) == 7, result.err
