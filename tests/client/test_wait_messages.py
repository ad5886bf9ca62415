"""Waits are said: what the client waits for (a 429's Retry-After, a retry) and for how long."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable

from runner.errors import ApiError
from tests.support.client import start
from tests.support.sandbox import SandboxProcess


def test_a_429_says_what_it_waits_for_and_how_long(
    sandbox_factory: Callable[..., SandboxProcess],
) -> None:
    said: list[str] = []
    h = start(sandbox_factory, "--throttle", "2")
    h.on_sleep = lambda s: h.admin("PUT", "faults", {"throttle": 0})
    client = h.make(h.sb.url, h.sb.token, on_wait=said.append)
    for _ in range(3):
        assert client.me()["id"] == 1001
    assert len(said) == 1, said
    assert re.fullmatch(
        r"the server asked to slow down \(429 on GET /me\): waiting "
        r"\d+ s \(Retry-After\) before sending anything more", said[0]), said[0]
    seconds = int(re.findall(r"waiting (\d+) s", said[0])[0])
    assert 50 <= seconds <= 60 and h.sleeps and abs(h.sleeps[0] - seconds) < 1.5


def test_a_retry_after_a_server_error_says_so(
    sandbox_factory: Callable[..., SandboxProcess],
) -> None:
    said: list[str] = []
    h = start(sandbox_factory, "--error-rate", "0.5")
    client = h.make(h.sb.url, h.sb.token, on_wait=said.append)
    for _ in range(20):
        with contextlib.suppress(ApiError):  # six failures in a row give up: not this test's
            client.me()
    retried = [s for s in h.sleeps if s >= 1]
    assert len(said) == len(retried) > 0, (said, h.sleeps)  # waits under a second pass unsaid
    assert all(re.fullmatch(r"GET /me answered 50\d: retrying in \d+\.\d s "
                            r"\(attempt \d of \d\)", s) for s in said), said
