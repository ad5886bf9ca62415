"""Persistence across a restart with --db, and a clean stop on SIGTERM and SIGINT."""

from __future__ import annotations

import signal
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.sandbox.api import S_KICKOFF, Api, ids_of, pagination, wrapped
from tests.support.sandbox import SandboxProcess

Factory = Callable[..., SandboxProcess]


def test_runs_survive_a_restart(stoppable: Factory, tmp_path: Path) -> None:
    db = str(tmp_path / "sandbox.db")
    first = stoppable("--db", db)
    with Api(first) as api:
        run = api.launch_ok(
            name="persisted", users=[1002], tasks={S_KICKOFF: {"owners": {"users": [1004]}}}
        )
        archived = api.launch_ok(name="persisted archived")
        assert api.delete(f"runs/{archived['id']}").status_code == 200
    assert first.stop() == 0

    second = stoppable("--db", db)
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


def test_without_db_state_is_not_kept(stoppable: Factory) -> None:
    first = stoppable()
    with Api(first) as api:
        api.launch_ok(name="in memory")
    first.stop()
    with Api(stoppable()) as api:
        assert pagination(api.get("runs").json())["total"] == 0


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_clean_stop(stoppable: Factory, sig: signal.Signals) -> None:
    sb = stoppable()
    with Api(sb) as api:
        api.launch_ok(name="before stop")
    assert sb.stop(sig) == 0, sb.output
    with pytest.raises(httpx.TransportError):
        httpx.get(sb.url + "/me", timeout=2)
