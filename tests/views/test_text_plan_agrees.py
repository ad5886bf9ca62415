"""The text plan says what Markdown and JSON say (guest invitations, parents), puts the
summary and warnings first, and has a one-line-per-key view (issue 21, item 8)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.support.cli import make_project, run_cli
from tests.support.sandbox import SandboxProcess

MANY = 300


def test_text_shows_guests_and_parents_as_markdown_does(
    tmp_path: Path, sandbox: SandboxProcess
) -> None:
    root, env = make_project(tmp_path), sandbox.env()
    markdown = run_cli(root, "plan", "--format", "markdown", env=env).out
    assert "guest invitation" in markdown and "cfo@globex.example" in markdown
    assert "after `month-end-2026-11-acme-inc`" in markdown
    text = run_cli(root, "plan", env=env).out
    head = text[: text.index("  + ")]  # before the first entry
    assert "1 guest invitation" in head and "cfo@globex.example" in head, text
    audit = re.split(r"\n {2,3}\S", text[text.index("+ audit-2026-q4-finance") :])[0]
    assert "after: month-end-2026-11-acme-inc" in audit, audit


def _many(tmp_path: Path) -> Path:
    specs = tmp_path / "src"
    specs.mkdir()
    ids = ", ".join(f"c{i:03}" for i in range(MANY))
    (specs / "many.yaml").write_text(
        "id: many\ntemplate: Client Onboarding\n"
        f"for_each: [{ids}]\n"
        'name: "Onboarding - {{ each.key }}"\nowner: ops@example.com\n'
        'prerun:\n  Client name: "{{ each.key }}"\n  Start date: 2026-12-01\n'
        "  Plan tier: Enterprise\n"
    )
    return make_project(tmp_path, specs)


def test_summary_and_warnings_come_first(tmp_path: Path) -> None:
    root = _many(tmp_path)
    result = run_cli(root, "plan", "--offline")
    assert result.code == 0, result.text
    lines = result.out.splitlines()
    first_entry = next(i for i, line in enumerate(lines) if line.startswith("  + "))
    assert first_entry < 10, lines[:12]
    assert lines[0].startswith(f"launchspec plan: {MANY} to launch")
    assert any("over the safety limit of 25" in line for line in lines[:first_entry])


def test_short_format_is_one_line_per_key(tmp_path: Path) -> None:
    root = _many(tmp_path)
    result = run_cli(root, "plan", "--offline", "--format", "short")
    assert result.code == 0, result.text
    lines = result.out.splitlines()
    entries = [line for line in lines if line.startswith("  + many[")]
    assert len(entries) == MANY
    assert len(lines) < MANY + 10, len(lines)
    assert any("over the safety limit of 25" in line for line in lines[:5])
    doc = json.loads(run_cli(root, "plan", "--offline", "--format", "json").out)
    assert doc["summary"]["rows"]["launch"] == MANY


def test_text_shows_owner_tags_and_folders_as_markdown_does(
    tmp_path: Path, sandbox: SandboxProcess
) -> None:
    root, env = make_project(tmp_path), sandbox.env()
    markdown = run_cli(root, "plan", "--format", "markdown", env=env).out
    assert "owner ops@example.com" in markdown and "folders Clients" in markdown, markdown
    text = run_cli(root, "plan", env=env).out
    globex = re.split(r"\n {2,3}\S", text[text.index("+ onboarding-globex") :])[0]
    for said in ("owner: ops@example.com", "tags: onboarding, priority", "folders: Clients"):
        assert said in globex, globex
