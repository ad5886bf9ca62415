"""The only module that speaks HTTP: Tallyfy REST calls with retries, paging and throttling."""

from __future__ import annotations

import copy
import functools
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import httpx

from runner import __version__
from runner.client.budgets import Budgets
from runner.client.calls import Caller
from runner.client.responses import (
    data,
    launched_run,
    member_ids,
    pagination,
    plain_list,
)
from runner.client.throttle import Limiter, Stats
from runner.errors import ApiError

PER_PAGE = 100
FOLDER_TYPES = ("run", "checklist")  # process folders, template folders


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The verifying TLS context (httpx's default) every client of this process shares:
    building one reads the whole CA bundle, tens of milliseconds each time."""
    return httpx.create_ssl_context()


class TallyfyClient(Caller):
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
        clock: Callable[[], float] = time.monotonic,
        log: Callable[[str], None] | None = None,
        on_wait: Callable[[str], None] | None = None,
        client_name: str = "APIClient",
        budgets: Budgets | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.org_id = org_id
        self._token = token
        self.max_attempts = max(1, max_attempts)
        self._sleep = sleep
        self._clock = clock  # the wall clock the wait budget is measured on
        self._log = log
        self._on_wait = on_wait  # what a wait is for and how long, as a sentence
        self._limiter = Limiter(max_concurrency, sleep=sleep, clock=clock)
        self._budgets = budgets or Budgets()
        self._deadline = time.monotonic() + self._budgets.deadline_seconds
        # The wait budget: seconds of the command's time spent held back by the server (429),
        # and when the last wait counted ends. Waits that overlap (every worker waits out the
        # same Retry-After) count once: the budget is wall-clock time, not a sum over workers.
        self._waited = 0.0
        self._waits_end = 0.0
        self._stats = Stats()
        self._stats_lock = threading.Lock()
        self._headers = {
            "Accept": "application/json",
            "X-Tallyfy-Client": client_name,
            "User-Agent": f"launchspec/{__version__} (httpx/{httpx.__version__})",
        }
        self._http = httpx.Client(
            transport=transport,
            verify=tls_context(),
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
        return self._one("GET", "/me", "user")

    def my_organizations(self) -> list[dict[str, Any]]:
        """The organisations the token's user belongs to (GET /me does not list them)."""
        return list(self._pages("/me/organizations"))

    def get_template(self, template_id: str) -> dict[str, Any]:
        """The template with `prerun`, `steps` and `tags` as plain lists."""
        path = self._org(f"checklists/{template_id}")
        template = self._one("GET", path, "template", {"with": "steps,tags,folder"})
        for key in ("prerun", "steps", "tags"):
            if key in template:
                template[key] = plain_list(template[key])
        return template

    def find_templates(self, q: str | None = None, *, steps: bool = False) -> list[dict[str, Any]]:
        """Templates whose title holds `q`; with `steps`, each with its steps (`with=steps`,
        which a server that does not know it ignores)."""
        params = {"q": q} if q else {}
        if steps:
            params["with"] = "steps"
        return list(self._pages(self._org("checklists"), params))

    def list_users(self) -> list[dict[str, Any]]:
        return list(self._pages(self._org("users")))

    def list_groups(self) -> list[dict[str, Any]]:
        return list(self._pages(self._org("groups")))

    def list_tags(self) -> list[dict[str, Any]]:
        return list(self._pages(self._org("tags")))

    def list_folders(self) -> list[dict[str, Any]]:
        """Every folder, nested ones too, process (`run`) folders first, then template
        (`checklist`) ones, each with its `folder_type`.

        Without `folder_type` Tallyfy lists template folders only, so each kind is asked for
        (docs/tallyfy-api-notes.md, "Folders"); a folder whose answer leaves its type out gets
        the type it was listed under."""
        found: dict[str, dict[str, Any]] = {}
        for kind in FOLDER_TYPES:
            params = {"with": "children", "folder_type": kind}
            pending = list(self._pages(self._org("folders"), params))
            while pending:
                folder = pending.pop(0)
                pending.extend(plain_list(folder.pop("children", None)))
                if not folder.get("folder_type"):
                    folder["folder_type"] = kind
                found.setdefault(str(folder.get("id")), folder)
        return list(found.values())

    def launch_run(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST a launch. Never resent after an ambiguous failure: IndeterminateError instead."""
        return launched_run(self._call("POST", self._org("runs"), body=body), "POST runs")

    def get_run(self, run_id: str, with_: Sequence[str] = ()) -> dict[str, Any]:
        params = {"with": ",".join(with_)} if with_ else {}
        return self._one("GET", self._org(f"runs/{run_id}"), "run", params)

    def list_runs(self, **filters: str | int | bool) -> Iterator[dict[str, Any]]:
        return self._pages(self._org("runs"), filters)

    def first_runs(self, **filters: str | int | bool) -> tuple[list[dict[str, Any]], bool]:
        """The first page of runs (at most PER_PAGE) and whether more pages follow: for reads
        whose filter a server may ignore (`q`), which must not page through a whole history."""
        params = {"per_page": PER_PAGE, **filters, "page": 1}
        body = self._call("GET", self._org("runs"), params)
        items = plain_list(body.get("data") if isinstance(body, dict) else body)
        paging = pagination(body)
        return items, paging is not None and paging[0] < paging[1]

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

    def _one(
        self, method: str, path: str, what: str, params: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """The object a read answers with; an answer that holds none (an empty 200, `{}`, a
        list) is an API error, never an object with no fields."""
        found = data(self._call(method, path, params))
        if not found.get("id"):
            raise ApiError(
                f"the API answered with no {what} (an empty or malformed 2xx body)",
                request=f"{method} {path}",
                hint="is the base URL Tallyfy's API? `launchspec doctor` checks the connection",
            )
        return found

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
