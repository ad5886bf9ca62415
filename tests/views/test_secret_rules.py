"""A secret can only be used whole: every transformation is refused at its line, and no
message, annotation or API error prints a secret or the token."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import Result, make_project, run_cli
from tests.support.hostile import hostile
from tests.support.sandbox import SandboxProcess, list_runs

SECRET = "CTR-9x7Q/Secret+Value=42"
ORG = "5192e8fadff2a873872ba9aed3f2e334"
TRANSFORMS = {
    "upper": "{{ secrets.CONTRACT | upper }}",
    "lower": "{{ secrets.CONTRACT | lower }}",
    "title": "{{ secrets.CONTRACT | title }}",
    "reverse": "{{ secrets.CONTRACT | reverse }}",
    "slice-step": "{{ secrets.CONTRACT[::2] }}",
    "slice-halves": "{{ secrets.CONTRACT[:10] }}{{ secrets.CONTRACT[10:] }}",
    "list-join": "{{ secrets.CONTRACT | list | join(' ') }}",
    "replace": "{{ secrets.CONTRACT | replace('-', '_') }}",
    "center": "{{ secrets.CONTRACT | center(40) }}",
    "wordwrap": "{{ secrets.CONTRACT | wordwrap(5) }}",
    "escape": "{{ secrets.CONTRACT | e }}",
    "forceescape": "{{ secrets.CONTRACT | forceescape }}",
    "tojson": "{{ secrets.CONTRACT | tojson }}",
    "urlencode": "{{ secrets.CONTRACT | urlencode }}",
    "pprint": "{{ secrets.CONTRACT | pprint }}",
    "percent-r": "{{ '%r' % secrets.CONTRACT }}",
    "format": "{{ '{}!'.format(secrets.CONTRACT) }}",
    "concat": "{{ 'x' ~ secrets.CONTRACT }}",
    "text-around": "id {{ secrets.CONTRACT }}",
    "bare-mapping": "{{ secrets }}",
    "items": "{{ secrets | items | list }}",
    "loop": "{% for c in secrets.CONTRACT %}{{ c }}{% endfor %}",
    "set-alias": "{% set s = secrets %}{{ s.CONTRACT }}",
    "test": "{{ secrets.CONTRACT is string }}",
    "attr": "{{ secrets | attr('CONTRACT') }}",
    "map": "{{ [secrets.CONTRACT] | map('upper') | join }}",
    "batch": "{{ secrets.CONTRACT | batch(3) | list }}",
    "getitem-then-filter": "{{ secrets['CONTRACT'] | trim }}",
}


def _project(tmp_path: Path, value: str, config: str = "secrets: [CONTRACT]\n") -> Path:
    root = make_project(tmp_path)
    (root / "launchspec.yaml").write_text(config)
    quoted = value.replace("'", "''")
    (root / "specs" / "secret.yaml").write_text(
        "id: secret-use\ntemplate: Client Onboarding\nname: Onboarding - Initech\n"
        f"prerun:\n  Client name: Initech\n  Start date: 2026-12-01\n  Plan tier: Growth\n"
        f"  Notes: '{quoted}'\n"
    )
    return root


def _clean(result: Result) -> None:
    assert SECRET not in result.out + result.err
    assert "Traceback" not in result.err


@pytest.mark.parametrize("template", TRANSFORMS.values(), ids=TRANSFORMS.keys())
def test_every_transformation_is_refused_at_the_line(tmp_path: Path, template: str) -> None:
    root = _project(tmp_path, template)
    for command in ("validate", "plan"):
        result = run_cli(root, command, env={"CONTRACT": SECRET})
        assert result.code == 1, (command, result.text)
        assert "secret.yaml:8:" in result.out + result.err, result.text
        assert "whole value of a field" in result.out + result.err
        _clean(result)


def test_the_whole_value_is_allowed_and_shown_as_secret(
    tmp_path: Path, sandbox: SandboxProcess
) -> None:
    root = _project(tmp_path, "{{ secrets.CONTRACT }}")
    result = run_cli(root, "plan", env={**sandbox.env(), "CONTRACT": SECRET})
    assert result.code == 0, result.text
    assert "(secret)" in result.out
    _clean(result)


@pytest.mark.parametrize(
    "config",
    ["secrets: [CONTRACT]\ndefaults: {vars: {CONTRACT: written-in-git}}\n"],
)
def test_a_value_written_in_the_configuration_is_refused(tmp_path: Path, config: str) -> None:
    root = _project(tmp_path, "{{ secrets.CONTRACT }}", config)
    result = run_cli(root, "validate")
    assert result.code == 1 and "launchspec.yaml:2:" in result.err, result.text
    assert "is a secret" in result.err


def test_a_value_written_in_a_spec_is_refused(tmp_path: Path) -> None:
    root = _project(tmp_path, "{{ secrets.CONTRACT }}")
    path = root / "specs" / "secret.yaml"
    path.write_text(path.read_text() + "vars: {CONTRACT: written-in-git}\n")
    result = run_cli(root, "validate")
    assert result.code == 1 and "secret.yaml:9:" in result.out, result.text
    assert "is a secret" in result.out


@pytest.mark.parametrize(
    ("field", "value"),
    [("deadline", "  Kick-off call:\n    deadline: '{{ secrets.CONTRACT }}'\n"),
     ("owner", "owner: '{{ secrets.CONTRACT }}'\n")],
)
@pytest.mark.parametrize("fmt", ["text", "github"])
def test_messages_about_a_secret_value_never_print_it(
    tmp_path: Path, sandbox: SandboxProcess, field: str, value: str, fmt: str
) -> None:
    root = _project(tmp_path, "fine")
    path = root / "specs" / "secret.yaml"
    extra = f"tasks:\n{value}" if field == "deadline" else value
    path.write_text(path.read_text() + extra)
    env = {**sandbox.env(), "CONTRACT": SECRET}
    if fmt == "github":
        env["GITHUB_ACTIONS"] = "true"
    result = run_cli(root, "plan", env=env)
    assert result.code == 1, result.text
    assert "(secret)" in result.out + result.err, result.text
    _clean(result)


def test_an_unset_secret_plans_with_a_placeholder_and_apply_refuses(
    tmp_path: Path, sandbox: SandboxProcess
) -> None:
    root = _project(tmp_path, "{{ secrets.CONTRACT }}")
    planned = run_cli(root, "plan", env=sandbox.env())
    assert planned.code == 0 and "(secret CONTRACT is not set)" in planned.out, planned.text
    applied = run_cli(root, "apply", "--yes", env=sandbox.env())
    assert applied.code == 1 and "secret CONTRACT is not set" in applied.err, applied.text
    assert list_runs(sandbox) == []


@pytest.mark.parametrize(
    ("token", "kind"),
    [("abc\ndef-123456", "line break"), ("abc def-123456", "space"),
     ("abc\x01def-123456", "control character"), ("abcé-def-123456", "not ASCII")],
)
def test_a_malformed_token_is_refused_before_any_request(
    tmp_path: Path, token: str, kind: str
) -> None:
    root = make_project(tmp_path)
    with hostile("empty") as server:
        env = {"TALLYFY_API_URL": server.url, "TALLYFY_ORG_ID": ORG, "TALLYFY_TOKEN": token}
        result = run_cli(root, "plan", env=env)
    assert result.code == 1, result.text
    assert kind in result.err and server.requests == []
    for part in token.split():
        assert part not in result.out + result.err


def test_the_token_echoed_in_error_field_names_is_hidden(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    token = "tok-ECHO-4f2a-DISTINCT-99"
    with hostile("echo_token") as server:
        env = {"TALLYFY_API_URL": server.url, "TALLYFY_ORG_ID": ORG, "TALLYFY_TOKEN": token}
        result = run_cli(root, "-vv", "plan", env=env)
    assert result.code == 1, result.text
    assert token not in result.out + result.err
