"""A damaged journal stops every command with the file and line, never a traceback or a launch."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runner.errors import JournalError
from runner.state.journal import Journal
from tests.support.cli import make_project, run_cli
from tests.support.sandbox import SandboxProcess, list_runs

INTENT = {"op": "intent", "attempt": "a1", "key": "onboarding-globex", "marker": "m",
          "entry": {"template_id": "t"}, "at": 1.0}
DAMAGED = {
    "no-key": {"op": "launched", "attempt": "a1", "run_id": "r" * 32},
    "no-run-id": {"op": "launched", "attempt": "a1", "key": "onboarding-globex"},
    "entry-not-object": {**INTENT, "entry": "oops"},
    "at-not-number": {**INTENT, "at": "yesterday"},
    "unknown-op": {"op": "exploded", "attempt": "a1", "key": "k"},
    "not-an-object": [1, 2, 3],
}


def _write(state: Path, *records: object, raw: bytes = b"") -> Path:
    state.mkdir(parents=True, exist_ok=True)
    path = state / "journal.jsonl"
    path.write_bytes(b"".join(json.dumps(r).encode() + b"\n" for r in records) + raw)
    return path


@pytest.mark.parametrize("case", sorted(DAMAGED))
def test_a_damaged_record_names_the_file_and_line(tmp_path: Path, case: str) -> None:
    _write(tmp_path, INTENT, DAMAGED[case])
    with pytest.raises(JournalError) as caught:
        Journal(tmp_path).pending()
    assert "journal.jsonl:2:" in caught.value.message


def test_a_torn_last_line_is_still_ignored(tmp_path: Path) -> None:
    _write(tmp_path, INTENT, raw=b'{"op": "launch')
    assert [i.key for i in Journal(tmp_path).pending()] == ["onboarding-globex"]


def test_a_torn_line_before_later_appends_is_skipped(tmp_path: Path) -> None:
    path = _write(tmp_path, INTENT)
    resolved = {"op": "resolved", "attempt": "a1", "key": "onboarding-globex", "how": "x"}
    torn = b'{"op": "launch\n'
    path.write_bytes(path.read_bytes() + torn + json.dumps(resolved).encode() + b"\n")
    assert Journal(tmp_path).pending() == []


@pytest.mark.parametrize("command", ["plan", "apply"])
def test_commands_stop_on_a_damaged_journal(
    tmp_path: Path, sandbox: SandboxProcess, command: str
) -> None:
    root = make_project(tmp_path)
    _write(root / ".launchspec", INTENT, DAMAGED["no-key"])
    args = ["apply", "--yes"] if command == "apply" else ["plan"]
    result = run_cli(root, *args, env=sandbox.env())
    assert result.code == 1, result.text
    assert "journal.jsonl:2: damaged journal line" in result.err
    assert "Traceback" not in result.text
    assert list_runs(sandbox) == []

