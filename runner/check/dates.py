"""Literal dates that cannot exist (2026-02-30, 2026-13-01): errors at their line, offline.

The schema's pattern accepts any four-two-two digits; only the calendar knows February has no
30th. A value with Jinja in it is checked when it is rendered."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Any

from runner.diagnostics import Diagnostic

# A value shaped like an ISO 8601 date or date-time (what the schema lets through).
DATE_LIKE = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?")


def impossible_dates(doc: Any) -> list[Diagnostic]:
    """Each deadline or kick-off value written as a date the calendar does not have."""
    return [
        Diagnostic(
            f"{text!r} is not a real date or time ({why})",
            doc.pos(path),
            path=".".join(path),
            code="bad-date",
        )
        for path, text in _literals(doc.data)
        if (why := _why_impossible(text)) is not None
    ]


def _literals(data: Any) -> Iterator[tuple[tuple[str, ...], str]]:
    if not isinstance(data, Mapping):
        return
    tasks = data.get("tasks")
    for name, task in tasks.items() if isinstance(tasks, Mapping) else ():
        if isinstance(task, Mapping) and isinstance(task.get("deadline"), str):
            yield ("tasks", str(name), "deadline"), task["deadline"]
    prerun = data.get("prerun")
    for label, value in prerun.items() if isinstance(prerun, Mapping) else ():
        if isinstance(value, str):
            yield ("prerun", str(label)), value


def _why_impossible(text: str) -> str | None:
    """Why a date-shaped `text` names no moment (None: fine, or not date-shaped at all)."""
    text = text.strip()
    if not DATE_LIKE.fullmatch(text):
        return None
    try:
        if len(text) == 10:
            date.fromisoformat(text)
        else:
            datetime.fromisoformat(text)
    except ValueError as e:
        return str(e)
    return None
