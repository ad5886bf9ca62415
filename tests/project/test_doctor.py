"""`launchspec doctor`: read-only checks against the sandbox, and recorded fixtures replayed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import yaml

from runner.client.client import TallyfyClient
from runner.client.recording import ReplayTransport
from runner.project.doctor import probe
from tests.support.cli import make_project, run_cli
from tests.support.sandbox import SandboxProcess, list_runs
from tests.support.seed import seed

DRAFT = "61fa169a59262d246dfe11bf19c05969"  # the seed's template that cannot be launched


def _doctor_json(root: Path, env: dict[str, str], *args: str) -> tuple[int, dict[str, Any]]:
    result = run_cli(root, "doctor", "--format", "json", *args, env=env)
    return result.code, json.loads(result.out)


def test_doctor_says_ready_and_changes_nothing(tmp_path: Path, sandbox: SandboxProcess) -> None:
    root = make_project(tmp_path)
    result = run_cli(root, "doctor", env=sandbox.env())
    assert result.code == 0, result.text
    assert "ok    token: accepted" in result.out
    assert "launches resolve against the live org" in result.out
    assert result.out.rstrip().endswith("warnings).") or "Ready" in result.out
    assert list_runs(sandbox) == []  # read-only: nothing was launched
    assert not (root / "launchspec.lock.json").exists()


def test_rejected_token_fails_without_echoing_it(tmp_path: Path, sandbox: SandboxProcess) -> None:
    root = make_project(tmp_path)
    wrong = "not-the-token-0123456789"
    result = run_cli(root, "doctor", env={**sandbox.env(), "TALLYFY_TOKEN": wrong})
    assert result.code == 1
    assert "FAIL  token" in result.out
    assert wrong not in result.out + result.err


def test_a_template_that_cannot_be_launched_fails(tmp_path: Path, sandbox: SandboxProcess) -> None:
    root = make_project(tmp_path)
    (root / "specs" / "vendor.yaml").write_text(
        f"id: vendor-acme\ntemplate: {DRAFT}\nname: Vendor onboarding - Acme\n"
    )
    code, report = _doctor_json(root, sandbox.env())
    assert code == 1
    assert report["ok"] is False
    failed = [f for f in report["findings"] if f["status"] == "fail"]
    assert any(DRAFT in f["check"] for f in failed), failed


def test_recording_hides_identities_and_replays(tmp_path: Path, sandbox: SandboxProcess) -> None:
    root = make_project(tmp_path)
    fixtures = tmp_path / "fixtures"
    code, live = _doctor_json(root, sandbox.env(), "--record", str(fixtures))
    assert code == 0, live
    recorded = "".join(p.read_text() for p in sorted(fixtures.iterdir()))
    for identity in (
        sandbox.org,
        sandbox.token,
        "jane@example.com",
        "Jane",
        "Globex",
        "efd12534ded06f20e21b33e8dacf1f15",
        "Client Onboarding",
        "Sales",
    ):
        assert identity not in recorded, identity

    meta = json.loads((fixtures / "index.json").read_text())
    base = "https://go.tallyfy.com/api"
    transport = ReplayTransport(fixtures, base)
    with TallyfyClient(base, meta["org_id"], "replay-token", transport=transport) as client:
        headers = [x["headers"] for x in meta["exchanges"]]
        replayed = probe(client, meta["templates"], lambda: headers)
    live_checks = [f for f in live["findings"][1:] if f["check"] != "launches"]
    assert [f.status for f in replayed[1:]] == [f["status"] for f in live_checks]
    assert len(replayed) > 5


def test_replay_answers_what_was_not_recorded_with_a_404(tmp_path: Path) -> None:
    (tmp_path / "index.json").write_text(json.dumps({"format": 1, "exchanges": []}))
    transport = ReplayTransport(tmp_path, "https://api.tallyfy.com")
    request = httpx.Request("GET", "https://api.tallyfy.com/me")
    assert transport.handle_request(request).status_code == 404


ROLE_MANAGER = "0f3b8e1c2d4a4b6c8e0f1a2b3c4d5e6f"  # the role of Client Onboarding's first step


def test_doctor_reports_the_roles_and_a_role_key_no_step_uses(
    tmp_path: Path, sandbox: SandboxProcess
) -> None:
    """Tallyfy checks `roles` keys against the organisation's roles; a read shows only the
    roles each step is assigned to, which is what doctor reports and checks."""
    root = make_project(tmp_path)
    wrong = "ffffffffffffffffffffffffffffffff"
    (root / "specs" / "roles.yaml").write_text(
        "id: roles-acme\ntemplate: Client Onboarding\nname: Acme\n"
        "prerun: {Client name: Acme, Start date: 2026-12-01, Plan tier: Growth}\n"
        f"roles:\n  {wrong}: {{users: [1002]}}\n"
    )
    code, report = _doctor_json(root, sandbox.env())
    findings = report["findings"]
    assert isinstance(findings, list)
    roles = [f for f in findings if f["check"] == "template Client Onboarding: roles"]
    assert [f["status"] for f in roles] == ["ok"], findings
    assert ROLE_MANAGER in roles[0]["message"] and "Kick-off call" in roles[0]["message"]
    failed = [f["message"] for f in findings if f["status"] == "fail"]
    assert code == 1 and any(f"role {wrong!r} is not a role any step" in m for m in failed)


def test_doctor_says_when_a_template_names_its_runs_itself(
    tmp_path: Path, sandbox_factory: Callable[..., SandboxProcess]
) -> None:
    data = seed()
    onboarding = next(t for t in data["templates"] if t["title"] == "Client Onboarding")
    onboarding.update(auto_naming=True, default_process_name_format="{{client_name}}")
    path = tmp_path / "seed.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    sb = sandbox_factory("--seed", str(path))
    code, report = _doctor_json(make_project(tmp_path), sb.env())
    findings = report["findings"]
    assert code == 0 and isinstance(findings, list), findings
    names = {f["check"]: f for f in findings if f["check"].endswith(": name")}
    auto = names["template Client Onboarding: name"]
    assert auto["status"] == "ok" and "{{client_name}}" in auto["message"], auto
    assert "replaces the name a spec gives" in auto["message"]
    assert "template Internal Audit: name" not in names  # no auto-naming: nothing to say


def test_recording_into_a_folder_that_holds_files_needs_force(
    tmp_path: Path, sandbox: SandboxProcess
) -> None:
    root = make_project(tmp_path)
    specs = root / "specs"
    before = {p.name: p.read_bytes() for p in specs.iterdir() if p.is_file()}
    refused = run_cli(root, "doctor", "--record", "specs", env=sandbox.env())
    assert refused.code == 2, refused.text
    assert "specs is not empty" in refused.err and "--force" in refused.err
    assert {p.name: p.read_bytes() for p in specs.iterdir() if p.is_file()} == before
    forced = run_cli(root, "doctor", "--record", "specs", "--force", env=sandbox.env())
    assert forced.code in (0, 1) and (specs / "index.json").is_file(), forced.text


def test_doctor_reports_render_and_resolve_problems_together(
    tmp_path: Path, sandbox: SandboxProcess
) -> None:
    root = make_project(tmp_path)
    (root / "specs" / "typo.yaml").write_text(
        "id: typo\ntemplate: Client Onboarding\nfor_each: [x]\nname: '{{ each.value.nmae }}'\n"
    )
    (root / "specs" / "gold.yaml").write_text(
        "id: gold\ntemplate: Client Onboarding\n"
        "prerun: {Client name: G, Start date: 2026-12-01, Plan tier: Gold}\n"
    )
    code, report = _doctor_json(root, sandbox.env())
    assert code == 1
    failed = [f["message"] for f in report["findings"] if f["status"] == "fail"]
    assert any("nmae" in m for m in failed) and any("'Gold'" in m for m in failed), failed
