"""Recording the API's answers as anonymised fixtures (`doctor --record`), and replaying them."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import httpx

from runner.client.anonymise import Anonymiser
from runner.client.client import tls_context

# Answers of at most this size are recorded (a template or a page of runs is far smaller).
MAX_RECORDED = 32 * 1024 * 1024
# The headers worth keeping: what the client reads, and what doctor reports.
KEPT_HEADERS = ("content-type", "retry-after", "x-request-id")
NOT_RECORDED = {"error": True, "message": "API endpoint not found", "code": "ENDPOINT_NOT_FOUND"}
RATE_HEADER = re.compile(r"x-rate-?limit-[a-z-]+", re.IGNORECASE)


@dataclass(frozen=True)
class Exchange:
    """One request and its answer, as recorded."""

    method: str
    path: str
    query: str
    status: int
    headers: dict[str, str]
    body: bytes


def kept_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {
        k.lower(): v
        for k, v in headers.items()
        if k.lower() in KEPT_HEADERS or RATE_HEADER.match(k)
    }


class RecordingTransport(httpx.BaseTransport):
    """Passes every request to `inner` and keeps a copy of each answer (headers and body)."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self._inner = inner
        self._lock = threading.Lock()
        self.exchanges: list[Exchange] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        body = response.read()
        if len(body) > MAX_RECORDED:
            body = body[:MAX_RECORDED]
        exchange = Exchange(
            request.method,
            request.url.path,
            request.url.query.decode("ascii", "replace"),
            response.status_code,
            kept_headers(response.headers),
            body,
        )
        with self._lock:
            self.exchanges.append(exchange)
        # The body is read (and decoded) already: hand on a response that says so.
        headers = [
            (k, v)
            for k, v in response.headers.multi_items()
            if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")
        ]
        return httpx.Response(response.status_code, headers=headers, content=body, request=request)

    def close(self) -> None:
        self._inner.close()


def write_fixtures(
    folder: Path,
    exchanges: Iterable[Exchange],
    *,
    base_url: str,
    org_id: str,
    secrets: Iterable[str],
    templates: Iterable[str],
) -> Anonymiser:
    """Write `exchanges` as anonymised fixtures in `folder`: `index.json` and one body per file."""
    anon = Anonymiser(secrets)
    anon.pin(org_id, "org")
    base_path = urlsplit(base_url).path.rstrip("/")
    bodies = [(x, _parsed(x.body)) for x in exchanges]
    for _, parsed in bodies:
        anon.learn(parsed)
    folder.mkdir(parents=True, exist_ok=True)
    index = []
    for n, (x, parsed) in enumerate(bodies, 1):
        name = f"{n:03d}-{x.method.lower()}.json"
        clean = anon.scrub(parsed) if parsed is not None else None
        (folder / name).write_text(json.dumps(clean, indent=2, sort_keys=True) + "\n")
        index.append(
            {
                "method": x.method,
                "path": anon.text(x.path.removeprefix(base_path), ids_only=True),
                "query": _query(anon, x.query),
                "status": x.status,
                "headers": {k: anon.text(v) for k, v in sorted(x.headers.items())},
                "body": name if parsed is not None or x.body else None,
            }
        )
    meta = {
        "format": 1,
        "org_id": anon.text(org_id),
        "templates": [anon.text(t) for t in templates],
        "exchanges": index,
    }
    (folder / "index.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    return anon


def _query(anon: Anonymiser, query: str) -> str:
    """A query string with ids replaced; a search text (`q=`) is a name, so it is replaced too."""
    return canonical_query(
        query, lambda name, v: anon.text(v) if name == "q" else anon.text(v, ids_only=True)
    )


def canonical_query(query: str, change: Callable[[str, str], str] = lambda _, v: v) -> str:
    """`query` with each value decoded, passed through `change`, and encoded one way."""
    parts = []
    for part in query.split("&") if query else []:
        name, _, value = part.partition("=")
        parts.append(f"{name}={quote(change(name, unquote(value)), safe=',')}")
    return "&".join(parts)


def _parsed(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return {"unparsed_body": "(not JSON: left out of the recording)"}


class ReplayTransport(httpx.BaseTransport):
    """Answers requests from recorded fixtures; anything not recorded gets Tallyfy's 404."""

    def __init__(self, folder: Path, base_url: str) -> None:
        meta = json.loads((folder / "index.json").read_text())
        self.meta: dict[str, Any] = meta
        self._base_path = urlsplit(base_url).path.rstrip("/")
        self._answers: dict[tuple[str, str, str], tuple[int, dict[str, str], bytes]] = {}
        for x in meta["exchanges"]:
            body = (folder / x["body"]).read_bytes() if x["body"] else b""
            if body.strip() == b"null":
                body = b""
            self._answers[(x["method"], x["path"], x["query"])] = (x["status"], x["headers"], body)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix(self._base_path)
        key = (request.method, path, canonical_query(request.url.query.decode("ascii", "replace")))
        found = self._answers.get(key)
        if found is None:
            return httpx.Response(404, json=NOT_RECORDED, request=request)
        status, headers, body = found
        return httpx.Response(status, headers=headers, content=body, request=request)


def recording_transport() -> RecordingTransport:
    """A recorder around the ordinary HTTP transport (what `doctor` always talks through)."""
    return RecordingTransport(httpx.HTTPTransport(verify=tls_context()))
