"""TallyfyClient against the sandbox over real HTTP: happy paths, errors, retries, faults."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from runner.errors import ApiError, AuthError, IndeterminateError, NotFoundError, ThrottledError
from tests.support.client import ONBOARDING, PRERUN, Harness, start
from tests.support.sandbox import SandboxProcess

CLOSE = "7bd3db0bb939aef446ffc68c3e8e653f"
SALES = "494f655ebf7b5ec5843f9cea26b8101d"


def launch_body(name: str = "Onboarding Globex Corp") -> dict[str, Any]:
    return {"checklist_id": ONBOARDING, "name": name, "prerun": PRERUN}


@pytest.fixture
def harness(sandbox: SandboxProcess) -> Iterator[Harness]:
    h = Harness(sandbox)
    yield h
    h.client.close()
    h.check_no_token()


# -- happy paths --------------------------------------------------------------------------
def test_reads(harness: Harness) -> None:
    c = harness.client
    assert c.me()["id"] == 1001
    template = c.get_template(ONBOARDING)
    assert isinstance(template["prerun"], list) and isinstance(template["steps"], list)
    assert {f["label"] for f in template["prerun"]} >= {"Client name", "Start date", "Plan tier"}
    assert [t["title"] for t in c.find_templates("month-end")] == ["Month-end Close"]
    assert [t["id"] for t in c.find_templates("client onboarding")] == [ONBOARDING]
    assert len(c.list_users()) == 5 and len(c.list_groups()) == 3
    assert len(c.list_tags()) == 4 and len(c.list_folders()) == 4  # nested ones too


def test_both_base_url_forms(sandbox: SandboxProcess) -> None:
    h = Harness(sandbox)
    other = h.make(sandbox.url.removesuffix("/api"), sandbox.token)
    assert h.client.me() == other.me()


def test_launch_read_list_archive_activate(harness: Harness) -> None:
    c = harness.client
    run = c.launch_run({**launch_body(), "users": [1002], "groups": [SALES]})
    assert run["checklist_id"] == ONBOARDING and len(run["id"]) == 32
    assert c.get_run(run["id"], ["tasks"])["tasks"]["data"]
    assert len(c.list_tasks(run["id"])) == len(c.get_template(ONBOARDING)["steps"])
    assert [r["id"] for r in c.list_runs(q="onboarding globex")] == [run["id"]]
    assert c.archive_run(run["id"])["status"] == "archived"
    assert list(c.list_runs(checklist_id=ONBOARDING)) == []
    assert [r["id"] for r in c.list_runs(status="archived")] == [run["id"]]
    assert c.activate_run(run["id"])["status"] == "active"


def test_paging_follows_total_pages(harness: Harness) -> None:
    c = harness.client
    launched = {c.launch_run(launch_body(f"Run {i}"))["id"] for i in range(5)}
    before = c.stats.requests
    assert {r["id"] for r in c.list_runs(per_page=2)} == launched
    assert c.stats.requests - before == 3


def test_update_keeps_members(harness: Harness) -> None:
    c = harness.client
    run = c.launch_run({**launch_body(), "users": [1002, 1003], "groups": [SALES]})
    updated = c.update_run(run["id"], {"name": "Renamed", "starred": True})
    assert updated["name"] == "Renamed" and updated["starred"] is True
    fresh = c.get_run(run["id"])
    assert fresh["users"] == [1002, 1003] and fresh["groups"] == [SALES]
    assert c.update_run(run["id"], {"users": [1004]})["groups"] == [SALES]


def test_a_pool_of_threads_shares_one_client(harness: Harness) -> None:
    c = harness.client
    with ThreadPoolExecutor(8) as pool:
        runs = list(pool.map(lambda i: c.launch_run(launch_body(f"P {i}")), range(16)))
    assert len({r["id"] for r in runs}) == 16
    assert len(list(c.list_runs())) == 16


# -- errors -------------------------------------------------------------------------------
def test_401_is_token_rejected(harness: Harness) -> None:
    bad = "wrong-token-0123456789"
    c = harness.make(harness.sb.url, bad)
    with pytest.raises(AuthError) as info:
        c.me()
    e = info.value
    assert e.status == 401 and "token was rejected" in str(e) and e.request_id
    assert bad not in str(e) and bad not in repr(e) and all(bad not in line for line in harness.log)


def test_404_resource_and_endpoint(harness: Harness) -> None:
    with pytest.raises(NotFoundError) as resource:
        harness.client.get_run("0" * 32)
    assert resource.value.code == "RESOURCE_NOT_FOUND" and resource.value.request_id
    assert resource.value.request == f"GET /organizations/{harness.sb.org}/runs/{'0' * 32}"
    wrong = harness.make(harness.sb.url + "/v1", harness.sb.token)
    with pytest.raises(NotFoundError) as endpoint:
        wrong.me()
    assert endpoint.value.code == "ENDPOINT_NOT_FOUND" and "base URL" in str(endpoint.value)


def test_422_carries_field_errors(harness: Harness) -> None:
    with pytest.raises(ApiError) as info:
        harness.client.launch_run({"checklist_id": ONBOARDING, "prerun": {}})
    e = info.value
    assert e.status == 422 and e.request_id and e.request.startswith("POST /organizations/")
    messages = [m for ms in e.field_errors.values() for m in ms]
    assert "Client name is required" in messages and "Plan tier is required" in messages
    assert "Client name is required" in str(e) and e.request_id in str(e)
    harness.check_no_token(str(e), repr(e))


# -- faults -------------------------------------------------------------------------------
def test_429_honours_retry_after(sandbox_factory: Callable[..., SandboxProcess]) -> None:
    h = start(sandbox_factory, "--throttle", "3")
    # While "sleeping", the window would empty; lift the throttle to stand for that.
    h.on_sleep = lambda s: h.admin("PUT", "faults", {"throttle": 0})
    for _ in range(3):
        h.client.me()
    assert h.client.me()["id"] == 1001
    stats = h.client.stats
    assert stats.throttled == 1 and stats.by_status["429"] == 1 and stats.retries == 1
    assert len(h.sleeps) == 1 and 50 <= h.sleeps[0] <= 60  # Retry-After of a one-minute window
    h.check_no_token()


def test_429_past_the_budget_is_throttled_error(
    sandbox_factory: Callable[..., SandboxProcess],
) -> None:
    h = start(sandbox_factory, "--throttle", "1")
    h.client.launch_run(launch_body())
    with pytest.raises(ThrottledError) as info:
        h.make(h.sb.url, h.sb.token, max_attempts=3).launch_run(launch_body())
    assert info.value.status == 429 and info.value.code == "RATE_LIMIT_EXCEEDED"
    assert h.runs_stored() == 1 and len(h.sleeps) == 2


def test_5xx_on_reads_is_retried(sandbox_factory: Callable[..., SandboxProcess]) -> None:
    h = start(sandbox_factory, "--error-rate", "0.3")
    for _ in range(20):
        assert h.client.me()["id"] == 1001
    stats = h.client.stats
    failures = sum(n for status, n in stats.by_status.items() if status.startswith("5"))
    assert failures > 0 and stats.retries == failures and stats.by_status["200"] == 20
    assert all(0 < s <= 30 for s in h.sleeps)


def test_post_answered_5xx_is_indeterminate_and_sent_once(
    sandbox_factory: Callable[..., SandboxProcess],
) -> None:
    h = start(sandbox_factory, "--error-rate", "1.0")
    with pytest.raises(IndeterminateError) as info:
        h.client.launch_run(launch_body())
    assert info.value.status in (500, 502, 503)
    assert h.posts() == 1 and h.runs_stored() == 0
    h.check_no_token(str(info.value))


def test_post_cut_after_commit_is_indeterminate_and_never_resent(
    sandbox_factory: Callable[..., SandboxProcess],
) -> None:
    h = start(sandbox_factory, "--cut-after-commit", "1.0")
    with pytest.raises(IndeterminateError) as info:
        h.client.launch_run(launch_body())
    e = info.value
    assert e.status is None and "may or may not have happened" in str(e)
    assert h.posts() == 1
    runs = list(h.client.list_runs(checklist_id=ONBOARDING))  # the read-back
    assert len(runs) == 1 and runs[0]["name"] == "Onboarding Globex Corp"
    h.check_no_token(str(e), repr(e))
