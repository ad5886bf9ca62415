"""One API call under the retry rules, the throttle and the budgets (used by the client)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from runner.client.budgets import AnswerTooLarge, AnswerTooSlow, Budgets, describe, receive
from runner.client.responses import api_error, encode_body, indeterminate, parse_json, query
from runner.client.throttle import Limiter, Stats, backoff, retry_after, retry_after_asked
from runner.errors import ApiError

# Idempotent methods: a 5xx or a lost answer may be retried.
SAFE_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
# Failures raised before a byte reached the server: retrying cannot duplicate anything.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
CONNECT_ATTEMPTS = 3
# Failures after the request may have been sent (or answered unreadably): the outcome is unknown.
LOST = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
AMBIGUOUS = (*LOST, httpx.DecodingError)  # DecodingError: answered, but the body is unreadable


class Wait(str):
    """A wait the client announces: the sentence said, and how long it waits, in seconds (a
    progress display counts it into its time left)."""

    seconds: float

    def __new__(cls, text: str, seconds: float) -> Wait:
        said = super().__new__(cls, text)
        said.seconds = seconds
        return said


class Caller:
    """The plumbing under every endpoint: send, receive within budget, retry or give up."""

    base_url: str
    org_id: str
    max_attempts: int
    _token: str
    _headers: dict[str, str]
    _http: httpx.Client
    _limiter: Limiter
    _budgets: Budgets
    _deadline: float
    _waited: float
    _waits_end: float
    _stats: Stats
    _stats_lock: threading.Lock
    _sleep: Callable[[float], None]
    _clock: Callable[[], float]
    _log: Callable[[str], None] | None
    _on_wait: Callable[[str], None] | None
    _permit: Callable[[], None] | None = None

    def permit_writes(self, check: Callable[[], None] | None) -> None:
        """Call `check` right before each write is sent, retries and waits included; it raises
        to stop the write (the shared lease lost or past its deadline: runner/state/lease.py)."""
        self._permit = check

    def _say(self, text: str, seconds: float) -> None:
        """Tell the person why nothing seems to happen (the CLI prints it on stderr)."""
        if self._on_wait is not None:
            self._on_wait(Wait(text, seconds))

    def _call(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> Any:
        """One API call with the retry rules; the parsed JSON body (None for an empty one)."""
        url = self.base_url + path + query(params or {})
        headers = {**self._headers, "Authorization": f"Bearer {self._token}"}
        content = None
        if body is not None:
            content = encode_body(body)
            headers["Content-Type"] = "application/json"
        words = f"{method} {path}"
        for attempt in range(1, self.max_attempts + 1):
            last = attempt == self.max_attempts
            self._check_deadline(words)
            outcome = self._attempt(method, url, headers, content, words, attempt)
            if isinstance(outcome, tuple) and isinstance(outcome[0], int):
                return _json(outcome[0], outcome[1], method, words)
            error, delay, asked = outcome
            if last or delay is None:
                raise error
            self._count(retries=1)
            if asked is not None:
                self._spend_wait(delay, asked, error)
                if self._limiter.defer(delay):  # a burst of 429s is one wait, said once
                    self._say(
                        f"the server asked to slow down (429 on {words}): waiting "
                        f"{delay:.0f} s (Retry-After) before sending anything more",
                        delay,
                    )
            else:
                self._check_deadline(words, delay)
                if delay >= 1:  # shorter pauses pass unsaid
                    what = f"answered {error.status}" if error.status else "failed"
                    self._say(
                        f"{words} {what}: retrying in {delay:.1f} s "
                        f"(attempt {attempt + 1} of {self.max_attempts})",
                        delay,
                    )
                self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _attempt(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        content: bytes | None,
        words: str,
        attempt: int,
    ) -> tuple[int, bytes] | tuple[ApiError, float | None, float | None]:
        """Send once: (2xx status, body), or (error, delay before a retry or None, seconds the
        server asked to wait, for a 429; None otherwise)."""
        ticket = self._limiter.acquire()  # may wait out a 429: the permit is asked after it
        if method != "GET" and self._permit is not None:
            try:
                self._permit()
            except BaseException:
                self._limiter.release(ticket, "neutral")
                raise
        started = time.monotonic()
        until = min(started + self._budgets.response_seconds, self._deadline)
        request = self._http.build_request(method, url, headers=headers, content=content)
        try:
            response = self._http.send(request, stream=True)
            try:
                body = receive(response, until, self._budgets.max_response_bytes)
            finally:
                response.close()
        except (httpx.TransportError, httpx.DecodingError) as exc:
            self._limiter.release(ticket, "neutral")
            self._record(words, type(exc).__name__, started, attempt, None)
            return self._transport_failure(method, words, exc, attempt)
        except (AnswerTooSlow, AnswerTooLarge) as exc:
            self._limiter.release(ticket, "neutral")
            self._record(words, "cut", started, attempt, response.headers.get("x-request-id"))
            return self._over_budget(method, words, exc), None, None
        status = response.status_code
        self._limiter.release(ticket, _outcome(status))
        self._record(words, str(status), started, attempt, response.headers.get("x-request-id"))
        if 200 <= status < 300:
            return status, body
        error = api_error(status, response.headers, body, words, self._token)
        if status == 403 or (status == 404 and error.code != "RESOURCE_NOT_FOUND"):
            # Most often a wrong organisation or base URL: show which were used.
            said = f"the base URL was {self.base_url} and the organisation {self.org_id}"
            error.hint = f"{error.hint}; {said}" if error.hint else f"{said} (check both)"
        if status == 429:
            raw = response.headers.get("retry-after")
            wait = retry_after(raw)
            return error, backoff(attempt) if wait is None else wait, retry_after_asked(raw)
        if status >= 500 and method not in SAFE_METHODS:
            return indeterminate(words, status, f"HTTP {status}", error), None, None
        return error, backoff(attempt) if status >= 500 else None, None

    def _over_budget(self, method: str, words: str, exc: Exception) -> ApiError:
        what = describe(exc, self._budgets)
        if method not in SAFE_METHODS:
            return indeterminate(words, None, what)
        return ApiError(f"gave up: {what}", request=words, hint="is the server overloaded?")

    def _check_deadline(self, words: str, wait: float = 0.0) -> None:
        """Stop before a request (or a wait) that would end past the command's deadline."""
        if time.monotonic() + wait <= self._deadline:
            return
        limit = self._budgets.deadline_seconds
        raise ApiError(
            f"the command ran out of time: its deadline of {limit:g} s "
            f"(limits.deadline_seconds) passes before {words} could be sent",
            request=words,
            hint="run it again (nothing is lost), or raise limits.deadline_seconds",
        )

    def _spend_wait(self, delay: float, asked: float, error: ApiError) -> None:
        """Count a 429 wait against the wait budget; past it, fail with the server's words.

        What counts is the part of [now, now + delay] that no wait counted before covers: the
        wall-clock time the command is held back, however many workers wait it out together.
        """
        budget = self._budgets.wait_budget_seconds
        with self._stats_lock:
            now = self._clock()
            more = max(0.0, now + delay - max(now, self._waits_end))
            if self._waited + more <= budget:
                self._waited += more
                self._waits_end = max(self._waits_end, now + delay)
                return
            waited = self._waited
        raise ApiError(
            f"{error.message}; the server asks to wait {asked:.0f} s more (Retry-After), but "
            f"{waited:.0f} s of the wait budget of {budget:g} s (limits.wait_budget_seconds) "
            "is spent",
            status=429,
            request=error.request,
            request_id=error.request_id,
            code=error.code,
            hint="the organisation's rate limit is exhausted: run it again later",
        )

    def _transport_failure(
        self, method: str, words: str, exc: httpx.RequestError, attempt: int
    ) -> tuple[ApiError, float | None, float | None]:
        what = f"{type(exc).__name__}: {exc}".replace(self._token, "***")
        if isinstance(exc, NOT_SENT) or (isinstance(exc, AMBIGUOUS) and method in SAFE_METHODS):
            error = ApiError(
                f"could not reach the API ({what})",
                request=words,
                hint="check the network and the API base URL",
            )
            # A refused connection rarely heals in seconds: give up early so a wrong URL says so.
            gave_up = isinstance(exc, httpx.ConnectError) and attempt >= CONNECT_ATTEMPTS
            return error, None if gave_up else backoff(attempt), None
        if isinstance(exc, AMBIGUOUS):
            return indeterminate(words, None, what), None, None
        return ApiError(f"the request failed ({what})", request=words), None, None

    def _record(
        self, words: str, status: str, started: float, attempt: int, request_id: str | None
    ) -> None:
        self._count(status=status)
        if self._log is not None:
            ms = (time.monotonic() - started) * 1000
            rid = f" id={request_id}" if request_id else ""
            self._log(f"{words} -> {status} {ms:.0f}ms attempt {attempt}{rid}")

    def _count(self, *, status: str | None = None, retries: int = 0) -> None:
        with self._stats_lock:
            self._stats.retries += retries
            if status is not None:
                self._stats.requests += 1
                self._stats.by_status[status] += 1
                self._stats.throttled += status == "429"
                self._stats.transport_errors += not status.isdigit()


def _outcome(status: int) -> str:
    """What an answer tells the limiter: 429 slows down, 5xx says nothing about load."""
    if status == 429:
        return "throttled"
    return "neutral" if status >= 500 else "ok"


def _json(status: int, content: bytes, method: str, words: str) -> Any:
    """The body of a 2xx answer; None for 204 or an empty body; ApiError if not JSON."""
    if status == 204 or not content:
        return None
    body = parse_json(content)
    if body is None and method not in SAFE_METHODS:
        # It happened, but we cannot tell what it made: no status, so nobody assumes a 5xx.
        detail = f"HTTP {status} with a body that is not JSON"
        raise indeterminate(words, None, detail)
    if body is None:
        raise ApiError(
            "the API answered with something that is not JSON",
            status=status,
            request=words,
            hint="is the base URL an API URL?",
        )
    return body
