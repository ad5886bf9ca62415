"""Injected faults (latency, throttling, errors, cut connections) and request statistics.

Faults apply to API routes only, in this order: latency, a launch's hold (while a test holds
launches), throttle, error rate, the handler, then (for a committed launch) the cut. All draws
come from one seeded `random.Random`, so a run of requests in the same order replays the same
faults.
Three faults change what the handlers answer instead (a server unlike documented Tallyfy,
which clients must survive): `ignore_sort` lists runs oldest first whatever `sort` asks,
`ignore_q` does not filter runs by name, `html_summaries` keeps run summaries as a rich-text
editor saves them (`<p>` per line).
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import re
import time
from collections import Counter, deque
from dataclasses import asdict, dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_SWITCHES = ("ignore_sort", "ignore_q", "html_summaries")
LAUNCH_PATH = re.compile(r"^(/api)?/organizations/[^/]+/runs/?$")
WINDOW_S = 60.0


@dataclass
class FaultConfig:
    """Faults in force; zero means off."""

    latency_ms: int = 0
    error_rate: float = 0.0
    throttle: int = 0
    cut_after_commit: float = 0.0
    seed: int = 0
    error_after_commit: float = 0.0  # a committed launch answered 422 (a hostile server)
    ignore_sort: bool = False  # runs listed oldest first whatever `sort` asks
    ignore_q: bool = False  # runs not filtered by `q`
    html_summaries: bool = False  # summaries stored as HTML paragraphs, as the UI's editor does
    hold_launches: bool = False  # launches wait, uncommitted, until it is false (a test's barrier)
    hold_answers: bool = False  # launches commit, their answers wait until it is false

    def describe(self) -> str:
        """The `faults=` part of the ready line."""
        parts = [
            f"latency-ms={self.latency_ms}" if self.latency_ms else "",
            f"error-rate={self.error_rate:g}" if self.error_rate else "",
            f"throttle={self.throttle}" if self.throttle else "",
            f"cut-after-commit={self.cut_after_commit:g}" if self.cut_after_commit else "",
            f"error-after-commit={self.error_after_commit:g}" if self.error_after_commit else "",
            *(f"{name.replace('_', '-')}=1" for name in _SWITCHES if getattr(self, name)),
            "hold-launches=1" if self.hold_launches else "",
            "hold-answers=1" if self.hold_answers else "",
        ]
        named = [p for p in parts if p]
        return ",".join([*named, f"seed={self.seed}"]) if named else "none"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Stats:
    """Counters served by `GET /_sandbox/stats`."""

    by_method: Counter[str] = field(default_factory=Counter)
    by_status: Counter[str] = field(default_factory=Counter)
    by_method_status: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    launches_committed: int = 0
    run_list_pages: Counter[str] = field(default_factory=Counter)  # by checklist_id ("" = any)

    def record(self, method: str, status: str) -> None:
        self.by_method[method] += 1
        self.by_status[status] += 1
        self.by_method_status[f"{method} {status}"] += 1

    def clear(self) -> None:
        """Every counter back to zero."""
        vars(self).update(vars(Stats()))

    def as_dict(self) -> dict[str, Any]:
        kinds = ("latency", "throttle", "error_rate", "cut_after_commit", "error_after_commit")
        return {
            "requests": {
                "total": sum(self.by_method.values()),
                "by_method": dict(self.by_method),
                "by_status": dict(self.by_status),
                "by_method_status": dict(self.by_method_status),
            },
            "launches_committed": self.launches_committed,
            "run_list_pages": dict(self.run_list_pages),
            "faults": {kind: self.faults[kind] for kind in kinds},
        }


class Faults:
    """The live fault configuration, its random generator and the throttle window."""

    def __init__(self, config: FaultConfig, stats: Stats) -> None:
        self.started_with = config
        self.config = config
        self.stats = stats
        self.rng = random.Random(config.seed)
        self.window: deque[float] = deque()
        self.held = 0  # launches waiting now for `hold_launches` to be turned off

    def restart(self, config: FaultConfig | None = None) -> None:
        """The faults the server started with, their generator reseeded: the same draws again;
        with `config`, as if it had started with that instead."""
        if config is not None:
            self.started_with = config
        self.reconfigure(self.started_with)
        self.rng = random.Random(self.config.seed)

    def reconfigure(self, config: FaultConfig) -> None:
        if config.seed != self.config.seed:
            self.rng = random.Random(config.seed)
        self.config = config
        self.window.clear()

    def throttled(self) -> int | None:
        """Retry-After seconds if this request is refused, else None."""
        limit = self.config.throttle
        if limit <= 0:
            return None
        now = time.monotonic()
        while self.window and self.window[0] <= now - WINDOW_S:
            self.window.popleft()
        if len(self.window) >= limit:
            return max(1, math.ceil(self.window[0] + WINDOW_S - now))
        self.window.append(now)
        return None


class FaultMiddleware:
    """ASGI middleware that injects the configured faults and counts every answer."""

    def __init__(self, app: ASGIApp, faults: Faults) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        faults, config, method = self.faults, self.faults.config, scope["method"]
        counted = _counting(send, faults.stats, method)
        if config.latency_ms > 0:
            faults.stats.faults["latency"] += 1
            await asyncio.sleep(config.latency_ms / 1000)
        if method == "POST" and LAUNCH_PATH.match(scope["path"]):
            await _held(faults, "hold_launches")
            counted = _answer_held(counted, faults)
        retry_after = faults.throttled()
        if retry_after is not None:
            faults.stats.faults["throttle"] += 1
            await _throttle_answer(counted, retry_after)
            return
        if config.error_rate > 0 and faults.rng.random() < config.error_rate:
            faults.stats.faults["error_rate"] += 1
            await _error_answer(counted, faults.rng.choice((500, 502, 503)))
            return
        cut = (method == "POST" and config.cut_after_commit > 0
               and LAUNCH_PATH.match(scope["path"]) is not None
               and faults.rng.random() < config.cut_after_commit)
        lie = (method == "POST" and config.error_after_commit > 0
               and LAUNCH_PATH.match(scope["path"]) is not None
               and faults.rng.random() < config.error_after_commit)
        if lie:
            counted = _erroring(counted, faults.stats)
        await self.app(scope, receive, _cutting(counted, faults.stats) if cut else counted)


async def _held(faults: Faults, switch: str) -> None:
    """Wait while the switch (`hold_launches`, `hold_answers`) is on: a test lets several
    clients reach their launches before any commits, or kills one whose launches committed
    unanswered, whatever the machine's speed (polled: the sandbox's loop stays free)."""
    if not getattr(faults.config, switch):
        return
    faults.held += 1
    try:
        while getattr(faults.config, switch):
            await asyncio.sleep(0.01)
    finally:
        faults.held -= 1


def _answer_held(send: Send, faults: Faults) -> Send:
    """A launch's answer waits while `hold_answers` is on (the run is committed already)."""

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            await _held(faults, "hold_answers")
        await send(message)

    return wrapped


