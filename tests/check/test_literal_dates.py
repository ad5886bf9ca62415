"""Impossible literal dates (2026-02-30) are refused by `validate`, at their line."""

from __future__ import annotations

from pathlib import Path

from runner.check.check import check_files, find_spec_files
from runner.specs.config import load_config

SPEC = """\
id: a
template: T
prerun:
  Start date: {start}
  Note: see 2026-02-30 in the minutes
tasks:
  Kick-off call:
    deadline: {deadline}
"""


def _errors(tmp_path: Path, start: str, deadline: str) -> list[str]:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "a.yaml").write_text(SPEC.format(start=start, deadline=deadline))
    config = load_config(tmp_path)
    _, found = check_files(config, find_spec_files(config))
    return [str(d) for d in found if d.severity == "error"]


def test_impossible_deadline_and_kick_off_date_are_errors_at_their_line(tmp_path: Path) -> None:
    errors = _errors(tmp_path, "2026-13-01", "2026-02-30")
    assert errors == [
        "specs/a.yaml:4:15: error: '2026-13-01' is not a real date or time "
        "(month must be in 1..12) (at prerun.Start date)",
        "specs/a.yaml:8:15: error: '2026-02-30' is not a real date or time "
        "(day is out of range for month) (at tasks.Kick-off call.deadline)",
    ]


def test_real_dates_and_templates_pass(tmp_path: Path) -> None:
    assert _errors(tmp_path, "2028-02-29", "'2026-12-01T17:00:00Z'") == []


def test_an_impossible_time_is_an_error(tmp_path: Path) -> None:
    errors = _errors(tmp_path, "2026-12-01", "2026-12-01T25:00:00Z")
    assert len(errors) == 1 and "hour must be in 0..23" in errors[0]
