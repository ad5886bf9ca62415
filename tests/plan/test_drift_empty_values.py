"""`plan --refresh` compares kick-off values as Tallyfy stores them: an empty optional value
comes back as null, which nobody changed (issue 21, item 5)."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import make_project, run_cli
from tests.support.sandbox import SandboxProcess


def test_an_empty_value_launched_is_not_drift(tmp_path: Path, sandbox: SandboxProcess) -> None:
    root, env = make_project(tmp_path), sandbox.env()
    spec = root / "specs" / "onboarding-globex.yaml"
    text = spec.read_text()
    notes = text[text.index("  Notes: |") : text.index("  Account team:")]
    spec.write_text(text.replace(notes, '  Notes: ""\n'))
    assert run_cli(root, "apply", "--yes", env=env).code == 0

    fresh = run_cli(root, "plan", "--refresh", "--detailed-exitcode", env=env)
    assert fresh.code == 0, fresh.text
    assert "changed in Tallyfy" not in fresh.out and "No changes" in fresh.out
