"""Fault injection: latency, error rate, throttle, cut after commit, seeded replay, ready line."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.sandbox.api import TRANSIENT, Api, headers, list_data, pagination, parse_time
from tests.support.sandbox import SandboxProcess

Factory = Callable[..., SandboxProcess]


def _faults(sb: SandboxProcess) -> dict[str, float]:
    """The `faults=` part of the ready line as {name: number}."""
    token = next(t for t in sb.ready_line.split() if t.startswith("faults="))
    value = token[len("faults=") :]
    assert value != "none", sb.ready_line
    out: dict[str, float] = {}
    for item in value.split(","):
        key, _, num = item.partition("=")
        out[key] = float(num)
    return out


def _admin(sb: SandboxProcess) -> httpx.Client:
    root = sb.url[: -len("/api")]
    return httpx.Client(base_url=root, headers=headers(sb.token), timeout=10)


def _runs_total(api: Api) -> int:
    r = api.get("runs", {"per_page": 100})
    assert r.status_code == 200, (r.status_code, r.text)
    return int(pagination(r.json())["total"])


# ---- ready line ----


def test_ready_line_names_the_faults(sandbox_process: Factory) -> None:
    sb = sandbox_process("--error-rate", "0.15", "--throttle", "600", "--fault-seed", "7",
                         "--ignore-sort")
    faults = _faults(sb)
    assert faults.get("ignore-sort") == 1
    assert faults.get("error-rate") == pytest.approx(0.15)
    assert faults.get("throttle") == 600
    assert faults.get("seed") == 7


def test_ready_line_names_latency_and_cut(sandbox_process: Factory) -> None:
    sb = sandbox_process("--latency-ms", "250", "--cut-after-commit", "0.5")
    token = next(t for t in sb.ready_line.split() if t.startswith("faults="))
    assert "latency" in token and "250" in token, sb.ready_line
    assert "cut" in token and "0.5" in token, sb.ready_line


# ---- latency ----


def test_latency_is_added(sandbox_factory: Factory) -> None:
    sb = sandbox_factory("--latency-ms", "300")
    with Api(sb) as api:
        calls: tuple[Callable[[], httpx.Response], ...] = (
            lambda: api.get("runs"),
            lambda: api.http.get("/me"),
            api.launch,
            lambda: api.get(f"runs/{'d' * 32}"),  # errors are delayed too
            lambda: api.get("no/such/endpoint"),
        )
        for call in calls:
            start = time.monotonic()
            r = call()
            elapsed = time.monotonic() - start
            assert r.status_code in (200, 201, 404), r.text
            assert elapsed >= 0.29, elapsed  # a lower bound only


# ---- error rate ----


def test_error_rate_one_fails_everything_and_launches_nothing(sandbox_factory: Factory) -> None:
    sb = sandbox_factory("--error-rate", "1.0", "--admin")
    with Api(sb) as api:
        answers: list[httpx.Response] = []
        for _ in range(5):
            answers.append(api.get("runs"))
            answers.append(api.http.get("/me"))
            answers.append(api.launch(name="never"))
        answers.append(api.put(f"runs/{'a' * 32}", {"name": "x"}))
        answers.append(api.delete(f"runs/{'a' * 32}"))
        answers.append(api.get("checklists"))
        assert all(r.status_code in TRANSIENT for r in answers), [r.status_code for r in answers]

        with _admin(sb) as admin:
            stats = admin.get("/_sandbox/stats")
            assert stats.status_code == 200, stats.text
            body = stats.json()
            assert isinstance(body, dict), body
            if "launches_committed" in body:
                assert body["launches_committed"] == 0, body
            r = admin.put("/_sandbox/faults", json={"error_rate": 0})
            assert r.status_code == 200, (r.status_code, r.text)
        assert _runs_total(api) == 0
        assert api.launch(name="now it works").status_code in (200, 201)
        assert _runs_total(api) == 1


def test_failed_requests_change_nothing(sandbox_factory: Factory) -> None:
    sb = sandbox_factory("--admin")
    with Api(sb) as api, _admin(sb) as admin:
        run = api.launch_ok(name="untouched", users=[1002], starred=False)
        assert admin.put("/_sandbox/faults", json={"error_rate": 1.0}).status_code == 200
        answers = [
            api.put(f"runs/{run['id']}", {"name": "changed", "starred": True}),
            api.delete(f"runs/{run['id']}"),
            api.launch(name="not launched"),
        ]
        assert all(r.status_code in TRANSIENT for r in answers), [r.status_code for r in answers]
        assert admin.put("/_sandbox/faults", json={"error_rate": 0}).status_code == 200
        got = api.run(run["id"])
        assert got["name"] == "untouched" and got["status"] == "active"
        assert got["starred"] is False
        assert _runs_total(api) == 1


def test_admin_endpoint_is_off_by_default(sandbox_process: Factory) -> None:
    sandbox = sandbox_process()  # a pooled server has --admin: the reset needs it
    with _admin(sandbox) as admin:
        assert 400 <= admin.get("/_sandbox/stats").status_code < 500
        r = admin.put("/_sandbox/faults", json={"error_rate": 1.0})
        assert 400 <= r.status_code < 500, r.status_code
    with Api(sandbox) as api:
        assert all(api.get("runs").status_code == 200 for _ in range(5))


def _statuses(sb: SandboxProcess, n: int) -> list[int]:
    with Api(sb) as api:
        return [api.http.get("/me").status_code for _ in range(n)]


def test_fault_seed_replays_the_same_sequence(sandbox_factory: Factory) -> None:
    flags = ("--error-rate", "0.5", "--fault-seed", "3")
    a = _statuses(sandbox_factory(*flags), 40)
    b = _statuses(sandbox_factory(*flags), 40)
    assert a == b
    assert 200 in a and any(s in TRANSIENT for s in a), a
    assert set(a) <= {200} | TRANSIENT, a
    c = _statuses(sandbox_factory("--error-rate", "0.5", "--fault-seed", "4"), 40)
    assert c != a  # the seed matters (2**-40 chance of a false alarm)


def test_reset_returns_the_server_to_how_it_started(sandbox_factory: Factory) -> None:
    """The pool of tests/conftest.py shares servers between tests through this reset."""
    sb = sandbox_factory("--error-rate", "0.5", "--fault-seed", "3", "--admin")
    first = _statuses(sb, 40)
    with _admin(sb) as admin:
        assert admin.put("/_sandbox/faults", json={"error_rate": 0}).status_code == 200
        with Api(sb) as api:
            api.launch_ok(name="before the reset")
            assert admin.post("/_sandbox/clock", json={"advance_seconds": 3600}).is_success
            assert admin.post("/_sandbox/reset").status_code == 200
            stats = admin.get("/_sandbox/stats").json()
            assert stats["runs_stored"] == 0 and stats["requests"]["total"] == 0, stats
            assert stats["faults_config"]["error_rate"] == 0.5, stats
            assert _statuses(sb, 40) == first  # the same draws again
            assert admin.put("/_sandbox/faults", json={"error_rate": 0}).status_code == 200
            run = api.launch_ok(name="after the reset")
            assert run["increment_id"] == 1, run  # counters start again
            age = datetime.now(UTC) - parse_time(run["created_at"])
            assert abs(age.total_seconds()) < 600, run["created_at"]  # the clock too


def test_held_launches_wait_uncommitted_until_released(sandbox_factory: Factory) -> None:
    """The tests' barrier: no launch commits while held, however long; reads still answer."""
    sb = sandbox_factory("--admin")
    with _admin(sb) as admin, Api(sb) as api, Api(sb) as other, ThreadPoolExecutor(1) as pool:
        r = admin.put("/_sandbox/faults", json={"hold_launches": True})
        assert r.status_code == 200 and "hold-launches=1" in r.json()["faults"], r.text
        pending = pool.submit(other.launch_ok, name="held")
        deadline = time.monotonic() + 60
        while admin.get("/_sandbox/stats").json()["launches_held"] < 1:
            assert time.monotonic() < deadline and not pending.done(), pending
            time.sleep(0.01)
        assert _runs_total(api) == 0 and not pending.done()
        assert admin.put("/_sandbox/faults", json={"hold_launches": False}).status_code == 200
        assert pending.result(timeout=60)["name"] == "held"
        assert _runs_total(api) == 1
        assert admin.get("/_sandbox/stats").json()["launches_held"] == 0


