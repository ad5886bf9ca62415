"""Filters and operators that could allocate without bound, given limits before they run.

Jinja folds constant expressions while compiling (`{{ 'x' | center(10**9) }}` runs in
`validate`), so the bound must hold inside the call itself, not only while rendering.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from jinja2.exceptions import SecurityError

MAX_TEXT = 100_000  # characters a bounded filter or a format may produce
# A width or precision in a %-format (`%10s`, `%.5f`, `%*d`) or a str.format spec (`{:>10}`).
PERCENT_WIDTH = re.compile(r"%[-+ #0]*(\*|\d+)?(?:\.(\*|\d+))?")
FORMAT_WIDTH = re.compile(r"\{[^{}]*:[^{}]*?(\d+)[^{}]*\}")


def too_long(size: int, what: str) -> SecurityError:
    return SecurityError(f"{what} would make text longer than {MAX_TEXT} characters")


def check_percent(fmt: Any) -> None:
    """Refuse a %-format whose widths alone would pass the limit (`'%1000000000s' % x`)."""
    if not isinstance(fmt, str):
        return
    for width, precision in PERCENT_WIDTH.findall(fmt):
        for number in (width, precision):
            if number == "*":
                raise SecurityError("a '*' width in a format is not allowed")
            if number and int(number) > MAX_TEXT:
                raise too_long(int(number), "a format width")


def check_format(fmt: str) -> None:
    """Refuse a str.format spec whose width passes the limit (`'{:>1000000000}'.format(x)`)."""
    for number in FORMAT_WIDTH.findall(fmt):
        if int(number) > MAX_TEXT:
            raise too_long(int(number), "a format width")


def _center(wrapped: Callable[..., str]) -> Callable[..., str]:
    def center(value: Any, width: int = 80) -> str:
        if isinstance(width, int) and width > MAX_TEXT:
            raise too_long(width, "center()")
        return wrapped(value, width)

    return center


def _indent(wrapped: Callable[..., str]) -> Callable[..., str]:
    def indent(s: Any, width: Any = 4, first: bool = False, blank: bool = False) -> str:
        lines = str(s).count("\n") + 1
        pad = len(width) if isinstance(width, str) else int(width)
        if pad * lines + len(str(s)) > MAX_TEXT:
            raise too_long(pad * lines, "indent()")
        return wrapped(s, width, first, blank)

    return indent


def _replace(wrapped: Callable[..., Any]) -> Callable[..., Any]:
    def replace(eval_ctx: Any, s: Any, old: Any, new: Any, count: int | None = None) -> Any:
        text, old_s, new_s = str(s), str(old), str(new)
        hits = len(text) + 1 if old_s == "" else text.count(old_s) if old_s else 0
        if count is not None:
            hits = min(hits, max(count, 0))
        if len(text) + hits * max(len(new_s) - len(old_s), 0) > MAX_TEXT:
            raise too_long(hits, "replace()")
        return wrapped(eval_ctx, s, old, new, count)

    replace.jinja_pass_arg = getattr(wrapped, "jinja_pass_arg", None)  # type: ignore[attr-defined]
    return replace


def _format(wrapped: Callable[..., str]) -> Callable[..., str]:
    def format_(value: Any, *args: Any, **kwargs: Any) -> str:
        check_percent(value)
        return wrapped(value, *args, **kwargs)

    return format_


BOUNDED: Mapping[str, Callable[[Callable[..., Any]], Callable[..., Any]]] = {
    "center": _center,
    "indent": _indent,
    "replace": _replace,
    "format": _format,
}


def bound_filters(filters: dict[str, Any]) -> None:
    """Replace the filters that can grow text without bound with checked versions."""
    for name, bound in BOUNDED.items():
        if name in filters:
            filters[name] = bound(filters[name])
