"""Client behaviour the sandbox cannot stage exactly, against httpx.MockTransport."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from runner import __version__
from runner.client.client import TallyfyClient
from runner.client.throttle import RETRY_AFTER_CAP
from runner.errors import (
    ApiError,
    AuthError,
    IndeterminateError,
    NotFoundError,
    ThrottledError,
)

TOKEN = "tok-SECRET-0123456789"
ORG = "org1"
Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """A mock server answering from a script, remembering every request and every sleep."""

    def __init__(self, *answers: httpx.Response | Exception | Handler) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []
        self.sleeps: list[float] = []
        self.log: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            return answer
        return answer(request)

    def client(self, base: str = "https://go.tallyfy.com/api", **options: Any) -> TallyfyClient:
        options.setdefault("max_attempts", 4)
        return TallyfyClient(
            base, ORG, TOKEN, transport=httpx.MockTransport(self), sleep=self.sleeps.append,
            log=self.log.append, **options,
        )  # fmt: skip


def ok(body: Any = None, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, json={"data": body or {"id": "r1"}}, headers=headers)


def err(status: int, body: Any = None, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=body or {"message": "no"}, headers=headers)


RUN = {"checklist_id": "t1", "name": "n"}


# -- the request on the wire -----------------------------------------------------------------
@pytest.mark.parametrize("base", ["https://go.tallyfy.com/api", "https://api.tallyfy.com/"])
def test_headers_and_urls_in_both_base_forms(base: str) -> None:
    mock = Recorder(ok())
    with mock.client(base, client_name="TallyfySDK") as c:
        c.me()
        c.launch_run(RUN)
    get, post = mock.requests
    assert str(get.url) == base.rstrip("/") + "/me"
    assert str(post.url) == base.rstrip("/") + "/organizations/org1/runs"
    for r in (get, post):
        assert r.headers["authorization"] == f"Bearer {TOKEN}"
        assert r.headers["accept"] == "application/json"
        assert r.headers["x-tallyfy-client"] == "TallyfySDK"
        assert f"launchspec/{__version__}" in r.headers["user-agent"]
    assert "content-type" not in get.headers
    assert post.headers["content-type"] == "application/json"
    assert json.loads(post.content) == RUN


def test_query_spaces_are_percent_20_and_booleans_lowercase() -> None:
    mock = Recorder(ok([]))
    list(mock.client().list_runs(q="Month end, Acme", starred=True))
    url = str(mock.requests[0].url)
    assert "q=Month%20end%2C%20Acme" in url and "+" not in url
    assert "starred=true" in url and "per_page=100" in url and "page=1" in url


# -- retries ------------------------------------------------------------------------------
def test_post_answered_503_is_not_resent() -> None:
    mock = Recorder(err(503, **{"x-request-id": "rq-9"}), ok())
    with pytest.raises(IndeterminateError) as info:
        mock.client().launch_run(RUN)
    assert len(mock.requests) == 1
    assert info.value.status == 503 and info.value.request_id == "rq-9"
    assert "may or may not have happened" in str(info.value)


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        httpx.ReadError("reset"),
        httpx.WriteTimeout("slow write"),
    ],
)
def test_ambiguous_post_failure_is_indeterminate_and_sent_once(exc: Exception) -> None:
    mock = Recorder(exc, ok())
    with pytest.raises(IndeterminateError) as info:
        mock.client().launch_run(RUN)
    assert len(mock.requests) == 1
    assert info.value.status is None
    assert "read" in str(info.value) and "may or may not" in str(info.value)


@pytest.mark.parametrize("exc", [httpx.ConnectError("refused"), httpx.ConnectTimeout("slow")])
def test_post_that_never_left_is_retried(exc: Exception) -> None:
    mock = Recorder(exc, ok({"id": "r9"}, 201))
    assert mock.client().launch_run(RUN) == {"id": "r9"}
    assert len(mock.requests) == 2 and len(mock.sleeps) == 1


def _gzip_broken(status: int) -> httpx.Response:
    stream = httpx.ByteStream(b"not gzip")
    return httpx.Response(status, headers={"content-encoding": "gzip"}, stream=stream)


def test_launch_answer_that_cannot_be_decoded_is_indeterminate() -> None:
    """A 201 whose gzip body is corrupt raised httpx.DecodingError, which is no TransportError:
    it escaped the client (and apply) as a traceback (found by reading client._attempt)."""
    mock = Recorder(lambda r: _gzip_broken(201), ok({"id": "r9"}, 201))
    with pytest.raises(IndeterminateError):
        mock.client().launch_run(RUN)
    assert len(mock.requests) == 1, "the launch may have happened: never resent"
    mock = Recorder(lambda r: _gzip_broken(200))
    with pytest.raises(ApiError):
        mock.client(max_attempts=2).get_run("r9")


@pytest.mark.parametrize("body", [{"data": {"name": "x"}}, {"data": []}, []])
def test_launch_answer_without_a_run_id_is_indeterminate(body: Any) -> None:
    """A 2xx launch answer with no run id made apply's run["id"] raise KeyError: a traceback
    after a launch that happened (found by reading apply._launch)."""
    mock = Recorder(httpx.Response(201, json=body))
    with pytest.raises(IndeterminateError):
        mock.client().launch_run(RUN)
    assert len(mock.requests) == 1


def test_unreachable_api_raises_api_error_after_budget() -> None:
    mock = Recorder(httpx.ConnectError("refused"))
    with pytest.raises(ApiError) as info:
        mock.client(max_attempts=3).launch_run(RUN)
    assert type(info.value) is ApiError and "could not reach" in str(info.value)
    assert len(mock.requests) == 3


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_safe_methods_retry_5xx_and_lost_answers(method: str) -> None:
    mock = Recorder(err(502), httpx.ReadTimeout("slow"), ok({"id": "r1", "users": []}))
    c = mock.client()
    call: Callable[[], dict[str, Any]] = {
        "get": lambda: c.get_run("r1"),
        "put": lambda: c.update_run("r1", {"name": "x", "users": [], "groups": []}),
        "delete": lambda: c.archive_run("r1"),
    }[method]
    assert call()["id"] == "r1"
    assert len(mock.requests) == 3
    assert 0.25 <= mock.sleeps[0] <= 0.5 and 0.5 <= mock.sleeps[1] <= 1.0  # backoff, jittered
    assert c.stats.retries == 2


def test_5xx_after_budget_raises_last_error() -> None:
    mock = Recorder(err(500, {"message": "boom", "code": "SERVER_ERROR"}))
    with pytest.raises(ApiError) as info:
        mock.client(max_attempts=3).get_run("r1")
    assert info.value.status == 500 and info.value.message == "boom"
    assert len(mock.requests) == 3


def test_429_on_post_is_retried_after_retry_after() -> None:
    mock = Recorder(err(429, {"code": "RATE_LIMIT_EXCEEDED"}, **{"retry-after": "2"}), ok())
    c = mock.client()
    assert c.launch_run(RUN) == {"id": "r1"}
    assert len(mock.requests) == 2
    assert len(mock.sleeps) == 1 and 1.5 < mock.sleeps[0] <= 2.0
    assert c.stats.throttled == 1 and c.stats.by_status["429"] == 1


@pytest.mark.parametrize(
    ("header", "low", "high"),
    [
        (None, 0.25, 0.5),  # absent: backoff with jitter
        ("soon", 0.25, 0.5),  # garbage: backoff
        ("99999", RETRY_AFTER_CAP - 1, RETRY_AFTER_CAP),  # huge: capped
        ("-5", 0.0, 0.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0, 0.0),  # a date in the past
    ],
)
def test_retry_after_variants(header: str | None, low: float, high: float) -> None:
    headers = {"retry-after": header} if header is not None else {}
    mock = Recorder(err(429, **headers), ok())
    mock.client().get_run("r1")
    waits = mock.sleeps or [0.0]
    assert low <= waits[0] <= high


def test_persistent_429_raises_throttled_error() -> None:
    mock = Recorder(err(429, {"message": "slow down"}, **{"retry-after": "1"}))
    c = mock.client(max_attempts=3)
    with pytest.raises(ThrottledError) as info:
        c.launch_run(RUN)
    assert info.value.status == 429 and len(mock.requests) == 3
    assert c.stats.throttled == 3 and c.stats.retries == 2


def test_client_errors_are_not_retried() -> None:
    mock = Recorder(err(403, {"message": "Forbidden"}))
    with pytest.raises(ApiError) as info:
        mock.client().get_run("r1")
    assert info.value.status == 403 and len(mock.requests) == 1


# -- answers and errors ---------------------------------------------------------------------
def test_204_has_no_body() -> None:
    mock = Recorder(httpx.Response(204))
    assert mock.client().archive_run("r1") == {}


def test_non_json_error_body_gets_a_sentence() -> None:
    mock = Recorder(httpx.Response(400, text="<html>Bad Request</html>"))
    with pytest.raises(ApiError) as info:
        mock.client().get_run("r1")
    assert info.value.status == 400 and info.value.message == "the request was malformed"


def test_non_json_success_body() -> None:
    mock = Recorder(httpx.Response(200, text="<html>login page</html>"))
    with pytest.raises(ApiError) as info:
        mock.client().get_run("r1")
    assert "not JSON" in info.value.message
    mock = Recorder(httpx.Response(201, text='{"data": {"id": "r'))  # torn body of a launch
    with pytest.raises(IndeterminateError):
        mock.client().launch_run(RUN)


@pytest.mark.parametrize(
    "body",
    [
        {"error": True, "errors": {"name": ["Name is too long"]}},
        {"message": "The given data was invalid.", "errors": {"prerun.abc": "bad"}},
    ],
)
def test_both_422_shapes(body: dict[str, Any]) -> None:
    mock = Recorder(err(422, body, **{"x-request-id": "rq-1"}))
    with pytest.raises(ApiError) as info:
        mock.client().launch_run(RUN)
    e = info.value
    assert e.status == 422 and e.request_id == "rq-1" and len(mock.requests) == 1
    assert e.field_errors in ({"name": ["Name is too long"]}, {"prerun.abc": ["bad"]})
    assert e.request == "POST /organizations/org1/runs"


def test_401_says_token_rejected() -> None:
    mock = Recorder(err(401, {"message": "Unauthenticated."}))
    with pytest.raises(AuthError) as info:
        mock.client().me()
    assert "token was rejected" in str(info.value) and "not found" not in str(info.value)
    assert info.value.hint is not None and "expire" in info.value.hint


def test_404_endpoint_and_resource_differ() -> None:
    endpoint = {"error": True, "message": "API endpoint not found", "code": "ENDPOINT_NOT_FOUND"}
    mock = Recorder(err(404, endpoint), err(404, {"code": "RESOURCE_NOT_FOUND"}))
    c = mock.client()
    with pytest.raises(NotFoundError) as first:
        c.me()
    with pytest.raises(NotFoundError) as second:
        c.get_run("r1")
    assert "wrong base URL" in str(first.value) and first.value.hint
    assert second.value.message == "Resource not found" and second.value.hint is None


def test_token_never_shows() -> None:
    echo = {"message": f"bad token {TOKEN}", "errors": {"auth": [f"Bearer {TOKEN}"]}}
    mock = Recorder(err(400, echo), httpx.ConnectError(f"no route to {TOKEN}"))
    c = mock.client(max_attempts=1)
    texts = [repr(c), str(c)]
    for call in (c.me, c.me):
        with pytest.raises(ApiError) as info:
            call()
        texts += [str(info.value), repr(info.value), info.value.message, str(info.value.hint)]
        texts += [m for ms in info.value.field_errors.values() for m in ms]
    texts += mock.log
    assert mock.log and all(TOKEN not in t for t in texts)


# -- shapes and paging ------------------------------------------------------------------------
def page(items: list[Any], current: int, total: int, links: Any = None) -> httpx.Response:
    pagination = {"total": 0, "count": len(items), "per_page": 2, "current_page": current,
                  "total_pages": total, "links": [] if links is None else links}  # fmt: skip
    return httpx.Response(200, json={"data": items, "meta": {"pagination": pagination}})


def test_paging_walks_until_total_pages() -> None:
    mock = Recorder(page([1, 2], 1, 3), page([3, 4], 2, 3, {"next": "x"}), page([5], 3, 3))
    runs: list[Any] = list(mock.client().list_runs(status="active", per_page=2))
    assert runs == [1, 2, 3, 4, 5]  # the items as the pages held them
    pages = [r.url.params["page"] for r in mock.requests]
    assert pages == ["1", "2", "3"]
    assert all(r.url.params["per_page"] == "2" for r in mock.requests)


def test_list_without_meta_is_one_page() -> None:
    mock = Recorder(httpx.Response(200, json={"data": [{"id": 1}]}))
    assert mock.client().list_users() == [{"id": 1}]


@pytest.mark.parametrize("wrapped", [True, False])
def test_template_lists_unwrapped(wrapped: bool) -> None:
    def wrap(items: list[Any]) -> Any:
        return {"data": items} if wrapped else items

    template = {"id": "t1", "prerun": wrap([{"id": "f"}]), "steps": wrap([{"id": "s"}])}
    mock = Recorder(ok(template))
    got = mock.client().get_template("t1")
    assert got["prerun"] == [{"id": "f"}] and got["steps"] == [{"id": "s"}]
    assert mock.requests[0].url.params["with"] == "steps,tags,folder"


def test_update_run_resends_members() -> None:
    run = {"id": "r1", "users": [{"id": 7}, 8], "groups": {"data": [{"id": "g"}]}}
    mock = Recorder(ok(run), ok(run))
    mock.client().update_run("r1", {"name": "new"})
    get, put = mock.requests
    assert get.method == "GET" and put.method == "PUT"
    assert json.loads(put.content) == {"name": "new", "users": [7, 8], "groups": ["g"]}


def test_update_run_with_members_given_skips_the_read() -> None:
    mock = Recorder(ok())
    mock.client().update_run("r1", {"name": "n", "users": [], "groups": []})
    assert [r.method for r in mock.requests] == ["PUT"]


def test_log_lines_name_method_path_status_attempt_and_request_id() -> None:
    mock = Recorder(err(502), ok(None, 200, **{"x-request-id": "rq-7"}))
    mock.client().get_run("r1")
    assert mock.log[0].startswith("GET /organizations/org1/runs/r1 -> 502 ")
    assert mock.log[1].endswith("attempt 2 id=rq-7")


def test_datetimes_in_bodies_are_sent_as_iso_8601_with_z() -> None:
    from datetime import date, datetime, timedelta, timezone

    mock = Recorder(ok())
    deadline = datetime(2026, 1, 2, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    mock.client().launch_run({"tasks": {"s": {"deadline": deadline}}, "on": date(2026, 1, 2)})
    sent = json.loads(mock.requests[0].content)
    assert sent == {"tasks": {"s": {"deadline": "2026-01-02T09:00:00Z"}}, "on": "2026-01-02"}


def test_a_nested_error_body_reaches_the_user() -> None:
    """Evidence (MCP server): newer errors are `{"error": {"code", "message", "details"}}`."""
    nested = {"error": {"code": "SEAT_LIMIT", "message": "No seats left in this plan",
                        "details": {"seats": 0}}}
    with Recorder(err(409, nested)).client() as c, pytest.raises(ApiError) as caught:
        c.launch_run({"checklist_id": "t"})
    assert "No seats left in this plan" in str(caught.value)
    assert caught.value.code == "SEAT_LIMIT"


def test_a_write_retried_after_a_429_asks_the_permit_again_and_stops_when_refused() -> None:
    """The shared lease is lost while the client waits out a 429: the retry is never sent."""
    from runner.errors import LeaseLostError

    server = Recorder(httpx.Response(429, headers={"Retry-After": "30"}, json={"error": True}),
                      httpx.Response(200, json={"data": {"id": "r1"}}))  # fmt: skip
    client = server.client()
    asked: list[int] = []

    def permit() -> None:
        asked.append(1)
        if len(asked) > 1:
            raise LeaseLostError("the shared lease is no longer this apply's")

    client.permit_writes(permit)
    with pytest.raises(LeaseLostError):
        client.launch_run({"checklist_id": "t", "name": "n"})
    assert len(server.requests) == 1 and len(asked) == 2
    assert server.requests[0].method == "POST"
