"""Time for the sandbox: a strictly monotonic launch clock, ISO formatting, date parsing."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

_SPACE_FORM = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
_ISO_FORM = re.compile(
    r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$"
)

_UNITS = {"minutes": 60, "hours": 3600, "days": 86400, "weeks": 7 * 86400}


def now_us() -> int:
    """Wall-clock time in microseconds since the epoch (UTC)."""
    delta = datetime.now(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return delta // timedelta(microseconds=1)


def iso(us: int) -> str:
    """Microseconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ` (what Tallyfy returns)."""
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class MonotonicClock:
    """Hands out strictly increasing microsecond stamps, even if the wall clock stalls."""

    def __init__(self, last_us: int = 0) -> None:
        self.last_us = last_us
        self.offset_us = 0  # time made to pass by the admin API (`/_sandbox/clock`)

    def tick(self) -> int:
        self.last_us = max(now_us() + self.offset_us, self.last_us + 1)
        return self.last_us


def parse_request_date(value: Any) -> datetime | None:
    """A request date (ISO 8601, or `YYYY-MM-DD HH:MM:SS` read as UTC); None when invalid.

    Epoch numbers are refused: the API answers them with 422.
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not (_SPACE_FORM.match(text) or _ISO_FORM.match(text)):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def iso_of(moment: datetime) -> str:
    """A datetime as the API's response form."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def deadline_from_rule(rule: Any, start_us: int) -> str | None:
    """A step's relative deadline rule ({value, unit, ...}) applied to the launch time.

    Assumption: every rule counts from the launch (`step: start_run`); months are 30 days.
    """
    if not isinstance(rule, dict):
        return None
    value = rule.get("value")
    unit = str(rule.get("unit", "days"))
    if not isinstance(value, int | float):
        return None
    seconds = 30 * 86400 if unit == "months" else _UNITS.get(unit, 86400)
    return iso(start_us + int(value * seconds * 1_000_000))
