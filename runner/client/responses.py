"""Tallyfy wire formats, pure (no HTTP here): query strings, bodies, envelopes, errors."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote

from runner.errors import ApiError, AuthError, IndeterminateError, NotFoundError, ThrottledError

INDETERMINATE = "the launch may or may not have happened; read the runs back before trying again"
TOKEN_HINT = (
    "personal access tokens expire (about 6 months) and die on logout: "
    "get a new one in Tallyfy under Settings > Integrations > REST API, set TALLYFY_TOKEN"
)
BASE_URL_HINT = "wrong base URL? expected https://go.tallyfy.com/api or https://api.tallyfy.com"
_STATUS_TEXT = {
    400: "the request was malformed",
    403: "permission denied",
    404: "not found",
    409: "the request conflicts with the current state",
    422: "the request was invalid",
    429: "too many requests: the API is throttling us",
}


def api_error(
    status: int, headers: Mapping[str, str], content: bytes, words: str, token: str = ""
) -> ApiError:
    """The ApiError for a non-2xx answer: status, message, field errors, code, request id."""
    body = parse_json(content)
    body = body if isinstance(body, dict) else {}
    # Newer errors nest: {"error": {"code", "message", "details"}} (the MCP server's reading).
    inner = body.get("error")
    nested: dict[str, Any] = inner if isinstance(inner, dict) else {}
    message = _scrubbed(_text(body.get("message")) or _text(nested.get("message")), token)
    code = _text(body.get("code")) or _text(nested.get("code"))
    fields = {
        _scrubbed(name, token) or "": [_scrubbed(m, token) or "" for m in msgs]
        for name, msgs in field_errors(body.get("errors")).items()
    }
    kwargs: dict[str, Any] = dict(
        status=status,
        request=words,
        request_id=headers.get("x-request-id"),
        field_errors=fields,
        code=code,
    )
    error: ApiError
    if status == 401:
        said = f" (server said: {message})" if message else ""
        error = AuthError(
            f"the API token was rejected: expired or revoked?{said}", hint=TOKEN_HINT, **kwargs
        )
    elif status == 404:
        endpoint = code == "ENDPOINT_NOT_FOUND"
        text = message or ("API endpoint not found" if endpoint else "Resource not found")
        text += " (wrong base URL?)" if endpoint else ""
        error = NotFoundError(text, hint=BASE_URL_HINT if endpoint else None, **kwargs)
    else:
        cls = ThrottledError if status == 429 else ApiError
        server = "the server failed" if status >= 500 else f"the API answered {status}"
        error = cls(message or _STATUS_TEXT.get(status, server), **kwargs)
    return error


def indeterminate(
    words: str, status: int | None, detail: str, cause: ApiError | None = None
) -> IndeterminateError:
    """A write whose outcome is unknown; `status` is None when no answer arrived at all."""
    return IndeterminateError(
        f"{INDETERMINATE} ({detail})",
        status=status,
        request=words,
        request_id=cause.request_id if cause else None,
        code=cause.code if cause else None,
        hint="launchspec reads the runs back before any new attempt",
    )


def field_errors(raw: Any) -> dict[str, list[str]]:
    """Both documented 422 shapes carry {"field": ["msg"]}; bare strings are accepted too."""
    if isinstance(raw, dict):
        return {
            str(k): [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in raw.items()
        }
    if isinstance(raw, list) and raw:
        return {"request": [str(m) for m in raw]}
    return {}


def _scrubbed(text: str | None, token: str) -> str | None:
    """Server text is echoed in errors: make sure it cannot carry the token."""
    return text.replace(token, "***") if text and token else text


def parse_json(content: bytes) -> Any:
    """The JSON in a body, or None for an empty or non-JSON one."""
    try:
        return json.loads(content) if content else None
    except ValueError:
        return None


def data(body: Any) -> dict[str, Any]:
    """Unwrap {"data": {...}}; accept a bare object; {} for no body."""
    if isinstance(body, dict) and isinstance(body.get("data"), dict):
        return dict(body["data"])
    return dict(body) if isinstance(body, dict) else {}


def launched_run(body: Any, words: str) -> dict[str, Any]:
    """The run a 2xx launch answer made; without its id, which run it made is unknown."""
    run = data(body)
    if not run.get("id"):
        raise indeterminate(words, None, "a 2xx answer that names no run id")
    return run


def plain_list(value: Any) -> list[Any]:
    """Related data may come wrapped ({"data": [...]}) or bare."""
    if isinstance(value, dict) and "data" in value:
        value = value["data"]
    return list(value) if isinstance(value, list) else []


def member_ids(members: Any) -> list[Any]:
    """Member ids from a run: bare ids or objects with an `id`."""
    return [m["id"] if isinstance(m, dict) else m for m in plain_list(members)]


def pagination(body: Any) -> tuple[int, int] | None:
    """(current_page, total_pages) from a list envelope, or None if it has none."""
    meta = body.get("meta") if isinstance(body, dict) else None
    paging = meta.get("pagination") if isinstance(meta, dict) else None
    if not isinstance(paging, dict):
        return None
    try:
        return int(paging["current_page"]), int(paging["total_pages"])
    except (KeyError, TypeError, ValueError):
        return None


def query(params: Mapping[str, Any]) -> str:
    """A query string with spaces as %20 (httpx would send +) and booleans as true/false."""
    pairs = []
    for key, value in params.items():
        if value is None:
            continue
        text = str(value).lower() if isinstance(value, bool) else str(value)
        pairs.append(f"{quote(str(key), safe='')}={quote(text, safe='')}")
    return "?" + "&".join(pairs) if pairs else ""


def encode_body(body: Mapping[str, Any]) -> bytes:
    """Compact JSON; datetimes become ISO 8601 in UTC with `Z`, as the API documents."""
    return json.dumps(body, separators=(",", ":"), default=_iso).encode()


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
        return str(value.strftime("%Y-%m-%dT%H:%M:%SZ"))
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot send a {type(value).__name__} to the API")


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
