"""Every `--format json` prints one JSON document on stdout, errors included."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import make_project, run_cli


@pytest.mark.parametrize(
    "args",
    [["plan", "--format", "json"], ["plan", "--format=json"], ["status", "--format", "json"],
     ["templates", "list", "--format", "json"]],
)
def test_a_failing_json_command_still_prints_one_document(tmp_path: Path, args: list[str]) -> None:
    root = make_project(tmp_path)
    (root / "specs" / "bad.yaml").write_text("id: bad\ntemplate: Client Onboarding\nnmae: x\n")
    result = run_cli(root, *args)
    assert result.code != 0, result.text
    doc = json.loads(result.out)
    assert doc["ok"] is False and doc["error"]["exit_code"] == result.code
    assert doc["error"]["message"]


def test_spec_problems_are_listed_with_their_positions(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    (root / "specs" / "bad.yaml").write_text("id: bad\ntemplate: Client Onboarding\nnmae: x\n")
    doc = json.loads(run_cli(root, "plan", "--format", "json").out)
    (found,) = [d for d in doc["diagnostics"] if d["file"].endswith("bad.yaml")]
    assert found["line"] == 3 and "nmae" in found["message"]
