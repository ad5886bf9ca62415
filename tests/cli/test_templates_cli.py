"""`templates list` and `templates show`, from the API and from the snapshots."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from runner.snapshots.rows import deadline_rule
from tests.support.cli import REPO, make_project, run_cli
from tests.support.sandbox import SandboxProcess


def offline_project(tmp: Path) -> Path:
    root = make_project(tmp)
    shutil.copytree(REPO / "templates", root / "templates")
    return root


def test_list_from_the_api(tmp_path: Path, sandbox: SandboxProcess) -> None:
    result = run_cli(make_project(tmp_path), "templates", "list", env=sandbox.env())
    assert result.code == 0, result.text
    lines = result.out.splitlines()
    assert lines[0] == "4 templates (from the API)"
    assert lines[2].split() == ["title", "id", "status", "kick-off", "fields", "steps"]
    row = next(line for line in lines if line.startswith("Vendor Onboarding"))
    # The list is read with its steps (with=steps): every count is known.
    assert row.split()[-5:] == ["61fa169a59262d246dfe11bf19c05969", "not", "launchable", "1",
                                "1"]
    assert "?" not in result.out
    onboarding = next(line for line in lines if line.startswith("Client Onboarding"))
    assert onboarding.split()[-2:] == ["10", "4"]


def test_a_count_the_api_did_not_give_is_explained() -> None:
    """A server that leaves steps out of its list: `?`, and a line saying why and what helps."""
    from runner.views.templateview import format_list

    listed: list[dict[str, Any]] = [{"id": "a1", "title": "Audit", "prerun": [], "steps_count": 3},
              {"id": "b2", "title": "Onboarding", "prerun": [{"id": "f"}]}]
    out = format_list(listed, "text", "from the API")
    rows = {line.split()[0]: line.split() for line in out.splitlines()[3:5]}
    assert rows["Audit"][-2:] == ["0", "3"] and rows["Onboarding"][-2:] == ["1", "?"]
    assert "? the API's list gave no steps for this template" in out
    assert "launchspec templates show TEMPLATE" in out


def test_list_offline_reads_the_snapshots(tmp_path: Path) -> None:
    result = run_cli(offline_project(tmp_path), "templates", "list", "--format", "json")
    assert result.code == 0, result.text
    doc = json.loads(result.out)
    assert doc["origin"] == "from the snapshots in templates/"
    assert [t["title"] for t in doc["templates"]] == [
        "Client Onboarding", "Internal Audit", "Month-end Close"]
    assert doc["templates"][0]["kickoff_fields"] == 10


def test_show_fields_and_steps(tmp_path: Path, sandbox: SandboxProcess) -> None:
    result = run_cli(make_project(tmp_path), "templates", "show", "Client Onboarding",
                     env=sandbox.env())
    assert result.code == 0, result.text
    out = result.out
    assert out.startswith("Client Onboarding  efd12534ded06f20e21b33e8dacf1f15  (launchable")
    tier = next(line for line in out.splitlines() if line.strip().startswith("Plan tier"))
    assert tier.split() == ["Plan", "tier", "89dc6258a8e9ef206778bc562ac2b4aa", "dropdown",
                            "yes", "Starter", "|", "Growth", "|", "Enterprise"]
    setup = next(line for line in out.splitlines() if line.strip().startswith("Set up"))
    assert "raj@example.com, Ops (group)" in setup and "5 days after launch" in setup
    assert setup.split()[-1] == "unlimited"  # max_assignable 0: no limit, not "at most 0"
    review = next(line for line in out.splitlines() if line.strip().startswith("30-day"))
    assert review.split()[-1] == "1" and "ops@example.com" in review
    # A role's id is what a spec's `roles:` is keyed by; no endpoint lists them with names.
    kickoff = next(line for line in out.splitlines() if line.strip().startswith("Kick-off c"))
    assert "jane@example.com, role 0f3b8e1c2d4a4b6c8e0f1a2b3c4d5e6f" in kickoff


def test_show_offline_by_id_as_json(tmp_path: Path) -> None:
    result = run_cli(offline_project(tmp_path), "templates", "show",
                     "7bd3db0bb939aef446ffc68c3e8e653f", "--format", "json")
    assert result.code == 0, result.text
    doc = json.loads(result.out)
    assert doc["title"] == "Month-end Close"
    entity = next(f for f in doc["kickoff_fields"] if f["label"] == "Entity")
    assert entity["options"] == ["Acme Inc.", "Acme GmbH", "Acme KK"] and entity["required"]
    accruals = next(s for s in doc["steps"] if s["title"] == "Post accruals")
    assert accruals["owners"] == ["mei@example.com", "Finance (group)"]
    assert accruals["deadline"] == "3 days after launch"


def test_show_unknown_template_and_missing_snapshots(tmp_path: Path) -> None:
    root = offline_project(tmp_path)
    unknown = run_cli(root, "templates", "show", "Vendor Onboarding (draft)")
    assert unknown.code == 2
    assert "no snapshot of template 'Vendor Onboarding (draft)'" in unknown.err
    assert "templates pull" in unknown.err
    shutil.rmtree(root / "templates")
    bare = run_cli(root, "templates", "list")
    assert bare.code == 2 and "no API token and no snapshots in templates/" in bare.err


def test_offline_flag_ignores_the_token(tmp_path: Path) -> None:
    env = {"TALLYFY_TOKEN": "t", "TALLYFY_ORG_ID": "o", "TALLYFY_API_URL": "http://127.0.0.1:9"}
    result = run_cli(offline_project(tmp_path), "templates", "list", "--offline", env=env)
    assert result.code == 0 and "from the snapshots" in result.out


def test_deadline_rules_in_words() -> None:
    titles = {"s1": "Kick-off"}
    assert deadline_rule({"value": 1, "unit": "weeks", "option": "from", "step": "start_run"},
                         titles) == "1 week after launch"
    assert deadline_rule({"value": 3, "unit": "days", "option": "prior_to", "step": "s1"},
                         titles) == "3 days before step 'Kick-off'"
    assert deadline_rule(None, titles) == "none"
