"""Lifecycle: persistence with --db, the --org/--token/--seed flags, clean stop on signals."""

from __future__ import annotations

import signal
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
import yaml

from tests.sandbox.api import (
    MONTH_END,
    ONBOARDING,
    S_KICKOFF,
    Api,
    ids_of,
    list_data,
    pagination,
    wrapped,
)
from tests.support.sandbox import SandboxProcess

Factory = Callable[..., SandboxProcess]
DEFAULT_SEED = Path(__file__).resolve().parents[2] / "runner" / "sandbox" / "default_seed.yaml"


def test_runs_survive_a_restart(sandbox_process: Factory, tmp_path: Path) -> None:
    db = str(tmp_path / "sandbox.db")
    first = sandbox_process("--db", db)
    with Api(first) as api:
        run = api.launch_ok(
            name="persisted", users=[1002], tasks={S_KICKOFF: {"owners": {"users": [1004]}}}
        )
        archived = api.launch_ok(name="persisted archived")
        assert api.delete(f"runs/{archived['id']}").status_code == 200
    assert first.stop() == 0

    second = sandbox_process("--db", db)
    with Api(second) as api:
        got = api.run(run["id"], **{"with": "tasks"})
        assert got["name"] == "persisted"
        assert got["created_at"] == run["created_at"]
        assert ids_of(got["users"]) == {1002}
        tasks = {t["step_id"]: t for t in wrapped(got["tasks"])}
        assert ids_of(tasks[S_KICKOFF]["owners"]["users"]) == {1004}
        assert pagination(api.get("runs").json())["total"] == 1
        assert api.run(archived["id"])["status"] == "archived"
        new = api.launch_ok(name="after restart")
        assert new["id"] not in {run["id"], archived["id"]}
        assert pagination(api.get("runs").json())["total"] == 2


def test_without_db_state_is_not_kept(sandbox_process: Factory) -> None:
    first = sandbox_process()
    with Api(first) as api:
        api.launch_ok(name="in memory")
    first.stop()
    with Api(sandbox_process()) as api:
        assert pagination(api.get("runs").json())["total"] == 0


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_clean_stop(sandbox_process: Factory, sig: signal.Signals) -> None:
    sb = sandbox_process()
    with Api(sb) as api:
        api.launch_ok(name="before stop")
    assert sb.stop(sig) == 0, sb.output
    with pytest.raises(httpx.TransportError):
        httpx.get(sb.url + "/me", timeout=2)


def test_org_and_token_flags(sandbox_process: Factory) -> None:
    org = "0f" * 16
    sb = sandbox_process("--org", org, "--token", "lsbx-custom-token")
    assert sb.org == org and sb.token == "lsbx-custom-token"
    assert f"org={org}" in sb.ready_line and "token=lsbx-custom-token" in sb.ready_line
    with Api(sb) as api:
        assert api.get("runs").status_code == 200
        assert api.launch_ok(name="custom org")["checklist_id"]
    with Api(sb, token="lsbx-test-token-not-a-secret") as old:
        assert old.get("runs").status_code == 401


def test_seed_flag(sandbox_process: Factory, tmp_path: Path) -> None:
    seed = yaml.safe_load(DEFAULT_SEED.read_text())
    tpl = next(t for t in seed["templates"] if t["id"] == MONTH_END)
    tpl["title"] = "Quarter-end Close"
    seed["templates"] = [tpl]
    path = tmp_path / "seed.yaml"
    path.write_text(yaml.safe_dump(seed))
    sb = sandbox_process("--seed", str(path))
    with Api(sb) as api:
        listed = list_data(api.get("checklists").json())
        assert [(t["id"], t["title"]) for t in listed] == [(MONTH_END, "Quarter-end Close")]
        assert api.get(f"checklists/{ONBOARDING}").status_code == 404
        run = api.launch_ok(MONTH_END, name="from custom seed")
        assert run["checklist_id"] == MONTH_END
