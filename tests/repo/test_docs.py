"""The spec reference (docs/ and README) is in step with the schema."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_spec_reference_matches_the_schema() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "gen-spec-reference"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_readme_keeps_the_two_commands_and_the_markers() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "## The two commands" in readme
    assert readme.index("<!-- spec-reference:start -->") < readme.index(
        "<!-- spec-reference:end -->"
    )
    assert "| `template` |" in readme
