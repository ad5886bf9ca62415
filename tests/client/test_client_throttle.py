"""The adaptive limiter: AIMD arithmetic, the shared not-before time, the in-flight bound."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from runner.client.client import TallyfyClient
from runner.client.throttle import Limiter, backoff, retry_after


class FakeClock:
    """A clock that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def limiter(maximum: int = 8) -> tuple[Limiter, FakeClock]:
    clock = FakeClock()
    return Limiter(maximum, sleep=clock.sleep, clock=clock), clock


def test_a_burst_of_429_halves_once() -> None:
    lim, _ = limiter(8)
    tickets = [lim.acquire() for _ in range(8)]
    for t in tickets:
        lim.release(t, "throttled")
    assert lim.limit == 4 and lim.in_flight == 0


def test_halving_never_goes_below_one() -> None:
    lim, _ = limiter(8)
    for expected in (4, 2, 1, 1, 1):
        lim.release(lim.acquire(), "throttled")
        assert lim.limit == expected


def test_a_run_of_successes_adds_one_back_up_to_the_maximum() -> None:
    lim, _ = limiter(4)
    lim.release(lim.acquire(), "throttled")
    lim.release(lim.acquire(), "throttled")
    assert lim.limit == 1
    limits = []
    for _ in range(12):
        lim.release(lim.acquire(), "ok")
        limits.append(lim.limit)
    # one success at limit 1, two at 2, three at 3; then it stays at the maximum
    assert limits == [2, 2, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4]


def test_neutral_outcomes_neither_grow_nor_shrink() -> None:
    lim, _ = limiter(4)
    lim.release(lim.acquire(), "throttled")
    for _ in range(10):
        lim.release(lim.acquire(), "neutral")
    assert lim.limit == 2


def test_a_429_resets_the_success_run() -> None:
    lim, _ = limiter(4)
    lim.release(lim.acquire(), "throttled")  # 2
    lim.release(lim.acquire(), "ok")
    lim.release(lim.acquire(), "throttled")  # 1, run reset
    lim.release(lim.acquire(), "ok")  # 1 success at limit 1: back to 2
    assert lim.limit == 2


def test_defer_makes_every_next_request_wait() -> None:
    lim, clock = limiter(4)
    lim.defer(5.0)
    lim.defer(2.0)  # an earlier time never shortens the wait
    lim.release(lim.acquire(), "ok")
    assert clock.sleeps == [5.0]
    lim.release(lim.acquire(), "ok")
    assert clock.sleeps == [5.0]  # time has passed; no second wait


def test_not_before_with_a_noop_sleep_cannot_spin() -> None:
    lim = Limiter(2, sleep=lambda s: None)
    lim.defer(60)
    started = time.monotonic()
    lim.release(lim.acquire(), "ok")
    assert time.monotonic() - started < 1


def test_threads_share_the_not_before_time() -> None:
    lim = Limiter(4)
    lim.defer(0.2)
    started = time.monotonic()

    def one() -> float:
        lim.release(lim.acquire(), "ok")
        return time.monotonic() - started

    with ThreadPoolExecutor(4) as pool:
        waits = list(pool.map(lambda _: one(), range(4)))
    assert all(w >= 0.19 for w in waits)


def test_in_flight_never_exceeds_the_limit_across_threads() -> None:
    lock = threading.Lock()
    state = {"now": 0, "peak": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        with lock:
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
        time.sleep(0.005)
        with lock:
            state["now"] -= 1
        return httpx.Response(200, json={"data": {"id": "x"}})

    client = TallyfyClient(
        "http://t", "o", "k", transport=httpx.MockTransport(handler), max_concurrency=3
    )
    with client, ThreadPoolExecutor(12) as pool:
        list(pool.map(lambda _: client.get_run("x"), range(60)))
    assert 1 < state["peak"] <= 3
    assert client.stats.requests == 60


def test_throttling_shrinks_the_client_concurrency() -> None:
    answers = iter([429, 429, 200, 200])

    def handler(request: httpx.Request) -> httpx.Response:
        status = next(answers)
        return httpx.Response(status, json={"data": {"id": "x"}}, headers={"retry-after": "0"})

    client = TallyfyClient("http://t", "o", "k", transport=httpx.MockTransport(handler),
                           max_concurrency=8, sleep=lambda s: None)  # fmt: skip
    client.get_run("x")
    assert client.concurrency == 2  # two separate 429s, each in its own generation
    client.get_run("x")
    assert client.concurrency == 3  # the first call's success and this one: a run of two


def test_limiter_rejects_zero() -> None:
    with pytest.raises(ValueError):
        Limiter(0)


def test_backoff_grows_and_is_capped() -> None:
    assert [backoff(n, lambda: 0.0) for n in (1, 2, 3)] == [0.25, 0.5, 1.0]
    assert [backoff(n, lambda: 1.0) for n in (1, 2, 3)] == [0.5, 1.0, 2.0]
    assert backoff(30, lambda: 1.0) == 30.0


def test_retry_after_parsing() -> None:
    assert retry_after("3") == 3.0
    assert retry_after(" 1.5 ") == 1.5
    assert retry_after("nan") is None
    assert retry_after("") is None and retry_after(None) is None
    assert retry_after("Thu, 01 Jan 1970 00:01:40 GMT", now=lambda: 70.0) == 30.0
