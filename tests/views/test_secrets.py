"""Secrets stay secret at -vv in every output and file; Jinja cannot reach out of its sandbox."""

from __future__ import annotations

import base64
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.cli import Result, make_project, run_cli
from tests.support.sandbox import SandboxProcess

TOKEN = "tok-Zq8vR2-DISTINCT-77aa"
WRONG_TOKEN = "tok-WRONG-5c1e-UNSEEN-09"
SECRET = "CTR-9x7Q/SECRET+VALUE=42"  # '/', '+', '=' so URL-encoding changes it
SPEC = "specs/onboarding-globex.yaml"


def forms(secret: str) -> set[str]:
    """The secret as written, base64 at every alignment (also URL-safe), and URL-encoded."""
    raw = secret.encode()
    found = {secret, urllib.parse.quote(secret), urllib.parse.quote_plus(secret),
             urllib.parse.quote(secret, safe="")}
    for pad in range(3):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            text = encode(b"\0" * pad + raw).decode()
            # Only the characters that depend on the secret alone, whatever surrounds it.
            found.add(text[(pad * 4 + 2) // 3 + 1: -4])
    return {f for f in found if len(f) >= 8}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = make_project(tmp_path)
    (root / "launchspec.yaml").write_text("secrets: [CONTRACT]\n")
    spec = root / SPEC
    text = spec.read_text()
    old_notes = "  Notes: |                                   # textarea\n"
    old_notes += "    Signed 2026-11-20. Wants SSO live before training.\n"
    assert old_notes in text
    text = text.replace(old_notes, '  Notes: "{{ secrets.CONTRACT }}"\n')
    spec.write_text(text)
    assert "secrets.CONTRACT" in spec.read_text()
    return root


def _input(root: Path, path: Path) -> bool:
    """The files the user wrote (where the secret var is defined), not ones launchspec wrote."""
    rel = path.relative_to(root)
    return rel.parts[0] == "specs" or rel.name == "launchspec.yaml"


def _every_command(root: Path, env: dict[str, str]) -> list[Result]:
    env = {**env, "CONTRACT": SECRET}
    wrong = {**env, "TALLYFY_TOKEN": WRONG_TOKEN}
    runs = [
        run_cli(root, "-vv", "validate", env=env),
        run_cli(root, "-vv", "plan", env=env),
        run_cli(root, "-vv", "plan", "--format", "json", env=env),
        run_cli(root, "-vv", "plan", "--format", "markdown", env=env),
        run_cli(root, "-vv", "plan", "--out", "plan.json", env=env),
        run_cli(root, "-vv", "apply", "--yes", "plan.json", env=env),
        run_cli(root, "-vv", "status", env=env),
        run_cli(root, "-vv", "plan", "--refresh", env=env),
        run_cli(root, "-vv", "--debug", "plan", env=wrong),
        run_cli(root, "-vv", "apply", "--yes", env=wrong),
    ]
    assert runs[5].code == 0, runs[5].text
    assert runs[8].code == 1 and "token" in runs[8].err.lower(), runs[8].text
    return runs


def test_token_and_secret_never_written(
    project: Path, sandbox_factory: Callable[..., SandboxProcess]
) -> None:
    sb = sandbox_factory("--token", TOKEN)
    results = _every_command(project, sb.env())
    outputs = [(f"output of command {i}", r.out + r.err) for i, r in enumerate(results)]
    files = [(str(p.relative_to(project)), p.read_bytes().decode("utf-8", "replace"))
             for p in sorted(project.rglob("*")) if p.is_file() and not _input(project, p)]
    assert {"plan.json", "launchspec.lock.json"} <= {name for name, _ in files}
    assert "(secret)" in results[1].out, "the plan should show where the secret went"
    needles = {f: "token" for f in forms(TOKEN) | forms(WRONG_TOKEN)}
    needles.update({f: "secret" for f in forms(SECRET)})
    for where, text in outputs + files:
        for needle, what in needles.items():
            assert needle not in text, f"the {what} ({needle!r}) appears in {where}"


ESCAPES = {
    "mro": "{{ ''.__class__.__mro__ }}",
    "globals": "{{ cycler.__init__.__globals__ }}",
    "subclasses": "{{ (1).__class__.__base__.__subclasses__() }}",
    "environment": "{{ env.HOME }}",
    "config": "{{ config }}",
}
RENDER_TIME = {  # refused only when rendered (plan, apply), not by validate
    "attr-filter": "{{ vars | attr('__class__') }}",
    "file": "{% include '/etc/passwd' %}",
    "import": "{% import 'os' as os %}",
    "network": "{% extends 'http://169.254.169.254/latest/meta-data' %}",
}


def _escape_spec(root: Path, template: str) -> None:
    (root / "specs" / "escape.yaml").write_text(
        "id: escape\ntemplate: Client Onboarding\nvars: {x: a}\n"
        f"prerun:\n  Client name: Globex\n  Notes: \"{template}\"\n")


def _refused_at_line(result: Result) -> None:
    assert result.code == 1, result.text
    assert "specs/escape.yaml:6:" in result.text, result.text
    assert "Traceback" not in result.text


@pytest.mark.parametrize("template", ESCAPES.values(), ids=ESCAPES.keys())
def test_sandbox_escapes_are_refused_at_the_line(tmp_path: Path, template: str) -> None:
    root = make_project(tmp_path)
    _escape_spec(root, template)
    for command in ("validate", "plan"):
        _refused_at_line(run_cli(root, command, "--offline" if command == "plan" else "."))


@pytest.mark.parametrize("template", RENDER_TIME.values(), ids=RENDER_TIME.keys())
def test_render_time_escapes_are_refused_at_the_line(tmp_path: Path, template: str) -> None:
    root = make_project(tmp_path)
    _escape_spec(root, template)
    result = run_cli(root, "plan", "--offline")
    _refused_at_line(result)


@pytest.mark.parametrize("template", RENDER_TIME.values(), ids=RENDER_TIME.keys())
def test_validate_flags_render_time_escapes(tmp_path: Path, template: str) -> None:
    root = make_project(tmp_path)
    _escape_spec(root, template)
    result = run_cli(root, "validate")
    _refused_at_line(result)
    assert "sandbox" in result.text or "not allowed" in result.text
