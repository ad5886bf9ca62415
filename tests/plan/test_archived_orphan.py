"""An orphaned key whose run is already archived in Tallyfy: the plan says so and `apply
--prune` drops it from the lockfile without archiving it again (issue 21, item 6)."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.support.cli import lockfile, make_project, run_cli
from tests.support.sandbox import SandboxProcess, api_headers

KEY = "onboarding-globex"


def test_an_archived_orphan_is_not_archived_again(tmp_path: Path, sandbox: SandboxProcess) -> None:
    root, env = make_project(tmp_path), sandbox.env()
    assert run_cli(root, "apply", "--yes", env=env).code == 0
    run_id = lockfile(root)["launches"][KEY]["run_id"]
    with httpx.Client(timeout=10, headers=api_headers(sandbox)) as http:  # archived by hand
        http.delete(f"{sandbox.url}/organizations/{sandbox.org}/runs/{run_id}").raise_for_status()
    (root / "specs" / f"{KEY}.yaml").unlink()

    plan = run_cli(root, "plan", env=env)
    assert plan.code == 0, plan.text
    assert "already archived in Tallyfy" in plan.out, plan.out
    assert "apply --prune` archives its run" not in plan.out

    pruned = run_cli(root, "-vv", "apply", "--prune", "--yes", env=env)
    assert pruned.code == 0, pruned.text
    calls = pruned.err
    assert f"GET /organizations/{sandbox.org}/runs/{run_id}" in calls, calls  # its state read
    assert f"DELETE /organizations/{sandbox.org}/runs/{run_id}" not in calls, calls
    assert "1 archived" not in pruned.out and "1 dropped" in pruned.out, pruned.out
    assert KEY not in lockfile(root)["launches"]
