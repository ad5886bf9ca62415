"""A mistyped template title: a located error with a did-you-mean, online, offline with
snapshots, and in `new`."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support.cli import REPO, make_project, run_cli
from tests.support.sandbox import SandboxProcess

SPEC = "specs/onboarding-globex.yaml"
TYPO = "Client Onbording"
GUESS = "(did you mean 'Client Onboarding'?)"


def mistyped(tmp: Path, snapshots: bool) -> Path:
    root = make_project(tmp)
    spec = root / SPEC
    spec.write_text(spec.read_text().replace("template: Client Onboarding", f"template: {TYPO}"))
    if snapshots:
        shutil.copytree(REPO / "templates", root / "templates")
    return root


def test_offline_with_snapshots_an_unknown_title_is_a_located_error(tmp_path: Path) -> None:
    root = mistyped(tmp_path, snapshots=True)
    for command in ("validate", "plan"):
        checked = run_cli(root, command)
        assert checked.code == 1, checked.text
        assert f"{SPEC}:4:11: error: no template titled '{TYPO}' in the snapshots" in checked.text
        assert GUESS in checked.text, checked.text
        assert "no snapshot in templates/ of template" not in checked.text  # not a mere note


def test_offline_without_snapshots_the_title_cannot_be_checked(tmp_path: Path) -> None:
    assert run_cli(mistyped(tmp_path, snapshots=False), "validate").code == 0


def test_online_an_unknown_title_names_the_closest(tmp_path: Path, sandbox: SandboxProcess) -> None:
    planned = run_cli(mistyped(tmp_path, snapshots=False), "plan", env=sandbox.env())
    assert planned.code == 1, planned.text
    assert f"{SPEC}:4:11: error: no template is titled '{TYPO}' {GUESS}" in planned.err


def test_new_suggests_the_closest_title(tmp_path: Path, sandbox: SandboxProcess) -> None:
    root = mistyped(tmp_path, snapshots=True)
    for env in (None, sandbox.env()):
        made = run_cli(root, "new", "-t", TYPO, "--out", "-", env=env)
        assert made.code == 2, made.text
        assert GUESS in made.err, made.err
    nothing_close = run_cli(root, "new", "-t", "Zebra husbandry", "--out", "-")
    assert nothing_close.code == 2 and "did you mean" not in nothing_close.err


def test_a_title_in_another_case_resolves_and_the_docs_say_so(
    tmp_path: Path, sandbox: SandboxProcess
) -> None:
    root = make_project(tmp_path)
    spec = root / SPEC
    spec.write_text(
        spec.read_text().replace("template: Client Onboarding", "template: CLIENT onboarding")
    )
    planned = run_cli(root, "plan", "--target", "onboarding-globex", env=sandbox.env())
    assert planned.code == 0, planned.text
    for doc in ("README.md", "docs/spec-reference.md", "runner/starter/example.yaml"):
        assert "exact title" not in (REPO / doc).read_text(), doc
