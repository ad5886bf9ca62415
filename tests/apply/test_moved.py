"""`moved:` renames launch keys without relaunching, as Terraform's `moved` blocks do: the plan
shows OLD -> NEW, apply rewrites the lockfile and the run's marker, and nothing launches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runner.state.provenance import marker_for, markers_in
from tests.support.cli import lockfile, make_project, run_cli
from tests.support.sandbox import SandboxProcess, list_runs

NOW = {"LAUNCHSPEC_NOW": "2026-11-30T09:00:00Z"}
MOVED = (
    "moved:\n"
    "  - {from: onboarding-globex, to: onboarding-globex-corp}\n"
    "  - {from: 'client-onboarding[initech]', to: 'client-onboarding[initech-corp]'}\n"
)


def _renamed(tmp_path: Path, sandbox: SandboxProcess) -> tuple[Path, dict[str, str]]:
    """A project applied once, then its spec id and one CSV key renamed."""
    root = make_project(tmp_path, repeating=True)
    (root / "specs" / "month-end-close-monthly.yaml").unlink()
    env = {**sandbox.env(), **NOW}
    assert run_cli(root, "apply", "--yes", env=env).code == 0
    spec = root / "specs" / "onboarding-globex.yaml"
    spec.write_text(
        spec.read_text().replace("id: onboarding-globex\n", "id: onboarding-globex-corp\n")
    )
    data = root / "specs" / "data" / "clients.csv"
    data.write_text(data.read_text().replace("initech,Initech", "initech-corp,Initech"))
    # Later: a moved key renders at its run's launch time, as any launched key does, or its
    # deadlines (counted from launch) would read as edited.
    return root, {**env, "LAUNCHSPEC_NOW": "2026-12-01T15:30:00Z"}


def test_a_moved_key_keeps_its_run(tmp_path: Path, sandbox: SandboxProcess) -> None:
    root, env = _renamed(tmp_path, sandbox)
    runs = {r["id"] for r in list_runs(sandbox)}
    before = lockfile(root)["launches"]
    (root / "launchspec.yaml").write_text((root / "launchspec.yaml").read_text() + MOVED)

    planned = run_cli(root, "plan", env=env)
    assert planned.code == 0, planned.text
    assert "> onboarding-globex -> onboarding-globex-corp  moved" in planned.out, planned.out
    assert "> client-onboarding[initech] -> client-onboarding[initech-corp]  moved" in planned.out
    assert "to launch" not in planned.out.split("\n", 1)[1] and "orphaned" not in planned.out
    assert "changed after launch" not in planned.out, planned.out
    review = run_cli(root, "plan", "--format", "markdown", env=env).out
    assert "2 moved" in review and "onboarding-globex -&gt; onboarding-globex-corp" in review
    doc = json.loads(run_cli(root, "plan", "--format", "json", env=env).out)
    moved = {a["key"]: a["moved_from"] for a in doc["actions"] if a["action"] == "move"}
    assert moved == {
        "onboarding-globex-corp": "onboarding-globex",
        "client-onboarding[initech-corp]": "client-onboarding[initech]",
    }

    applied = run_cli(root, "apply", "--yes", env=env)
    assert applied.code == 0, applied.text
    assert {r["id"] for r in list_runs(sandbox)} == runs, "nothing is launched"
    after = lockfile(root)["launches"]
    assert "onboarding-globex" not in after and "client-onboarding[initech]" not in after
    assert after["onboarding-globex-corp"]["run_id"] == before["onboarding-globex"]["run_id"]
    run_id = after["client-onboarding[initech-corp]"]["run_id"]
    assert run_id == before["client-onboarding[initech]"]["run_id"]
    summary = next(r["summary"] for r in list_runs(sandbox) if r["id"] == run_id)
    lineage = lockfile(root)["lineage"]
    # the new key's marker, and no other (the old key's is gone)
    assert markers_in(summary) == [marker_for(lineage, "client-onboarding[initech-corp]")]

    again = run_cli(root, "plan", "--detailed-exitcode", env=env)
    assert again.code == 0, again.text  # nothing to do: the moves are applied


def test_a_move_that_cannot_be_is_refused(tmp_path: Path, sandbox: SandboxProcess) -> None:
    root, env = _renamed(tmp_path, sandbox)
    config = root / "launchspec.yaml"
    base = config.read_text()
    config.write_text(base + "moved:\n  - {from: onboarding-globex, to: onboarding-globx}\n")
    wrong = run_cli(root, "plan", env=env)
    assert wrong.code == 1 and "no spec asks for onboarding-globx" in wrong.err, wrong.text
    config.write_text(base + "moved:\n  - {from: onboarding-globex, to: audit-2026-q4-finance}\n")
    both = run_cli(root, "plan", env=env)
    assert both.code == 1 and "both keys are recorded" in both.err, both.text


def test_a_move_cut_off_before_the_lockfile_write_is_finished_by_the_next_apply(
    tmp_path: Path, sandbox: SandboxProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    from runner.apply.ledger import Ledger
    from runner.cli.main import main

    root, env = _renamed(tmp_path, sandbox)
    (root / "launchspec.yaml").write_text((root / "launchspec.yaml").read_text() + MOVED)
    runs = {r["id"] for r in list_runs(sandbox)}
    before = lockfile(root)["launches"]

    def killed(*args: object) -> None:
        raise RuntimeError("killed between the marker's PUT and the lockfile write")

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)  # main() changes directory: the test's is restored after
    with monkeypatch.context() as m:
        m.setattr(Ledger, "moved", killed)
        with pytest.raises(RuntimeError, match="killed"):
            main(["-C", str(root), "apply", "--yes", "--target", "onboarding-globex-corp"])
    assert lockfile(root)["launches"] == before  # the run is marked NEW, recorded OLD
    planned = run_cli(root, "plan", env=env)
    assert "> onboarding-globex -> onboarding-globex-corp  moved" in planned.out, planned.text
    applied = run_cli(root, "apply", "--yes", env=env)
    assert applied.code == 0, applied.text
    assert {r["id"] for r in list_runs(sandbox)} == runs, "nothing is launched"
    after = lockfile(root)["launches"]
    assert after["onboarding-globex-corp"]["run_id"] == before["onboarding-globex"]["run_id"]
    assert "onboarding-globex" not in after
    assert run_cli(root, "plan", "--detailed-exitcode", env=env).code == 0


def test_a_moved_key_is_never_recovered_from_the_journal(
    tmp_path: Path, sandbox: SandboxProcess
) -> None:
    """The old key's launch still in the journal (its apply died after the launch answer):
    the move closes that record, so no later command records the run under the old key.
    In-process, without the clean apply's compaction, which would hide a record left open."""
    from datetime import datetime

    from runner.apply.apply import Applier
    from runner.project.planning import PlanInputs, plan
    from runner.specs.config import load_config
    from runner.state.journal import Journal
    from tests.support.client import Harness

    root, env = _renamed(tmp_path, sandbox)
    (root / "launchspec.yaml").write_text((root / "launchspec.yaml").read_text() + MOVED)
    old = lockfile(root)["launches"]["onboarding-globex"]
    config = load_config(root)
    journal = Journal(config.state_dir)
    entry = {k: v for k, v in old.items() if k != "run_id"}
    journal.record_launch(journal.intent("onboarding-globex", "", entry), old["run_id"])
    client = Harness(sandbox).client
    now = datetime.fromisoformat(env["LAUNCHSPEC_NOW"].replace("Z", "+00:00"))
    planned = plan(PlanInputs(config, client, now=now, targets=["onboarding-globex-corp"]))
    assert [a.verb for a in planned.plan.actions] == ["move"]
    result = Applier(client, planned.lock, journal, config.lockfile).run(planned.plan)
    assert result.ok and [e.kind for e in result.events] == ["moved"], result.events
    assert "onboarding-globex" not in {i.key for i, _ in Journal(config.state_dir).launched()}
