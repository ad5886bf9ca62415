"""plan and apply end to end, over real HTTP against the sandbox."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import lockfile, make_project, run_cli
from tests.support.sandbox import SandboxProcess, list_runs

EXAMPLE_KEYS = {
    "audit-2026-q4-finance",
    "month-end-2026-11-acme-gmbh",
    "month-end-2026-11-acme-inc",
    "month-end-2026-11-acme-kk",
    "onboarding-globex",
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path)


def test_apply_twice_launches_once(project: Path, sandbox: SandboxProcess) -> None:
    env = sandbox.env()
    first = run_cli(project, "apply", "--yes", env=env)
    assert first.code == 0, first.text
    assert "Apply complete: 5 launched" in first.out
    lock = lockfile(project)
    assert set(lock["launches"]) == EXAMPLE_KEYS
    runs = list_runs(sandbox)
    assert len(runs) == 5
    assert {r["id"] for r in runs} == {e["run_id"] for e in lock["launches"].values()}

    plan = run_cli(project, "plan", "--detailed-exitcode", env=env)
    assert plan.code == 0, plan.text
    assert "No changes" in plan.out
    second = run_cli(project, "apply", "--yes", env=env)
    assert second.code == 0, second.text
    assert len(list_runs(sandbox)) == 5
    assert lockfile(project)["serial"] == lock["serial"]


def test_parent_is_launched_first_and_linked(project: Path, sandbox: SandboxProcess) -> None:
    assert run_cli(project, "apply", "--yes", env=sandbox.env()).code == 0
    launches = lockfile(project)["launches"]
    child = next(r for r in list_runs(sandbox) if r["id"] ==
                 launches["audit-2026-q4-finance"]["run_id"])
    assert child["parent_id"] == launches["month-end-2026-11-acme-inc"]["run_id"]


def test_detailed_exitcode_and_json_plan(project: Path, sandbox: SandboxProcess) -> None:
    result = run_cli(project, "plan", "--format", "json", "--detailed-exitcode",
                     env=sandbox.env())
    assert result.code == 2, result.text
    doc = json.loads(result.out)
    assert doc["format_version"] == 2 and doc["summary"]["actions"]["create"] == 5
    assert doc["summary"]["rows"]["launch"] == 5 and doc["summary"]["reasons"]["new"] == 5
    assert {a["key"] for a in doc["actions"]} == EXAMPLE_KEYS


def test_stale_saved_plan_is_refused(project: Path, sandbox: SandboxProcess) -> None:
    env = sandbox.env()
    assert run_cli(project, "plan", "--out", "p.json", env=env).code == 0
    spec = project / "specs" / "month-end-close.yaml"
    spec.write_text(spec.read_text().replace("Intercompany loan", "Intercompany LOAN"))
    result = run_cli(project, "apply", str(project / "p.json"), "--yes", env=env)
    assert result.code == 1
    assert "stale" in result.err and "specs/month-end-close.yaml" in result.err
    assert list_runs(sandbox) == []


def test_saved_plan_applies_when_fresh(project: Path, sandbox: SandboxProcess) -> None:
    env = sandbox.env()
    assert run_cli(project, "plan", "--out", "p.json", env=env).code == 0
    result = run_cli(project, "apply", str(project / "p.json"), "--yes", env=env)
    assert result.code == 0, result.text
    assert len(list_runs(sandbox)) == 5


def test_update_edit_replace_orphan_prune(project: Path, sandbox: SandboxProcess) -> None:
    env = sandbox.env()
    assert run_cli(project, "apply", "--yes", env=env).code == 0
    before = lockfile(project)["launches"]
    spec = project / "specs" / "month-end-close.yaml"
    text = spec.read_text()
    text = text.replace('name: "Month-end close - {{ vars.entity }} - {{ vars.period }}"\n'
                        "owner: mei@example.com\nvars: {entity: Acme GmbH",
                        'name: "Close - {{ vars.entity }}"\n'
                        "owner: mei@example.com\nvars: {entity: Acme GmbH")
    text = text.replace("Reporting currency: JPY", "Reporting currency: USD")
    spec.write_text(text)
    (project / "specs" / "onboarding-globex.yaml").unlink()

    plan = run_cli(project, "plan", "--format", "json", env=env)
    kinds = {a["key"]: a["row"] for a in json.loads(plan.out)["actions"]}
    assert kinds["month-end-2026-11-acme-gmbh"] == "update"
    assert kinds["month-end-2026-11-acme-kk"] == "edited"
    assert kinds["onboarding-globex"] == "orphaned"
    assert kinds["month-end-2026-11-acme-inc"] == "unchanged"

    applied = run_cli(project, "apply", "--yes", env=env)
    assert applied.code == 0, applied.text
    gmbh = before["month-end-2026-11-acme-gmbh"]["run_id"]
    run = next(r for r in list_runs(sandbox) if r["id"] == gmbh)
    assert run["name"] == "Close - Acme GmbH"
    assert lockfile(project)["launches"]["month-end-2026-11-acme-kk"] == \
        before["month-end-2026-11-acme-kk"]

    replaced = run_cli(project, "apply", "--yes", "--replace", "month-end-2026-11-acme-kk",
                       "--prune", env=env)
    assert replaced.code == 0, replaced.text
    after = lockfile(project)["launches"]
    assert "onboarding-globex" not in after
    assert after["month-end-2026-11-acme-kk"]["run_id"] != \
        before["month-end-2026-11-acme-kk"]["run_id"]
    archived = {r["id"] for r in list_runs(sandbox, status="archived")}
    assert before["onboarding-globex"]["run_id"] in archived
    assert before["month-end-2026-11-acme-kk"]["run_id"] in archived
    final = run_cli(project, "plan", "--detailed-exitcode", env=env)
    assert final.code == 0, final.text


def test_launch_limit(project: Path, sandbox: SandboxProcess) -> None:
    result = run_cli(project, "apply", "--yes", "--max-launches", "2", env=sandbox.env())
    assert result.code == 2
    assert "would launch 5 processes, over the limit of 2" in result.err
    assert list_runs(sandbox) == []


def test_apply_without_yes_off_a_terminal_refuses(project: Path, sandbox: SandboxProcess) -> None:
    result = run_cli(project, "apply", env=sandbox.env())
    assert result.code == 2 and "--yes" in result.err
    assert list_runs(sandbox) == []


def test_apply_without_credentials_is_a_usage_error(project: Path) -> None:
    result = run_cli(project, "apply", "--yes")
    assert result.code == 2 and "TALLYFY_TOKEN" in result.err
    assert "Traceback" not in result.text


def test_cut_connections_never_double_launch(project: Path, sandbox_factory) -> None:  # type: ignore[no-untyped-def]
    sb = sandbox_factory("--cut-after-commit", "1.0", "--fault-seed", "1")
    result = run_cli(project, "apply", "--yes", env=sb.env())
    assert result.code == 0, result.text
    runs = list_runs(sb)
    assert len(runs) == 5 and len({r["name"] for r in runs}) == 5
    assert {r["id"] for r in runs} == {e["run_id"] for e in lockfile(project)["launches"].values()}
    assert run_cli(project, "apply", "--yes", env=sb.env()).code == 0
    assert len(list_runs(sb)) == 5


@pytest.mark.slow
def test_throttling_and_server_errors_slow_but_do_not_fail(project: Path, sandbox_factory) -> None:  # type: ignore[no-untyped-def]
    sb = sandbox_factory("--error-rate", "0.2", "--throttle", "600", "--fault-seed", "4")
    # A launch answered 502/504 may still be committed behind the gateway: it stays pending
    # and a later apply settles it; every other failure is retried within the same apply.
    results = []
    for _ in range(5):
        results.append(run_cli(project, "apply", "--yes", env=sb.env()))
        if results[-1].code == 0:
            break
    assert results[-1].code == 0, "".join(r.text for r in results)
    runs = list_runs(sb)
    assert len(runs) == len(lockfile(project)["launches"])
    assert len({r["name"] for r in runs}) == len(runs)


def test_token_never_appears(project: Path, sandbox_factory) -> None:  # type: ignore[no-untyped-def]
    sb = sandbox_factory("--token", "tok-SECRET-4f9a1c")
    env = sb.env()
    outputs = [
        run_cli(project, "-vv", "validate", env=env),
        run_cli(project, "-vv", "plan", "--out", "p.json", env=env),
        run_cli(project, "-vv", "plan", "--format", "markdown", env=env),
        run_cli(project, "-vv", "apply", "--yes", env=env),
        run_cli(project, "-vv", "plan", "--format", "json", env=env),
    ]
    files = [p.read_text(errors="replace") for p in project.rglob("*") if p.is_file()
             and "sandbox" not in p.name]
    everything = "".join(r.text for r in outputs) + "".join(files)
    assert "tok-SECRET-4f9a1c" not in everything
    assert outputs[3].code == 0
