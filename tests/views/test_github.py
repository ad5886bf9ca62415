"""GitHub Actions files (step summary, outputs, annotations) and the fail-closed secret scan."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from runner import redaction
from runner.diagnostics import Diagnostic, Position
from runner.errors import ConfigError, SpecError
from runner.views import github, leaks
from tests.support.cli import make_project, run_cli
from tests.support.plans import SECRET, every_kind_plan, small_plan
from tests.support.workflows import parse_outputs

TOKEN = "tok-0123456789abcdef"


def actions_env(tmp: Path) -> dict[str, str]:
    """The variables Actions sets for a step, pointing at fresh files."""
    summary, output = tmp / "step_summary.md", tmp / "output.txt"
    summary.touch()
    output.touch()
    return {"GITHUB_ACTIONS": "true", "CI": "true", "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_OUTPUT": str(output), "GITHUB_WORKSPACE": str(tmp)}


def test_outputs_file_format_round_trips() -> None:
    text = github.format_outputs({"a": "1", "multi": "x\ny=z\n<<EOF", "b": "two words"})
    assert parse_outputs(text) == {"a": "1", "multi": "x\ny=z\n<<EOF", "b": "two words"}
    assert "multi<<ghadelimiter_" in text


def test_publish_appends_summary_and_outputs(tmp_path: Path) -> None:
    env = actions_env(tmp_path)
    Path(env["GITHUB_STEP_SUMMARY"]).write_text("earlier step\n")
    plan = small_plan()
    texts = github.plan_texts(plan, github.ViewOptions("markdown"), save=True, env=env)
    written = github.publish(plan, texts, saved_to=tmp_path / "plan.json", env=env)
    assert written == [env["GITHUB_STEP_SUMMARY"], env["GITHUB_OUTPUT"]]
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text()
    assert summary.startswith("earlier step\n### launchspec plan")  # appended, no marker
    outputs = parse_outputs(Path(env["GITHUB_OUTPUT"]).read_text())
    assert outputs["has_changes"] == "true" and outputs["launch"] == "2"
    assert outputs["edited"] == "0" and outputs["plan_json"] == str(tmp_path / "plan.json")
    assert outputs["needs_decision"] == "false"


def test_outputs_say_when_an_entry_needs_a_decision(tmp_path: Path) -> None:
    env = actions_env(tmp_path)
    plan = every_kind_plan()
    texts = github.plan_texts(plan, github.ViewOptions("markdown"), save=False, env=env)
    github.publish(plan, texts, saved_to=None, env=env)
    assert parse_outputs(Path(env["GITHUB_OUTPUT"]).read_text())["needs_decision"] == "true"


@pytest.mark.parametrize("encode", [  # the plain form is redacted; encoded forms are not
    lambda s: base64.b64encode(s.encode()).decode(),
    lambda s: base64.urlsafe_b64encode(s.encode()).decode().rstrip("="),
])
def test_secret_in_any_form_fails_closed(encode: object, tmp_path: Path) -> None:
    plan = every_kind_plan()
    leaked = plan.actions[0].desired.request.display["prerun"]  # type: ignore[union-attr]
    leaked["Notes"] = f"see {encode(SECRET)}"  # type: ignore[operator]
    with pytest.raises(leaks.LeakError) as caught:
        github.plan_texts(plan, github.ViewOptions("markdown"), save=False, env={})
    assert "a secret's value" in str(caught.value)
    assert SECRET not in str(caught.value)


def test_token_in_output_fails_closed() -> None:
    plan = small_plan()
    plan.actions[0].desired.request.display["prerun"]["Client name"] = TOKEN  # type: ignore
    with pytest.raises(leaks.LeakError, match=r"API token \(TALLYFY_TOKEN\) \(as is\)"):
        github.plan_texts(plan, github.ViewOptions("text"), save=False,
                          env={"TALLYFY_TOKEN": TOKEN})


def test_every_encoded_form_is_found() -> None:
    value = "p@ss w/rd+1>?"
    forms = {encoded for _, encoded in redaction.encoded_forms(value)}
    assert len(forms) == 7  # JSON escaping leaves this one as it is
    for encoded in forms:
        assert leaks.find_leak(f"x {encoded} y", {"k": [value]}) is not None
    assert leaks.find_leak(f"x {value.upper()} y", {"k": [value]}) is None
    assert leaks.find_leak("(secret) abc", {"k": ["abc", "secret"]}) is None  # too short; marker


def test_redaction_hides_every_form_the_leak_scan_finds() -> None:
    """One list of encoded forms: what the scan refuses, the terminal redaction hides."""
    value = 'p@ss "<w/rd>"+1&?'
    redaction.register(value)
    forms = list(redaction.encoded_forms(value))
    assert len({name for name, _ in forms}) >= 6, forms  # as is, base64(url), URL, HTML, JSON
    for form, encoded in forms:
        assert redaction.redact(f"x {encoded} y") == "x (secret) y", form
        assert leaks.find_leak(f"x {encoded} y", {"k": [value]}) is not None, form


def test_error_annotations() -> None:
    d = Diagnostic("unknown key 'nmae'", Position("specs/a.yaml", 3, 1), hint="try 'name'")
    text = github.error_annotations(SpecError([d]))
    assert text == "::error file=specs/a.yaml,line=3,col=1::unknown key 'nmae' - try 'name'\n"
    assert github.error_annotations(ConfigError("bad\nconfig")) == "::error::bad%0Aconfig\n"


def test_fork_tier_plan_offline_in_actions(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    env = actions_env(tmp_path)
    result = run_cli(root, "plan", "--format", "markdown", "--out", "plan.json", env=env)
    assert result.code == 0, result.text
    assert "Offline plan: no API token." in result.out and "**Not checked:**" in result.out
    assert (root / "plan.json").exists()
    assert "### launchspec plan" in Path(env["GITHUB_STEP_SUMMARY"]).read_text()
    outputs = parse_outputs(Path(env["GITHUB_OUTPUT"]).read_text())
    assert outputs["offline"] == "true" and outputs["launch"] == "5"
    assert outputs["plan_json"] == str((root / "plan.json").resolve())


def test_plan_errors_become_annotations(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    spec = root / "specs" / "onboarding-globex.yaml"
    spec.write_text(spec.read_text().replace("owner: ops@example.com", "ownr: ops@example.com"))
    result = run_cli(root, "plan", env=actions_env(tmp_path))
    assert result.code == 1
    assert "::error file=specs/onboarding-globex.yaml,line=" in result.err


def test_leak_writes_nothing_and_names_the_kind(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    spec = root / "specs" / "onboarding-globex.yaml"
    spec.write_text(spec.read_text().replace("tier: Enterprise", f"tier: {TOKEN}"))
    env = {**actions_env(tmp_path), "TALLYFY_TOKEN": TOKEN}
    result = run_cli(root, "plan", "--offline", "--format", "markdown", "--out", "p.json", env=env)
    assert result.code == 1, result.text
    assert "API token (TALLYFY_TOKEN)" in result.err and "nothing was written" in result.err
    assert TOKEN not in result.text
    assert not (root / "p.json").exists()
    assert Path(env["GITHUB_STEP_SUMMARY"]).read_text() == ""
    assert Path(env["GITHUB_OUTPUT"]).read_text() == ""