def test_held_answers_wait_with_their_launch_committed(sandbox_factory: Factory) -> None:
    sb = sandbox_factory("--admin")
    with _admin(sb) as admin, Api(sb) as api, Api(sb) as other, ThreadPoolExecutor(1) as pool:
        r = admin.put("/_sandbox/faults", json={"hold_answers": True})
        assert r.status_code == 200 and "hold-answers=1" in r.json()["faults"], r.text
        pending = pool.submit(other.launch_ok, name="unanswered")
        deadline = time.monotonic() + 60
        while admin.get("/_sandbox/stats").json()["launches_held"] < 1:
            assert time.monotonic() < deadline and not pending.done(), pending
            time.sleep(0.01)
        assert _runs_total(api) == 1 and not pending.done()  # committed, not answered
        assert admin.put("/_sandbox/faults", json={"hold_answers": False}).status_code == 200
        assert pending.result(timeout=60)["name"] == "unanswered"


# ---- throttle ----


def test_throttle_answers_429_with_retry_after(sandbox_factory: Factory) -> None:
    sb = sandbox_factory("--throttle", "5", "--admin")
    with Api(sb) as api:
        first = [api.http.get("/me") for _ in range(5)]
        assert [r.status_code for r in first] == [200] * 5
        # Documented: Retry-After, and X-RateLimit-Remaining on a 429 (one page); no source
        # shows a limit header, or either on answers inside the limit.
        assert not [k for r in first for k in r.headers if k.lower().startswith("x-ratelimit")]
        r = api.get("runs")
        assert r.status_code == 429, (r.status_code, r.text)
        assert r.headers.get("X-RateLimit-Remaining") == "0"
        assert "X-RateLimit-Limit" not in r.headers
        retry = r.headers.get("Retry-After")
        assert retry is not None, dict(r.headers)
        assert float(retry) > 0, retry
        body: dict[str, Any] = r.json()
        assert body.get("code") == "RATE_LIMIT_EXCEEDED", body
        assert isinstance(body.get("message"), str) and body["message"]
        launch = api.launch(name="refused")  # every method is throttled, POST included
        assert launch.status_code == 429, launch.text
        assert launch.headers.get("Retry-After"), dict(launch.headers)
        with _admin(sb) as admin:
            assert admin.put("/_sandbox/faults", json={"throttle": 100000}).status_code == 200
        assert _runs_total(api) == 0  # a 429 means nothing happened


