"""Tallyfy's response shapes: errors, `{"data": ...}` envelopes and pagination meta."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from starlette.datastructures import URL, QueryParams
from starlette.responses import JSONResponse

Obj = dict[str, Any]

DEFAULT_PER_PAGE = 10
MAX_PER_PAGE = 100
INVALID_MESSAGE = "The given data was invalid."


class ApiError(Exception):
    """An error answer: status, Tallyfy-shaped body, extra headers."""

    def __init__(self, status: int, body: Obj, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(f"{status} {body.get('message')}")
        self.status = status
        self.body = body
        self.headers = dict(headers or {})

    def response(self) -> JSONResponse:
        return JSONResponse(self.body, status_code=self.status, headers=self.headers)


def error(status: int, message: str, code: str) -> ApiError:
    return ApiError(status, {"error": True, "message": message, "code": code})


def endpoint_not_found() -> ApiError:
    return error(404, "API endpoint not found", "ENDPOINT_NOT_FOUND")


def not_found() -> ApiError:
    return error(404, "Resource not found", "RESOURCE_NOT_FOUND")


def invalid(errors: Mapping[str, list[str]]) -> ApiError:
    """422 with Laravel's validation body (dot paths to lists of messages)."""
    return ApiError(422, {"error": True, "message": INVALID_MESSAGE, "errors": dict(errors)})


def data(item: Any, status: int = 200) -> JSONResponse:
    return JSONResponse({"data": item}, status_code=status)


def page_args(params: QueryParams) -> tuple[int, int]:
    """`page` (from 1) and `per_page` (default 10, capped at 100); junk falls back to defaults."""
    page = _int(params.get("page"), 1)
    per_page = _int(params.get("per_page"), DEFAULT_PER_PAGE)
    return max(page, 1), min(max(per_page, 1), MAX_PER_PAGE)


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def paged(url: URL, items: list[Any], total: int, page: int, per_page: int) -> JSONResponse:
    """A list envelope with pagination meta; `links` is `[]` when there is no other page (as
    PHP encodes an empty array), else an object with both `previous` and `next` (or null)."""
    total_pages = max(1, math.ceil(total / per_page))
    previous = next_ = None
    if page > 1:
        previous = str(url.include_query_params(page=min(page - 1, total_pages)))
    if page < total_pages:
        next_ = str(url.include_query_params(page=page + 1))
    links = {"previous": previous, "next": next_} if previous or next_ else []
    pagination: Obj = {
        "total": total,
        "count": len(items),
        "per_page": per_page,
        "current_page": page,
        "total_pages": total_pages,
        "links": links,
    }
    return JSONResponse({"data": items, "meta": {"pagination": pagination}})


def page_of(url: URL, params: QueryParams, items: list[Any]) -> JSONResponse:
    """Page an in-memory list."""
    page, per_page = page_args(params)
    start = (page - 1) * per_page
    return paged(url, items[start : start + per_page], len(items), page, per_page)


def with_set(params: QueryParams) -> set[str]:
    """The `with=` names asked for (comma separated, possibly repeated); unknown ones are kept
    here and ignored by whoever reads the set."""
    names: set[str] = set()
    for value in params.getlist("with"):
        names.update(part.strip() for part in value.split(",") if part.strip())
    return names


def wrapped(items: Any) -> Obj:
    """Related data as `with=` returns it."""
    return {"data": items}
