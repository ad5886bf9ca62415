"""Date filters for spec templates: pure functions over datetimes, dates and ISO strings.

Every filter accepts a `datetime`, a `date`, or an ISO 8601 string (also "YYYY-MM-DD HH:MM:SS")
and returns the same kind it was given: a date stays a date, a datetime keeps its time zone.
Filters move the day, never the time of day. `iso` renders a time as UTC with `Z`; a naive time
is taken to be in the zone of `launch.at` (the project's time zone), like deadlines are.
Any bad input raises FilterError with a message meant for the spec's author.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

When = date | datetime  # a datetime is also a date; filters keep whichever kind they got

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# strftime directives that are portable and locale-light; others (%c, %s, %-d...) are refused.
SAFE_DIRECTIVES = frozenset("aAbBdHIjmMpSyYzZ%")
MAX_STEP = 100_000  # days/weeks/months further than this are surely a mistake
MAX_FORMAT = 200


class FilterError(ValueError):
    """A filter got a value or an argument it cannot use."""


def to_when(value: Any, name: str) -> When:
    """Coerce a filter's input to a date or datetime; refuse anything else clearly."""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10:
                return date.fromisoformat(text)
            return datetime.fromisoformat(text)
        except ValueError:
            pass
    raise FilterError(
        f"{name}: {value!r} is not a date (expected a datetime, a date or an ISO 8601 string)"
    )


def _count(n: Any, name: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise FilterError(f"{name}: the count must be a whole number, not {n!r}")
    if abs(n) > MAX_STEP:
        raise FilterError(f"{name}: {n} is too far (at most {MAX_STEP})")
    return n


def add_days(value: Any, n: Any) -> When:
    """`value` moved by `n` calendar days (negative goes back)."""
    return to_when(value, "add_days") + timedelta(days=_count(n, "add_days"))


def add_weeks(value: Any, n: Any) -> When:
    """`value` moved by `n` weeks."""
    return to_when(value, "add_weeks") + timedelta(weeks=_count(n, "add_weeks"))


def add_business_days(value: Any, n: Any) -> When:
    """`value` moved by `n` working days, Monday to Friday (no holiday calendar)."""
    when = to_when(value, "add_business_days")
    n = _count(n, "add_business_days")
    if n == 0:
        return when
    step = 1 if n > 0 else -1
    # From a weekend, count from the working day behind us so that Sat + 1 is Monday.
    while when.weekday() >= 5:
        when -= timedelta(days=step)
    weeks, rest = divmod(abs(n), 5)
    when += timedelta(days=7 * weeks * step)
    while rest:
        when += timedelta(days=step)
        if when.weekday() < 5:
            rest -= 1
    return when


def add_months(value: Any, n: Any) -> When:
    """`value` moved by `n` months; the day is clamped to the target month's end (Jan 31 + 1)."""
    when = to_when(value, "add_months")
    n = _count(n, "add_months")
    index = when.year * 12 + when.month - 1 + n
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise FilterError(f"add_months: {n} months leaves the calendar")
    import calendar  # here: validate registers the filters but never calls them

    day = min(when.day, calendar.monthrange(year, month + 1)[1])
    return when.replace(year=year, month=month + 1, day=day)


def start_of_month(value: Any) -> When:
    """The first day of `value`'s month, same time of day."""
    return to_when(value, "start_of_month").replace(day=1)


def end_of_month(value: Any) -> When:
    """The last day of `value`'s month, same time of day."""
    when = to_when(value, "end_of_month")
    import calendar

    return when.replace(day=calendar.monthrange(when.year, when.month)[1])


def next_weekday(value: Any, name: Any) -> When:
    """The next `name` day strictly after `value` ("monday" or "mon", any case)."""
    when = to_when(value, "next_weekday")
    wanted = str(name).strip().lower()
    matches = [i for i, day in enumerate(WEEKDAYS) if len(wanted) >= 3 and day.startswith(wanted)]
    if len(matches) != 1:
        raise FilterError(f"next_weekday: {name!r} is not a day name (monday ... sunday)")
    ahead = (matches[0] - when.weekday() - 1) % 7 + 1
    return when + timedelta(days=ahead)


def format_date(value: Any, fmt: Any = "%Y-%m-%d") -> str:
    """`value` formatted with a safe subset of strftime (%Y %m %d %H %M %S %b %B %a %A ...)."""
    when = to_when(value, "format_date")
    if not isinstance(fmt, str) or len(fmt) > MAX_FORMAT:
        raise FilterError(f"format_date: the format must be a string of at most {MAX_FORMAT}")
    bad = sorted({d for d in re.findall(r"%(.?)", fmt) if d not in SAFE_DIRECTIVES})
    if bad:
        allowed = " ".join(f"%{d}" for d in sorted(SAFE_DIRECTIVES))
        shown = ", ".join(f"%{d}" for d in bad)
        raise FilterError(f"format_date: {shown} not allowed (allowed: {allowed})")
    return when.strftime(fmt)


def to_utc(when: datetime, local: tzinfo) -> datetime:
    """An aware UTC datetime; a naive one is read in `local`."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=local)
    return when.astimezone(UTC)


def iso_utc(when: datetime, local: tzinfo = UTC) -> str:
    """ISO 8601 in UTC with `Z`, whole seconds: 2026-12-01T17:00:00Z."""
    return to_utc(when, local).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso(value: Any, local: tzinfo = UTC) -> str:
    """A datetime as ISO 8601 UTC with `Z`; a date as YYYY-MM-DD (it names a day, not a time)."""
    when = to_when(value, "iso")
    if isinstance(when, datetime):
        return iso_utc(when, local)
    return when.isoformat()


FILTERS = {
    "add_days": add_days,
    "add_business_days": add_business_days,
    "add_weeks": add_weeks,
    "add_months": add_months,
    "start_of_month": start_of_month,
    "end_of_month": end_of_month,
    "next_weekday": next_weekday,
    "format_date": format_date,
    "date": format_date,
}
