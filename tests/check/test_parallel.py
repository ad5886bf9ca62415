"""Checking on several cores gives exactly what checking one file after another gives."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from runner.check import parallel
from runner.check.check import check_files
from runner.diagnostics import Diagnostic
from runner.specs.config import load_config

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _project(tmp_path: Path) -> Path:
    """Every good and bad example, three times over, plus a for_each data file the globs
    reach and ids repeated across copies: problems in files, across files, and data."""
    specs = tmp_path / "specs"
    for copy in range(3):
        for case in sorted((EXAMPLES / "good").iterdir()) + sorted((EXAMPLES / "bad").iterdir()):
            target = specs / f"c{copy}" / case.name
            if case.is_dir():
                shutil.copytree(case, target)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(case, target)
    (specs / "each.yaml").write_text(
        "id: each\ntemplate: Client Onboarding\nname: '{{ each.key }}'\nfor_each: rows.yaml\n"
    )
    (specs / "rows.yaml").write_text("- alpha\n- beta\n")
    return tmp_path


def _run(root: Path, monkeypatch: pytest.MonkeyPatch, minimum: int) -> list[Diagnostic]:
    monkeypatch.setattr(parallel, "PARALLEL_MIN_FILES", minimum)
    config = load_config(root)
    files = sorted(p for p in (root / "specs").rglob("*.y*ml"))
    specs, diagnostics = check_files(config, files, keep=False)
    assert specs == []
    return diagnostics


@pytest.mark.skipif(parallel.workers_for(10**6) < 2, reason="needs Linux and two cores")
def test_several_workers_find_exactly_what_one_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path)
    used: list[bool] = []
    real = parallel.check_in_parallel

    def spy(checked: object, files: list[Path]) -> bool:
        used.append(real(checked, files))
        return used[-1]

    monkeypatch.setattr(parallel, "check_in_parallel", spy)
    one = _run(root, monkeypatch, minimum=10**9)
    several = _run(root, monkeypatch, minimum=2)
    assert used == [False, True]  # one file after another, then forked workers
    assert one == several
    assert len(one) > 30  # the bad examples' problems, duplicate ids across copies included
    assert any("duplicate spec id" in d.message for d in one)


def test_a_process_pinned_to_one_core_checks_in_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    """`taskset -c 0` (or a CI runner's one core): forking would only add its own cost."""
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert parallel.workers_for(10**6) == 0
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert parallel.workers_for(10**6) == (2 if sys.platform.startswith("linux") else 0)
