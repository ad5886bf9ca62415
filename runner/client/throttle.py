"""Adaptive concurrency (AIMD), a shared "not before" time, backoff and request counters."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

RETRY_AFTER_CAP = 120.0  # a server asking for more than two minutes is waited out in steps
BACKOFF_BASE = 0.5
BACKOFF_CAP = 30.0


@dataclass
class Stats:
    """What a client has done so far; `by_status` counts answers ("cut" for transport errors)."""

    requests: int = 0
    retries: int = 0
    throttled: int = 0
    transport_errors: int = 0
    by_status: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class Ticket:
    """One permitted request: the limiter generation it started in."""

    generation: int


class Limiter:
    """Bounds in-flight requests across threads and slows all of them down when throttled.

    AIMD: a 429 halves the permitted count (once per generation, so a burst of 429s from
    requests that were already in flight counts as one signal); a run of successes as long
    as the current limit adds one back. Never above `maximum`, never below 1.
    """

    def __init__(
        self,
        maximum: int,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if maximum < 1:
            raise ValueError("max_concurrency must be at least 1")
        self.maximum = maximum
        self.limit = maximum
        self.in_flight = 0
        self.not_before = 0.0
        self._generation = 0
        self._successes = 0
        self._sleep = sleep
        self._clock = clock
        self._cond = threading.Condition()

    def acquire(self) -> Ticket:
        """Wait for a free slot, then for the shared not-before time."""
        with self._cond:
            while self.in_flight >= self.limit:
                self._cond.wait()
            self.in_flight += 1
            ticket = Ticket(self._generation)
        self._wait_not_before()
        return ticket

    def release(self, ticket: Ticket, outcome: str) -> None:
        """`outcome`: "ok" (a 2xx or a client error), "throttled" (429), or "neutral"."""
        with self._cond:
            self.in_flight -= 1
            if outcome == "throttled":
                self._successes = 0
                if ticket.generation == self._generation:
                    self.limit = max(1, self.limit // 2)
                    self._generation += 1
            elif outcome == "ok" and self.limit < self.maximum:
                self._successes += 1
                if self._successes >= self.limit:
                    self.limit += 1
                    self._successes = 0
            self._cond.notify_all()

    def defer(self, seconds: float) -> bool:
        """No thread sends anything for `seconds` from now (a server-wide Retry-After).

        True when this pushes the wait a second or more past the one already in force: a
        burst of 429s from requests in flight together is then said once."""
        with self._cond:
            until = self._clock() + seconds
            later = until >= self.not_before + 1.0
            self.not_before = max(self.not_before, until)
            return later

    def _wait_not_before(self) -> None:
        # Sleep once for the time seen; go round again only if another thread pushed it later,
        # so an injected no-op sleep cannot spin forever.
        seen = -1.0
        while True:
            with self._cond:
                target = self.not_before
            delay = target - self._clock()
            if delay <= 0 or target == seen:
                return
            seen = target
            self._sleep(delay)


def backoff(attempt: int, rand: Callable[[], float] = random.random) -> float:
    """Exponential backoff with jitter: half fixed, half random, capped."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2.0 ** (attempt - 1))
    return ceiling / 2 + rand() * ceiling / 2


def retry_after_asked(value: str | None, now: Callable[[], float] = time.time) -> float:
    """Seconds a Retry-After header asks for, uncapped (0 when absent or unreadable)."""
    if value is None:
        return 0.0
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        capped = retry_after(value, now)
        return 0.0 if capped is None else capped


def retry_after(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), capped; None if bad."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            seconds = float(parsedate_to_datetime(text).timestamp()) - now()
        except (TypeError, ValueError, IndexError):
            return None
    if seconds != seconds:  # NaN
        return None
    return min(RETRY_AFTER_CAP, max(0.0, seconds))
