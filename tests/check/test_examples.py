"""Example inputs picked up by themselves: good ones validate, bad ones give the expected lines."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from runner.check.check import check_files
from runner.diagnostics import Diagnostic
from runner.specs.config import load_config

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
REPO = Path(__file__).resolve().parents[2]
EXPECT = re.compile(rb"#\s*expect:\s*(\d+):(\d+)\s+(.+)")


def _cases(kind: str) -> list[Path]:
    """Each file in good/ or bad/; a folder is one case whose files are checked together."""
    return sorted(
        p for p in (EXAMPLES / kind).iterdir() if p.suffix in (".yaml", ".yml") or p.is_dir()
    )


def _files(case: Path) -> list[Path]:
    return sorted(case.glob("*.y*ml")) if case.is_dir() else [case]


def _check(case: Path) -> list[Diagnostic]:
    _, diagnostics = check_files(load_config(REPO), _files(case))
    return diagnostics


def _expectations(case: Path) -> list[tuple[str, int, int, str]]:
    found = []
    for path in _files(case):
        shown = path.relative_to(REPO).as_posix()
        for m in EXPECT.finditer(path.read_bytes()):
            found.append((shown, int(m[1]), int(m[2]), m[3].decode("utf-8").strip()))
    return found


@pytest.mark.parametrize("case", _cases("good"), ids=lambda p: p.name)
def test_good_example_has_no_diagnostics(case: Path) -> None:
    assert [str(d) for d in _check(case)] == []


@pytest.mark.parametrize("case", _cases("bad"), ids=lambda p: p.name)
def test_bad_example_reports_each_expected_line(case: Path) -> None:
    expected = _expectations(case)
    assert expected, f"{case.name} states no `# expect: LINE:COL message` line"
    diagnostics = _check(case)
    shown = [str(d) for d in diagnostics]
    for file, line, col, text in expected:
        hits = [
            d
            for d in diagnostics
            if d.pos is not None
            and (d.pos.file, d.pos.line, d.pos.col) == (file, line, col)
            and text in d.message
        ]
        assert hits, f"expected {file}:{line}:{col} {text!r}; got {shown}"
    assert all(d.severity == "error" for d in diagnostics if d.code != "slow-loader")
    assert len([d for d in diagnostics if d.severity == "error"]) == len(expected), shown


def test_every_spec_in_specs_folder_validates() -> None:
    config = load_config(REPO)
    files = sorted((REPO / "specs").glob("*.yaml"))
    assert len(files) >= 3
    specs, diagnostics = check_files(config, files)
    assert [str(d) for d in diagnostics] == []
    assert len(specs) >= 5
    assert {s.id for s in specs} >= {"onboarding-globex", "audit-2026-q4-finance"}
