"""`!` edited after launch shows what changed, old -> new, in text, JSON and Markdown; the
lockfile keeps what was launched without any secret's value (issue 21, item 1)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import make_project, run_cli
from tests.support.sandbox import SandboxProcess

GMBH = "month-end-2026-11-acme-gmbh"
AUDIT = "audit-2026-q4-finance"


def _edit(root: Path, name: str, old: str, new: str) -> None:
    spec = root / "specs" / name
    text = spec.read_text()
    assert old in text, old
    spec.write_text(text.replace(old, new, 1))


def test_an_edited_kickoff_value_shows_old_and_new(tmp_path: Path, sandbox: SandboxProcess) -> None:
    root, env = make_project(tmp_path), sandbox.env()
    assert run_cli(root, "apply", "--yes", env=env).code == 0
    _edit(root, "month-end-close.yaml", "  Reporting currency: EUR", "  Reporting currency: USD")

    text = run_cli(root, "plan", env=env)
    assert f"! {GMBH}  edited after launch" in text.out, text.out
    assert "Reporting currency: EUR -> USD" in text.out, text.out
    assert "kick-off values changed after launch" in text.out

    doc = json.loads(run_cli(root, "plan", "--format", "json", env=env).out)
    (action,) = [a for a in doc["actions"] if a["key"] == GMBH]
    assert action["edits"] == [{"field": "Reporting currency", "old": "EUR", "new": "USD"}]

    markdown = run_cli(root, "plan", "--format", "markdown", env=env).out
    assert "| Reporting currency | EUR | USD |" in markdown, markdown


def test_a_change_of_users_is_named_as_such(tmp_path: Path, sandbox: SandboxProcess) -> None:
    root, env = make_project(tmp_path), sandbox.env()
    assert run_cli(root, "apply", "--yes", env=env).code == 0
    _edit(root, "internal-audit.yaml", "users: [ops@example.com]",
          "users: [ops@example.com, mei@example.com]")
    text = run_cli(root, "plan", env=env).out
    assert f"! {AUDIT}  edited after launch" in text, text
    assert "kick-off values or tasks changed" not in text, text
    assert "users changed after launch" in text, text
    assert 'users: ["ops@example.com"] -> ["ops@example.com", "mei@example.com"]' in text, text


def test_a_secret_is_never_written_and_shown_redacted(
    tmp_path: Path, sandbox: SandboxProcess
) -> None:
    root = make_project(tmp_path)
    (root / "launchspec.yaml").write_text("secrets: [PORTAL_PASSWORD]\n")
    spec = root / "specs" / "onboarding-globex.yaml"
    text = spec.read_text()
    notes = text[text.index("  Notes: |") : text.index("  Account team:")]
    spec.write_text(text.replace(notes, '  Notes: "{{ secrets.PORTAL_PASSWORD }}"\n'))
    env = {**sandbox.env(), "PORTAL_PASSWORD": "first-password-1"}
    assert run_cli(root, "apply", "--yes", "--target", "onboarding-globex", env=env).code == 0
    assert "first-password-1" not in (root / "launchspec.lock.json").read_text()

    spec.write_text(spec.read_text().replace('"{{ secrets.PORTAL_PASSWORD }}"', "Plain notes"))
    planned = run_cli(root, "plan", "--target", "onboarding-globex", env=env)
    assert "Notes: (secret) -> Plain notes" in planned.out, planned.out
    assert "first-password-1" not in planned.text


def test_an_entry_recorded_before_values_were_kept_reads_them_from_its_run(
    tmp_path: Path, sandbox: SandboxProcess
) -> None:
    root, env = make_project(tmp_path), sandbox.env()
    assert run_cli(root, "apply", "--yes", env=env).code == 0
    lock = root / "launchspec.lock.json"
    doc = json.loads(lock.read_text())
    for entry in doc["launches"].values():  # as a lockfile written by an earlier release
        entry.pop("launched", None)
    lock.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")
    _edit(root, "month-end-close.yaml", "  Reporting currency: EUR", "  Reporting currency: USD")

    text = run_cli(root, "plan", env=env).out
    assert "Reporting currency: EUR -> USD" in text, text
    assert "kick-off values changed after launch" in text, text
    offline = run_cli(root, "plan", "--offline").out  # no run to read: the reason alone
    assert f"! {GMBH}  edited after launch" in offline and "EUR -> USD" not in offline, offline
