"""`import KEY RUN_ID` adopts only a run that fits the spec, and never one recorded elsewhere."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.chaos.harness import Server, read_lock
from tests.support.by_hand import GMBH, GMBH_NAME, MONTH_END
from tests.support.cli import make_project, run_cli
from tests.support.sandbox import SandboxProcess

PERIOD, ENTITY = "de2e7cb6223698268b40e953d3692403", "bb45365012ec3bf9d8a3a9105ee7c16a"
GMBH_ENTITY = {"id": 42, "text": "Acme GmbH"}


def _by_hand(server: Server, name: str, period: str = "2026-11") -> str:
    run = server.launch({"checklist_id": MONTH_END, "name": name,
                         "prerun": {PERIOD: period, ENTITY: GMBH_ENTITY}})
    return str(run["id"])


def test_a_run_that_does_not_match_the_spec_is_refused_without_force(
    tmp_path: Path, sandbox_factory: Callable[..., SandboxProcess]
) -> None:
    server = Server(sandbox_factory("--admin"))
    root = make_project(tmp_path)
    other = _by_hand(server, "Something else entirely", period="2025-01")
    refused = run_cli(root, "import", GMBH, other, env=server.sb.env())
    assert refused.code == 1, refused.text
    assert f"name: {GMBH_NAME!r} in the spec, 'Something else entirely' on the run" in refused.err
    assert "Period" in refused.err and "--force" in refused.err
    assert read_lock(root) is None
    forced = run_cli(root, "import", "--force", GMBH, other, env=server.sb.env())
    assert forced.code == 0, forced.text
    lock = read_lock(root)
    assert lock is not None and lock.entries[GMBH].name == "Something else entirely"


def test_a_run_recorded_under_another_key_is_refused(
    tmp_path: Path, sandbox_factory: Callable[..., SandboxProcess]
) -> None:
    server = Server(sandbox_factory("--admin"))
    root = make_project(tmp_path)
    run = _by_hand(server, GMBH_NAME)
    assert run_cli(root, "import", GMBH, run, env=server.sb.env()).code == 0
    again = run_cli(root, "import", "--force", "month-end-2026-11-acme-kk", run,
                    env=server.sb.env())
    assert again.code == 2, again.text
    assert f"run {run} is already recorded as {GMBH!r}" in again.err
    assert f"moved: [{{from: {GMBH}, to: month-end-2026-11-acme-kk}}]" in again.err
