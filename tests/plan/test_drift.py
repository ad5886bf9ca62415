"""`plan --refresh` notices a run changed by hand in Tallyfy: each managed field, old -> new."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from tests.support.cli import lockfile, make_project, run_cli
from tests.support.sandbox import SandboxProcess, api_headers

KEY = "onboarding-globex"
BILLING = "6754f75615a8b64a8bfd4a2a3c43f5b1"  # the Billing email kick-off field


def _change_by_hand(sb: SandboxProcess, run_id: str, body: dict[str, Any]) -> None:
    """What a person does in Tallyfy's web app, through the sandbox's API."""
    url = f"{sb.url}/organizations/{sb.org}/runs/{run_id}"
    with httpx.Client(timeout=10, headers=api_headers(sb)) as http:
        run = http.get(url).json()["data"]
        members = {"users": [u["id"] if isinstance(u, dict) else u for u in run["users"]],
                   "groups": [g["id"] if isinstance(g, dict) else g for g in run["groups"]]}
        http.put(url, json={**members, **body}).raise_for_status()


def test_a_run_renamed_and_edited_by_hand_is_drift(tmp_path: Path, sandbox: SandboxProcess) -> None:
    root, env = make_project(tmp_path), sandbox.env()
    assert run_cli(root, "apply", "--yes", env=env).code == 0
    # Straight after apply, nothing has drifted: no field is misread as changed.
    fresh = run_cli(root, "plan", "--refresh", "--detailed-exitcode", env=env)
    assert fresh.code == 0 and "No changes" in fresh.out, fresh.text

    entry = lockfile(root)["launches"][KEY]
    _change_by_hand(sandbox, entry["run_id"], {
        "name": "Globex (renamed by hand)", "owner_id": 1002, "starred": True,
        "prerun": {BILLING: "ap@globex.example"},
    })
    assert "No changes" in run_cli(root, "plan", env=env).out  # without --refresh: not read

    text = run_cli(root, "plan", "--refresh", env=env)
    assert text.code == 0, text.text
    assert f"!= {KEY}  changed in Tallyfy" in text.out
    assert f"name: {entry['name']} -> Globex (renamed by hand)" in text.out
    assert "kick-off Billing email: billing@globex.example -> ap@globex.example" in text.out
    assert "owner_id: 1001 -> 1002" in text.out
    assert "starred" not in text.out  # the spec does not set it: not launchspec's to manage
    assert "1 changed in Tallyfy" in text.out.splitlines()[0]

    doc = json.loads(run_cli(root, "plan", "--refresh", "--format", "json", env=env).out)
    (drifted,) = [a for a in doc["actions"] if a["row"] == "drifted"]
    verb_reason = (drifted["action"], drifted["reason"], drifted["symbol"])
    assert verb_reason == ("no-op", "up-to-date", "!=")  # drift is reported apart
    assert drifted["key"] == KEY and doc["summary"]["drifted"] == 1 and drifted["changes"] == []
    changes = {c["field"]: (c["old"], c["new"]) for c in drifted["drift"]}
    assert changes == {
        "name": (entry["name"], "Globex (renamed by hand)"),
        "owner_id": (1001, 1002),
        "kick-off Billing email": ("billing@globex.example", "ap@globex.example"),
    }

    md = run_cli(root, "plan", "--refresh", "--format", "markdown", env=env).out
    assert "changed in Tallyfy" in md and "| Field | Recorded | In Tallyfy |" in md
    assert "| name | " in md and "Globex (renamed by hand) |" in md

    # Apply leaves a run changed by hand alone: nothing is launched or reverted.
    applied = run_cli(root, "apply", "--yes", env=env)
    assert applied.code == 0 and "nothing to do" in applied.out, applied.text


def test_drift_under_another_change_is_shown_too(tmp_path: Path, sandbox: SandboxProcess) -> None:
    root, env = make_project(tmp_path), sandbox.env()
    assert run_cli(root, "apply", "--yes", env=env).code == 0
    entry = lockfile(root)["launches"][KEY]
    _change_by_hand(sandbox, entry["run_id"], {"prerun": {BILLING: "ap@globex.example"}})
    spec = root / "specs" / "onboarding-globex.yaml"
    spec.write_text(spec.read_text().replace('name: "Onboarding - ', 'name: "Onboarding: '))

    doc = json.loads(run_cli(root, "plan", "--refresh", "--format", "json", env=env).out)
    (update,) = [a for a in doc["actions"] if a["key"] == KEY]
    assert (update["action"], update["reason"]) == ("update", "spec-changed")
    assert [c["field"] for c in update["changes"]] == ["name"]
    assert update["drift"] == [{"field": "kick-off Billing email",
                                "old": "billing@globex.example", "new": "ap@globex.example"}]
    text = run_cli(root, "plan", "--refresh", env=env).out
    assert "changed in Tallyfy: kick-off Billing email: billing@globex.example -> " \
        "ap@globex.example" in text, text


def test_a_saved_refreshed_plan_with_drift_applies(tmp_path: Path, sandbox: SandboxProcess) -> None:
    root, env = make_project(tmp_path), sandbox.env()
    assert run_cli(root, "apply", "--yes", env=env).code == 0
    _change_by_hand(sandbox, lockfile(root)["launches"][KEY]["run_id"], {"name": "By hand"})
    saved = run_cli(root, "plan", "--refresh", "--out", "p.json", env=env)
    assert saved.code == 0 and "changed in Tallyfy" in saved.out, saved.text
    # apply does not read the runs again: drift, shown only, must not make the plan stale
    applied = run_cli(root, "apply", "p.json", "--yes", env=env)
    assert applied.code == 0, applied.text
