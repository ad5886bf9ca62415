"""Run the launchspec CLI as a real subprocess in a scratch project copied from specs/."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Result:
    """Exit status and output of one CLI run."""

    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


# The for_each and every examples launch a number of processes that depends on the day; the
# tests that count launches use the single-launch examples,
# tests/apply/test_for_each_apply.py the rest.
REPEATING = ("client-onboarding.yaml", "month-end-close-monthly.yaml", "data")


def make_project(tmp: Path, specs: Path | None = None, *, repeating: bool = False) -> Path:
    """A project root holding a copy of `specs` (default: the repo's single-launch examples, and
    with `repeating` also the for_each and every examples)."""
    root = tmp / "project"
    skip = None if specs or repeating else shutil.ignore_patterns(*REPEATING)
    shutil.copytree(specs or REPO / "specs", root / "specs", ignore=skip)
    # The sandbox never commits a launch after its client has gone, so waiting a minute for a
    # lost launch to appear (limits.settle_seconds) would only slow the tests down.
    (root / "launchspec.yaml").write_text("limits: {settle_seconds: 1}\n")
    return root


def run_cli(
    root: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> Result:
    """`launchspec -C ROOT ARGS…` with the given extra environment (TALLYFY_* cleared first)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("TALLYFY_", "GITHUB_"))}
    proc = subprocess.run(
        [sys.executable, "-m", "runner", "-C", str(root), *args],
        capture_output=True,
        text=True,
        env={**base, **(env or {})},
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def lockfile(root: Path) -> dict[str, Any]:
    """The scratch project's lockfile, as JSON."""
    doc: dict[str, Any] = json.loads((root / "launchspec.lock.json").read_text())
    return doc
