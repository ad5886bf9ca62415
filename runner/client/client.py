"""The only module that speaks HTTP: Tallyfy REST calls with retries, paging and throttling."""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import httpx

from runner import __version__
from runner.client.responses import (
    api_error,
    data,
    encode_body,
    indeterminate,
    launched_run,
    member_ids,
    pagination,
    parse_json,
    plain_list,
    query,
)
from runner.client.throttle import Limiter, Stats, backoff, retry_after
from runner.errors import ApiError

# Idempotent methods: a 5xx or a lost answer may be retried.
SAFE_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
# Failures raised before a byte reached the server: retrying cannot duplicate anything.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
CONNECT_ATTEMPTS = 3
# Failures after the request may have been sent (or answered unreadably): the outcome is unknown.
LOST = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
AMBIGUOUS = (*LOST, httpx.DecodingError)  # DecodingError: answered, but the body is unreadable
PER_PAGE = 100


class TallyfyClient:
    """A thread-safe Tallyfy API client; share one instance across a pool of threads."""

    def __init__(
        self,
        base_url: str,
        org_id: str,
        token: str,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
        max_attempts: int = 6,
        max_concurrency: int = 8,
        sleep: Callable[[float], None] = time.sleep,
        log: Callable[[str], None] | None = None,
        client_name: str = "APIClient",
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.org_id = org_id
        self._token = token
        self.max_attempts = max(1, max_attempts)
        self._sleep = sleep
        self._log = log
        self._limiter = Limiter(max_concurrency, sleep=sleep)
        self._stats = Stats()
        self._stats_lock = threading.Lock()
        self._headers = {
            "Accept": "application/json",
            "X-Tallyfy-Client": client_name,
            "User-Agent": f"launchspec/{__version__} (httpx/{httpx.__version__})",
        }
        self._http = httpx.Client(
            transport=transport,
            timeout=timeout,
            limits=httpx.Limits(
                max_connections=max_concurrency * 2, max_keepalive_connections=max_concurrency
            ),
        )

    def __repr__(self) -> str:
        return f"TallyfyClient(base_url={self.base_url!r}, org_id={self.org_id!r})"

    def __enter__(self) -> TallyfyClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    @property
    def stats(self) -> Stats:
        """A snapshot of the counters."""
        with self._stats_lock:
            return copy.deepcopy(self._stats)

    @property
    def concurrency(self) -> int:
        """How many requests may be in flight right now (adapts to throttling)."""
        return self._limiter.limit

    # -- endpoints ------------------------------------------------------------------------
    def me(self) -> dict[str, Any]:
        return data(self._call("GET", "/me"))

    def get_template(self, template_id: str) -> dict[str, Any]:
        """The template with `prerun`, `steps` and `tags` as plain lists."""
        path = self._org(f"checklists/{template_id}")
        body = self._call("GET", path, {"with": "steps,tags,folder"})
        template = data(body)
        for key in ("prerun", "steps", "tags"):
            if key in template:
                template[key] = plain_list(template[key])
        return template

    def find_templates(self, q: str | None = None) -> list[dict[str, Any]]:
        return list(self._pages(self._org("checklists"), {"q": q} if q else {}))

    def list_users(self) -> list[dict[str, Any]]:
        return list(self._pages(self._org("users")))

    def list_groups(self) -> list[dict[str, Any]]:
        return list(self._pages(self._org("groups")))

    def list_tags(self) -> list[dict[str, Any]]:
        return list(self._pages(self._org("tags")))

    def list_folders(self) -> list[dict[str, Any]]:
        return list(self._pages(self._org("folders")))

    def launch_run(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST a launch. Never resent after an ambiguous failure: IndeterminateError instead."""
        return launched_run(self._call("POST", self._org("runs"), body=body), "POST runs")

    def get_run(self, run_id: str, with_: Sequence[str] = ()) -> dict[str, Any]:
        params = {"with": ",".join(with_)} if with_ else {}
        return data(self._call("GET", self._org(f"runs/{run_id}"), params))

    def list_runs(self, **filters: str | int | bool) -> Iterator[dict[str, Any]]:
        return self._pages(self._org("runs"), filters)

    def update_run(self, run_id: str, fields: Mapping[str, Any]) -> dict[str, Any]:
        """PUT changes to a run, resending its members: a PUT without them strips them all."""
        body = dict(fields)
        if "users" not in body or "groups" not in body:
            run = self.get_run(run_id)
            body.setdefault("users", member_ids(run.get("users")))
            body.setdefault("groups", member_ids(run.get("groups")))
        return data(self._call("PUT", self._org(f"runs/{run_id}"), body=body))

    def archive_run(self, run_id: str) -> dict[str, Any]:
        return data(self._call("DELETE", self._org(f"runs/{run_id}")))

    def activate_run(self, run_id: str) -> dict[str, Any]:
        return data(self._call("PUT", self._org(f"runs/{run_id}/activate")))

    def list_tasks(self, run_id: str) -> list[dict[str, Any]]:
        return list(self._pages(self._org(f"runs/{run_id}/tasks")))

    # -- plumbing -------------------------------------------------------------------------
    def _org(self, rest: str) -> str:
        return f"/organizations/{self.org_id}/{rest}"

    def _pages(
        self, path: str, params: Mapping[str, Any] | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every item of a paged list, fetching while current_page < total_pages."""
        page = 1
        while True:
            body = self._call("GET", path, {"per_page": PER_PAGE, **(params or {}), "page": page})
            items = plain_list(body.get("data") if isinstance(body, dict) else body)
            yield from items
            paging = pagination(body)
            if not items or paging is None or paging[0] >= paging[1]:
                return
            page = paging[0] + 1

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
            outcome = self._attempt(method, url, headers, content, words, attempt)
            if isinstance(outcome, httpx.Response):
                return _json(outcome, method, words)
            error, delay, shared = outcome
            if last or delay is None:
                raise error
            self._count(retries=1)
            if shared:
                self._limiter.defer(delay)
            else:
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
    ) -> httpx.Response | tuple[ApiError, float | None, bool]:
        """Send once: the 2xx response, or (error, delay before a retry or None, shared wait)."""
        ticket = self._limiter.acquire()
        started = time.monotonic()
        try:
            response = self._http.request(method, url, headers=headers, content=content)
        except (httpx.TransportError, httpx.DecodingError) as exc:
            self._limiter.release(ticket, "neutral")
            self._record(words, type(exc).__name__, started, attempt, None)
            return self._transport_failure(method, words, exc, attempt)
        response.read()
        status = response.status_code
        self._limiter.release(ticket, _outcome(status))
        self._record(words, str(status), started, attempt, response.headers.get("x-request-id"))
        if 200 <= status < 300:
            return response
        error = api_error(status, response.headers, response.content, words, self._token)
        if status == 429:
            wait = retry_after(response.headers.get("retry-after"))
            return error, backoff(attempt) if wait is None else wait, True
        if status >= 500 and method not in SAFE_METHODS:
            return indeterminate(words, status, f"HTTP {status}", error), None, False
        return error, backoff(attempt) if status >= 500 else None, False

    def _transport_failure(
        self, method: str, words: str, exc: httpx.RequestError, attempt: int
    ) -> tuple[ApiError, float | None, bool]:
        what = f"{type(exc).__name__}: {exc}".replace(self._token, "***")
        if isinstance(exc, NOT_SENT) or (isinstance(exc, AMBIGUOUS) and method in SAFE_METHODS):
            error = ApiError(
                f"could not reach the API ({what})",
                request=words,
                hint="check the network and the API base URL",
            )
            # A refused connection rarely heals in seconds: give up early so a wrong URL says so.
            gave_up = isinstance(exc, httpx.ConnectError) and attempt >= CONNECT_ATTEMPTS
            return error, None if gave_up else backoff(attempt), False
        if isinstance(exc, AMBIGUOUS):
            return indeterminate(words, None, what), None, False
        return ApiError(f"the request failed ({what})", request=words), None, False

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


def _json(response: httpx.Response, method: str, words: str) -> Any:
    """The body of a 2xx answer; None for 204 or an empty body; ApiError if not JSON."""
    if response.status_code == 204 or not response.content:
        return None
    body = parse_json(response.content)
    if body is None and method not in SAFE_METHODS:
        # It happened, but we cannot tell what it made: no status, so nobody assumes a 5xx.
        detail = f"HTTP {response.status_code} with a body that is not JSON"
        raise indeterminate(words, None, detail)
    if body is None:
        raise ApiError(
            "the API answered with something that is not JSON",
            status=response.status_code,
            request=words,
            hint="is the base URL an API URL?",
        )
    return body
