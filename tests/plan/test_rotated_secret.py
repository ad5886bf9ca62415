"""Rotating a secret edits nothing: its value is not part of what a launch is compared by."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import make_project, run_cli
from tests.support.sandbox import SandboxProcess

SPEC = "specs/onboarding-globex.yaml"


def test_a_rotated_secret_is_a_note_not_an_edit(tmp_path: Path, sandbox: SandboxProcess) -> None:
    root = make_project(tmp_path)
    (root / "launchspec.yaml").write_text("secrets: [PORTAL_PASSWORD]\n")
    spec = root / SPEC
    old = "  Notes: |                                   # textarea\n"
    old += "    Signed 2026-11-20. Wants SSO live before training.\n"
    assert old in spec.read_text()
    spec.write_text(spec.read_text().replace(old, '  Notes: "{{ secrets.PORTAL_PASSWORD }}"\n'))
    first = {**sandbox.env(), "PORTAL_PASSWORD": "first-password-1"}
    applied = run_cli(root, "apply", "--yes", "--target", "onboarding-globex", env=first)
    assert applied.code == 0, applied.text
    rotated = {**sandbox.env(), "PORTAL_PASSWORD": "second-password-2"}
    notes = []
    for env in (first, rotated, sandbox.env()):  # the same, rotated, and not set (a fork's PR)
        planned = run_cli(
            root, "plan", "--format", "json", "--target", "onboarding-globex", env=env
        )
        assert planned.code == 0, planned.text
        doc = json.loads(planned.out)
        kinds = {a["key"]: a["row"] for a in doc["actions"]}
        assert kinds == {"onboarding-globex": "unchanged"}, planned.out
        notes.append(doc["notes"])
    assert all(any("rotated secret edits nothing" in n for n in found) for found in notes)


def test_no_note_for_launches_without_a_secret(tmp_path: Path, sandbox: SandboxProcess) -> None:
    root = make_project(tmp_path)
    (root / "launchspec.yaml").write_text("secrets: [PORTAL_PASSWORD]\n")
    env = {**sandbox.env(), "PORTAL_PASSWORD": "first-password-1"}
    assert run_cli(root, "apply", "--yes", "--target", "onboarding-globex", env=env).code == 0
    planned = run_cli(root, "plan", "--format", "json", "--target", "onboarding-globex", env=env)
    assert not any("secret" in n for n in json.loads(planned.out)["notes"]), planned.out