def _counting(send: Send, stats: Stats, method: str) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start" and not message.get("cut"):
            stats.record(method, str(message["status"]))
        await send(message)

    return wrapped


def _erroring(send: Send, stats: Stats) -> Send:
    """A committed launch (201) answered as a validation error: the run exists all the same."""
    state = {"lie": False}
    body = json.dumps({"error": True, "message": "The given data was invalid.",
                       "errors": {"name": ["The name field is invalid."]}}).encode()

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start" and message["status"] == 201:
            state["lie"] = True
            stats.faults["error_after_commit"] += 1
            headers = [(k, v) for k, v in message.get("headers", [])
                       if k.lower() not in (b"content-length",)]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**message, "status": 422, "headers": headers})
        elif state["lie"] and message["type"] == "http.response.body":
            if not message.get("more_body"):
                await send({"type": "http.response.body", "body": body})
        else:
            await send(message)

    return wrapped


def _cutting(send: Send, stats: Stats) -> Send:
    """Pass a failed launch through; for a committed one (201) send the headers and half the
    body, then nothing: the server closes the connection and the client cannot know."""
    state = {"cut": False, "sent": False}

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start" and message["status"] == 201:
            state["cut"] = True
            stats.faults["cut_after_commit"] += 1
            stats.record("POST", "cut")
            await send({**message, "cut": True})
        elif state["cut"] and message["type"] == "http.response.body":
            if not state["sent"]:
                state["sent"] = True
                body = message.get("body", b"")
                await send({"type": "http.response.body", "body": body[: len(body) // 2],
                            "more_body": True})
        else:
            await send(message)

    return wrapped


async def _json_answer(send: Send, status: int, body: dict[str, Any],
                       headers: list[tuple[bytes, bytes]]) -> None:
    payload = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()),
        *headers]})
    await send({"type": "http.response.body", "body": payload})


async def _throttle_answer(send: Send, retry_after: int) -> None:
    """A 429 as documented: Retry-After, and X-RateLimit-Remaining (the Postman troubleshooting
    page, the only one to name it); no source shows a limit header, so none is made up."""
    body = {"error": True, "message": "Too many requests. Please slow down.",
            "code": "RATE_LIMIT_EXCEEDED"}
    headers = [(b"retry-after", str(retry_after).encode()), (b"x-ratelimit-remaining", b"0")]
    await _json_answer(send, 429, body, headers)


async def _error_answer(send: Send, status: int) -> None:
    messages = {500: "Server error", 502: "Bad gateway", 503: "Service unavailable"}
    body = {"error": True, "message": f"{messages[status]} (sandbox fault)",
            "code": "SERVER_ERROR"}
    await _json_answer(send, status, body, [])