# ---- cut after commit ----


def test_cut_after_commit_loses_the_answer_not_the_run(sandbox_factory: Factory) -> None:
    sb = sandbox_factory("--cut-after-commit", "1.0")
    with Api(sb, timeout=10) as api:
        with pytest.raises(httpx.TransportError) as caught:
            api.launch(name="cut but committed")
        assert not isinstance(caught.value, httpx.TimeoutException), repr(caught.value)
    with Api(sb) as reader:  # reads are not cut
        r = reader.get("runs", {"q": "cut but committed"})
        assert r.status_code == 200, r.text
        runs = list_data(r.json())
        assert [run["name"] for run in runs] == ["cut but committed"]
        assert reader.run(runs[0]["id"])["name"] == "cut but committed"
        with pytest.raises(httpx.TransportError):
            reader.launch(name="cut again")
        assert _runs_total(reader) == 2  # no duplicate protection: each launch happened


# ---- servers unlike documented Tallyfy (issue 24): sort, q, summaries as HTML ----


def test_ignore_sort_lists_oldest_first(sandbox_factory: Factory) -> None:
    sb = sandbox_factory("--ignore-sort")
    with Api(sb) as api:
        ids = [api.launch_ok(name=f"run {i}")["id"] for i in range(3)]
        for sort in ("-created_at", "created_at", "name"):
            listed = list_data(api.get("runs", {"sort": sort}).json())
            assert [r["id"] for r in listed] == ids, sort


def test_ignore_q_lists_every_run(sandbox_factory: Factory) -> None:
    sb = sandbox_factory("--ignore-q")
    with Api(sb) as api:
        for name in ("alpha", "beta"):
            api.launch_ok(name=name)
        listed = list_data(api.get("runs", {"q": "alpha"}).json())
        assert sorted(r["name"] for r in listed) == ["alpha", "beta"]


def test_html_summaries_store_paragraphs(sandbox_factory: Factory) -> None:
    sb = sandbox_factory("--html-summaries")
    with Api(sb) as api:
        run = api.launch_ok(name="noted", summary="Kick-off <today> & more\n\nlast line")
        expected = "<p>Kick-off &lt;today&gt; &amp; more</p><p><br></p><p>last line</p>"
        assert run["summary"] == expected
        assert api.put(f"runs/{run['id']}", {"summary": "edited"}).json()["data"]["summary"] == (
            "<p>edited</p>"
        )


def test_switches_are_set_at_runtime(sandbox_factory: Factory) -> None:
    sb = sandbox_factory("--admin")
    with _admin(sb) as admin:
        r = admin.put("/_sandbox/faults", json={"ignore_sort": True, "html_summaries": True})
        assert r.status_code == 200 and "ignore-sort=1" in r.json()["faults"], r.text
        assert admin.put("/_sandbox/faults", json={"ignore_q": 1}).status_code == 422


def test_reset_with_faults_is_as_if_started_with_them(
    sandbox_factory: Factory, sandbox_process: Factory
) -> None:
    """The pool gives one server to tests asking for different faults through this."""
    seeded = _statuses(sandbox_process("--error-rate", "0.5", "--fault-seed", "3"), 40)
    sb = sandbox_factory()
    with _admin(sb) as admin:
        body = {"faults": {"error_rate": 0.5, "seed": 3}}
        assert admin.post("/_sandbox/reset", json=body).status_code == 200
        assert _statuses(sb, 40) == seeded  # the draws of a server started with those flags
        assert admin.post("/_sandbox/reset").status_code == 200  # and they stay its own
        assert admin.get("/_sandbox/faults").json()["data"]["error_rate"] == 0.5
        bad = admin.post("/_sandbox/reset", json={"faults": {"error_rate": 2}})
        assert bad.status_code == 422 and "error_rate" in bad.text, bad.text
        off = admin.post("/_sandbox/reset", json={"faults": {}})
        assert off.status_code == 200
        assert admin.get("/_sandbox/faults").json()["data"]["error_rate"] == 0
