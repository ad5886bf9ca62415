"""`launchspec new`: the spec it writes validates, and filled in, applies against the sandbox."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import httpx

from runner.project.scaffold import spec_id, yaml_key
from tests.support.cli import REPO, run_cli
from tests.support.sandbox import SandboxProcess

FILLED = {
    "Client name": "Initech",
    "Start date": "2027-01-04",
    "Plan tier": "Growth",
}


def empty_project(tmp: Path) -> Path:
    """A project with no specs, only the repo's example snapshots."""
    root = tmp / "project"
    (root / "specs").mkdir(parents=True)
    shutil.copytree(REPO / "templates", root / "templates")
    return root


def fill(text: str, values: dict[str, str]) -> str:
    """Put a value after each named, empty kick-off field (its comment stays)."""
    for label, value in values.items():
        text = re.sub(rf"^(  {re.escape(label)}:)(\s+#)", rf"\1 {value}\2", text, flags=re.M)
    return text


def test_new_spec_is_valid_and_names_each_empty_required_field(tmp_path: Path) -> None:
    root = empty_project(tmp_path)
    made = run_cli(root, "new", "--template", "Client Onboarding", "--id", "onboarding-initech")
    assert made.code == 0, made.text
    assert "`launchspec init` puts a copy in this project" in made.out
    spec = root / "specs" / "onboarding-initech.yaml"
    text = spec.read_text()
    # No schema/ in this project (no `init`): the packaged schema, which exists wherever
    # launchspec is installed.
    schema = re.match(r"# yaml-language-server: \$schema=(\S+)\n", text)
    assert schema and Path(schema.group(1)).is_file(), text[:200]
    repo_schema = REPO / "schema" / "launchspec.schema.json"
    assert Path(schema.group(1)).read_bytes() == repo_schema.read_bytes()
    labels = re.findall(r"^  ([A-Z][\w -]*):", text, flags=re.M)
    assert labels[:3] == ["Client name", "Start date", "Plan tier"]  # required first
    assert len(labels) == 10
    assert "  Plan tier:       # dropdown: Starter | Growth | Enterprise" in text
    assert "#     owners: {users: [raj@example.com], groups: [Ops]}" in text
    assert "#     # default deadline: 2 weeks after launch" in text
    # With snapshots, validate and plan check fields: each empty required one is named.
    for command in ("validate", "plan"):
        checked = run_cli(root, command)
        assert checked.code == 1, checked.text
        for label in FILLED:
            assert f"missing required kick-off field '{label}'" in checked.text
    spec.write_text(fill(text, FILLED))
    assert run_cli(root, "validate").code == 0
    # Without snapshots, the file as written passes validate (syntax, schema, ids, Jinja).
    spec.write_text(text)
    shutil.rmtree(root / "templates")
    valid = run_cli(root, "validate")
    assert valid.code == 0, valid.text


def test_filled_in_it_applies_against_the_sandbox(tmp_path: Path, sandbox: SandboxProcess) -> None:
    root = empty_project(tmp_path)
    made = run_cli(root, "new", "-t", "efd12534ded06f20e21b33e8dacf1f15", env=sandbox.env())
    assert made.code == 0, made.text
    spec = root / "specs" / "client-onboarding.yaml"
    text = fill(spec.read_text(), FILLED)
    # Uncommented, the tasks block restates the defaults: it must be valid as it stands.
    text = re.sub(r"^# (?=tasks:|  )", "", text, flags=re.M)
    spec.write_text(text)
    assert run_cli(root, "validate").code == 0
    assert run_cli(root, "plan").code == 0
    applied = run_cli(root, "apply", "--yes", env=sandbox.env())
    assert applied.code == 0, applied.text
    run_id = json.loads((root / "launchspec.lock.json").read_text())[
        "launches"]["client-onboarding"]["run_id"]
    headers = {"Authorization": f"Bearer {sandbox.token}", "X-Tallyfy-Client": "APIClient"}
    base = f"{sandbox.url}/organizations/{sandbox.org}/runs/{run_id}"
    run = httpx.get(base, headers=headers, timeout=10).json()["data"]
    assert run["prerun"]["89dc6258a8e9ef206778bc562ac2b4aa"] == {"id": 2, "text": "Growth"}
    tasks = httpx.get(f"{base}/tasks", headers=headers, timeout=10).json()["data"]
    setup = next(t for t in tasks if t["title"] == "Set up accounts")
    assert setup["owners"]["users"] == [1003]
    assert setup["owners"]["groups"] == ["8dfdedfd7df39deb332539f846500ab9"]


def test_new_refuses_to_overwrite_and_bad_ids(tmp_path: Path) -> None:
    root = empty_project(tmp_path)
    assert run_cli(root, "new", "-t", "Internal Audit").code == 0
    again = run_cli(root, "new", "-t", "Internal Audit")
    assert again.code == 2 and "--force" in again.err
    assert run_cli(root, "new", "-t", "Internal Audit", "--force").code == 0
    bad = run_cli(root, "new", "-t", "Internal Audit", "--id", "Bad Id")
    assert bad.code == 2 and "not a valid spec id" in bad.err
    printed = run_cli(root, "new", "-t", "month-end close", "--out", "-")
    assert printed.code == 0 and printed.out.startswith("# yaml-language-server")
    assert "id: month-end-close\n" in printed.out


def test_keys_and_ids() -> None:
    assert spec_id("30-day Review: Q4!") == "30-day-review-q4"
    assert yaml_key("Plan tier") == "Plan tier"
    assert yaml_key("30-day review") == '"30-day review"'
    assert yaml_key("yes") == '"yes"'
    assert yaml_key("Notes: internal") == '"Notes: internal"'


def test_new_points_at_the_schema_init_wrote(tmp_path: Path) -> None:
    root = empty_project(tmp_path)
    assert run_cli(root, "init").code == 0
    for out in ("specs/audit.yaml", "specs/team/audit-2.yaml"):
        made = run_cli(root, "new", "-t", "Internal Audit", "--id", Path(out).stem, "--out", out)
        assert made.code == 0, made.text
        spec = root / out
        schema = re.match(r"# yaml-language-server: \$schema=(\S+)\n", spec.read_text())
        assert schema and not Path(schema.group(1)).is_absolute(), schema
        assert "launchspec init" not in made.out
        assert (spec.parent / schema.group(1)).resolve() == root / "schema/launchspec.schema.json"


def test_new_refuses_an_id_the_project_already_has(tmp_path: Path) -> None:
    root = empty_project(tmp_path)
    (root / "specs" / "audit.yaml").write_text(
        "id: internal-audit\ntemplate: Internal Audit\nname: Audit\n"
    )
    taken = run_cli(root, "new", "-t", "Internal Audit", "--out", "specs/other.yaml")
    assert taken.code == 2, taken.text
    assert "id 'internal-audit' is already used in specs/audit.yaml:1" in taken.err
    assert "--id" in taken.err
    assert not (root / "specs" / "other.yaml").exists()
    # Replacing the very file that holds the id is what --force is for.
    replaced = run_cli(root, "new", "-t", "Internal Audit", "--out", "specs/audit.yaml", "--force")
    assert replaced.code == 0, replaced.text
