"""A hostile or broken server cannot hang, flood or stall the client: every budget holds."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from runner.client.budgets import MIB, Budgets
from runner.client.client import TallyfyClient
from runner.errors import ApiError, IndeterminateError
from tests.support.cli import make_project, run_cli
from tests.support.hostile import hostile
from tests.support.sandbox import SandboxProcess

ORG = "5192e8fadff2a873872ba9aed3f2e334"
TEMPLATE = "efd12534ded06f20e21b33e8dacf1f15"


def _client(url: str, **budgets: float) -> TallyfyClient:
    return TallyfyClient(url, ORG, "test-token", budgets=Budgets(**budgets), max_attempts=3)  # type: ignore[arg-type]


@pytest.mark.timeout(20)
def test_a_trickling_answer_is_cut_at_the_response_deadline() -> None:
    with hostile("trickle", pace=0.2) as server, _client(server.url, response_seconds=1) as c:
        started = time.monotonic()
        with pytest.raises(ApiError) as caught:
            c.me()
    assert time.monotonic() - started < 5
    assert "longer than 1 s" in str(caught.value) and "GET /me" in str(caught.value)
    assert len(server.requests) == 1  # a slow server is not asked again


@pytest.mark.timeout(20)
def test_a_trickling_launch_answer_is_indeterminate_not_resent() -> None:
    with (
        hostile("trickle", pace=0.2) as server,
        _client(server.url, response_seconds=1) as c,
        pytest.raises(IndeterminateError),
    ):
        c.launch_run({"checklist_id": TEMPLATE})
    assert len(server.requests) == 1


@pytest.mark.timeout(20)
@pytest.mark.parametrize("mode", ["flood", "declared_flood"])
def test_an_answer_over_the_size_cap_is_refused(mode: str) -> None:
    with (
        hostile(mode, size=8 * MIB) as server,
        _client(server.url, max_response_bytes=MIB) as c,
        pytest.raises(ApiError) as caught,
    ):
        c.get_template(TEMPLATE)
    assert "larger than 1 MiB" in str(caught.value)


@pytest.mark.timeout(20)
def test_the_command_deadline_stops_further_requests() -> None:
    with hostile("trickle", pace=0.2) as server:
        client = _client(server.url, deadline_seconds=1.5, response_seconds=60)
        started = time.monotonic()
        with client, pytest.raises(ApiError) as caught:
            client.me()
        assert time.monotonic() - started < 5
        with client, pytest.raises(ApiError) as later:
            client.list_users()
    assert "limits.deadline_seconds" in str(later.value) or "longer" in str(caught.value)
    assert "ran out of time" in str(later.value)


class FakeClock:
    """A clock that moves only when the client sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.mark.timeout(20)
def test_endless_retry_after_spends_the_wait_budget_and_says_so() -> None:
    clock = FakeClock()
    with hostile("throttle") as server:
        client = TallyfyClient(server.url, ORG, "test-token", sleep=clock.sleep, clock=clock,
                               budgets=Budgets(wait_budget_seconds=300))
        with client, pytest.raises(ApiError) as caught:
            client.me()
    message = str(caught.value)
    assert "99999999" in message and "wait budget of 300 s" in message
    assert "Too Many Attempts." in message  # the server's own words
    assert clock.slept == [120.0, 120.0]  # capped at two minutes each; a third passes 300 s


@pytest.mark.timeout(30)
def test_workers_waiting_out_the_same_retry_after_spend_the_budget_once(
    sandbox_factory: Callable[..., SandboxProcess],
) -> None:
    """Issue 20, item 8: eight workers throttled together each waited out the same minute,
    and every worker's wait was added to one total: 600 s of a 600 s budget were "spent"
    after about two minutes. The budget is the command's wall-clock time held back."""
    sb = sandbox_factory("--throttle", "1")  # one request a minute: every other one is a 429
    sleeps: list[float] = []  # nobody really waits; the clock is real, so waits overlap
    errors: list[str] = []

    def worker(client: TallyfyClient) -> None:
        try:
            client.me()
        except ApiError as e:
            errors.append(str(e))

    with TallyfyClient(sb.url, sb.org, sb.token, sleep=sleeps.append, max_attempts=6,
                       budgets=Budgets(wait_budget_seconds=600)) as client:  # fmt: skip
        threads = [threading.Thread(target=worker, args=(client,)) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(errors) == 7  # one request got through; the others ran out of attempts
    assert not [e for e in errors if "wait budget" in e], errors[0]
    assert all("Too many requests" in e for e in errors), errors


@pytest.mark.timeout(20)
def test_an_empty_template_answer_is_an_api_error_not_a_template() -> None:
    with hostile("empty") as server, _client(server.url) as c, pytest.raises(ApiError) as caught:
        c.get_template(TEMPLATE)
    assert "no template" in str(caught.value)


@pytest.mark.timeout(60)
def test_plan_against_a_trickling_server_ends_with_the_request_named(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    (root / "launchspec.yaml").write_text("limits: {settle_seconds: 1, response_seconds: 1}\n")
    with hostile("trickle", pace=0.3) as server:
        env = {"TALLYFY_API_URL": server.url, "TALLYFY_ORG_ID": ORG, "TALLYFY_TOKEN": "t0k3n-x"}
        started = time.monotonic()
        result = run_cli(root, "plan", env=env, timeout=50)
    assert time.monotonic() - started < 30
    assert result.code == 1, result.text
    assert "longer than 1 s" in result.err and "GET /organizations/" in result.err
    assert "Traceback" not in result.err
