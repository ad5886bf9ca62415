"""for_each and every end to end: the CLI against the sandbox over real HTTP, with a fixed clock."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.support.cli import REPO, lockfile, make_project, run_cli
from tests.support.sandbox import SandboxProcess, list_runs

CLIENTS = {"client-onboarding[hooli]", "client-onboarding[initech]", "client-onboarding[umbrella]"}
# 1 December 2026 is a Tuesday: the 1st working day, 09:00 in Berlin.
DEC = "2026-12-01T08:00:00Z"


def _env(sb: SandboxProcess, now: str) -> dict[str, str]:
    return {**sb.env(), "LAUNCHSPEC_NOW": now}


def _kinds(root: Path, env: dict[str, str], *args: str) -> dict[str, str]:
    result = run_cli(root, "plan", "--format", "json", *args, env=env)
    assert result.code == 0, result.text
    return {a["key"]: a["row"] for a in json.loads(result.out)["actions"]}


def _monthly_only(tmp_path: Path) -> Path:
    specs = tmp_path / "src"
    specs.mkdir()
    shutil.copy(REPO / "specs" / "month-end-close-monthly.yaml", specs)
    return make_project(tmp_path, specs)


def test_examples_launch_once_per_period(tmp_path: Path, sandbox: SandboxProcess) -> None:
    root = make_project(tmp_path, repeating=True)
    first = run_cli(root, "apply", "--yes", env=_env(sandbox, DEC))
    assert first.code == 0, first.text
    keys = set(lockfile(root)["launches"])
    assert CLIENTS | {"month-end-close@2026-12", "onboarding-globex"} <= keys and len(keys) == 9
    names = {r["name"] for r in list_runs(sandbox)}
    assert {"Onboarding - Hooli Ltd", "Month-end close - Acme Inc. - 2026-11"} <= names

    # Later in the same period (another day, another time zone's midnight): nothing to do.
    later = _env(sandbox, "2026-12-31T22:59:00Z")
    assert run_cli(root, "plan", "--detailed-exitcode", env=later).code == 0
    again = run_cli(root, "apply", "--yes", env=later)
    assert again.code == 0 and "nothing to do" in again.out, again.text
    assert len(list_runs(sandbox)) == 9

    # 23:00 UTC on 31 December is January in Berlin, and 1 January 2027 is a Friday.
    january = _env(sandbox, "2026-12-31T23:00:00Z")
    kinds = _kinds(root, january)
    assert kinds["month-end-close@2027-01"] == "launch"
    assert "month-end-close@2026-12" not in kinds  # history: neither wanted nor orphaned
    assert list(kinds.values()).count("launch") == 1
    pruned = run_cli(root, "apply", "--yes", "--prune", env=january)
    assert pruned.code == 0 and "1 launched" in pruned.out, pruned.text
    assert "month-end-close@2026-12" in lockfile(root)["launches"]
    assert list_runs(sandbox, status="archived") == []


def test_not_due_before_the_first_working_day(tmp_path: Path, sandbox: SandboxProcess) -> None:
    root = _monthly_only(tmp_path)
    # Saturday 1 May 2027: May's 1st working day is Monday the 3rd; April is not back-filled.
    saturday = _env(sandbox, "2027-05-01T12:00:00Z")
    assert run_cli(root, "plan", "--detailed-exitcode", env=saturday).code == 0
    assert _kinds(root, saturday, "--backfill", "1") == {
        "month-end-close@2027-04": "launch", "month-end-close@2027-05": "scheduled"}
    monday = run_cli(root, "apply", "--yes", env=_env(sandbox, "2027-05-03T06:00:00Z"))
    assert monday.code == 0, monday.text
    assert set(lockfile(root)["launches"]) == {"month-end-close@2027-05"}


def test_backfill_launches_at_most_n_missed(tmp_path: Path, sandbox: SandboxProcess) -> None:
    root = _monthly_only(tmp_path)
    march = _env(sandbox, "2027-03-02T09:00:00Z")
    assert run_cli(root, "apply", "--yes", env=march).code == 0
    assert set(lockfile(root)["launches"]) == {"month-end-close@2027-03"}
    filled = run_cli(root, "apply", "--yes", "--backfill", "2", env=march)
    assert filled.code == 0 and "2 launched" in filled.out, filled.text
    assert set(lockfile(root)["launches"]) == {
        "month-end-close@2027-01", "month-end-close@2027-02", "month-end-close@2027-03"}
    periods = sorted(r["name"][-7:] for r in list_runs(sandbox))
    assert periods == ["2026-12", "2027-01", "2027-02"]  # each closes the month before
    again = run_cli(root, "apply", "--yes", "--backfill", "2", env=march)
    assert again.code == 0 and "nothing to do" in again.out, again.text
    assert len(list_runs(sandbox)) == 3


def test_for_each_rows_reordered_added_removed(tmp_path: Path, sandbox: SandboxProcess) -> None:
    root = make_project(tmp_path, repeating=True)
    (root / "specs" / "month-end-close-monthly.yaml").unlink()
    env = _env(sandbox, DEC)
    assert run_cli(root, "apply", "--yes", env=env).code == 0
    before = lockfile(root)
    csv = root / "specs" / "data" / "clients.csv"
    header, *rows = csv.read_text().splitlines()
    csv.write_text("\n".join([header, *reversed(rows)]) + "\n")
    assert run_cli(root, "plan", "--detailed-exitcode", env=env).code == 0

    rows.append("globex,Globex Corp,Enterprise,EMEA,ap@globex.example,2027-02-01")
    csv.write_text("\n".join([header, *rows[1:]]) + "\n")  # initech out, globex in
    kinds = _kinds(root, env)
    assert kinds["client-onboarding[globex]"] == "launch"
    assert kinds["client-onboarding[initech]"] == "orphaned"
    assert kinds["client-onboarding[hooli]"] == kinds["client-onboarding[umbrella]"] == "unchanged"
    applied = run_cli(root, "apply", "--yes", env=env)
    assert applied.code == 0 and "1 launched" in applied.out, applied.text
    after = lockfile(root)["launches"]
    assert after["client-onboarding[hooli]"] == before["launches"]["client-onboarding[hooli]"]
    assert len(list_runs(sandbox)) == 9  # 5 single launches, 3 clients, then globex


def test_for_each_child_of_one_element(tmp_path: Path, sandbox: SandboxProcess) -> None:
    root = make_project(tmp_path, repeating=True)
    (root / "specs" / "month-end-close-monthly.yaml").unlink()
    (root / "specs" / "kyc.yaml").write_text(
        "id: audit-hooli\ntemplate: Internal Audit\nparent: client-onboarding[hooli]\n"
        "prerun: {Scope: KYC, Audit area: Finance}\n"
    )
    result = run_cli(root, "apply", "--yes", env=_env(sandbox, DEC))
    assert result.code == 0, result.text
    launches = lockfile(root)["launches"]
    child = next(r for r in list_runs(sandbox) if r["id"] == launches["audit-hooli"]["run_id"])
    assert child["parent_id"] == launches["client-onboarding[hooli]"]["run_id"]


@pytest.mark.slow
def test_recurring_workflow_launches_once(tmp_path: Path, sandbox: SandboxProcess) -> None:
    from tests.support.workflows import WORKFLOWS, repo_actionlint, run_steps

    workflow = WORKFLOWS / "recurring.yml"
    assert repo_actionlint()[workflow.name] == ""
    work = _monthly_only(tmp_path)
    for day in ("2026-12-01T05:17:00Z", "2026-12-02T05:17:00Z"):  # two scheduled runs
        ran = run_steps(workflow, work, sandbox.env(), LAUNCHSPEC_NOW=day)
        proc, _ = ran["apply"]
        assert proc.returncode == 0, proc.stdout + proc.stderr
    assert set(lockfile(work)["launches"]) == {"month-end-close@2026-12"}
    assert len(list_runs(sandbox)) == 1
