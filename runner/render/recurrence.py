"""Recurrence (`every:`/`on:`): periods, their labels, and the day each period's launch is due.

A period is named by a label that sorts in time order: `2026-11-29` (daily), `2026-W48`
(weekly, ISO 8601 weeks: Monday to Sunday, the year is the ISO week-numbering year),
`2026-11` (monthly), `2026-Q4` (quarterly), `2026` (yearly).

`on:` grammar (case-insensitive; without `on:` a period is due on its first day):
  day N             the N-th calendar day of the period, clamped to its last day
                    (weekly: 1 = Monday ... 7 = Sunday)
  Nth working day   the N-th Monday-to-Friday of the period (1st, 2nd, 3rd, 4th, ...);
                    public holidays are not known, so they count as working days
  last day          the period's last day
  last working day  the period's last Monday-to-Friday
  monday ... sunday the first such weekday of the period (not for daily)
For `daily`, only `1st working day` is meaningful: it launches on weekdays only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

Cadence = Literal["daily", "weekly", "monthly", "quarterly", "yearly"]
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
LABEL_PATTERNS: dict[str, str] = {
    "daily": r"\d{4}-\d{2}-\d{2}",
    "weekly": r"\d{4}-W\d{2}",
    "monthly": r"\d{4}-\d{2}",
    "quarterly": r"\d{4}-Q[1-4]",
    "yearly": r"\d{4}",
}
# Upper bounds every period of the cadence can honour (February has 20 working days).
MAX_DAY = {"daily": 1, "weekly": 7, "monthly": 31, "quarterly": 92, "yearly": 366}
MAX_WORKING = {"daily": 1, "weekly": 5, "monthly": 20, "quarterly": 60, "yearly": 250}
ON_GRAMMAR = "day N, Nth working day, last day, last working day, or a weekday (monday)"

_DAY = re.compile(r"day (\d{1,3})")
_WORKING = re.compile(r"(\d{1,3})(?:st|nd|rd|th) working day")


@dataclass(frozen=True)
class Period:
    """One period of a cadence: its label and first and last days (inclusive)."""

    cadence: str
    label: str
    start: date
    end: date


@dataclass(frozen=True)
class OnRule:
    """A parsed `on:` value: which day of a period its launch is due."""

    kind: Literal["day", "working", "weekday", "last", "last-working"]
    n: int = 1  # day number, working-day ordinal, or weekday (0 = Monday)


def period_of(cadence: str, day: date) -> Period:
    """The period of `cadence` that holds `day`."""
    if cadence == "daily":
        return Period(cadence, day.isoformat(), day, day)
    if cadence == "weekly":
        year, week, weekday = day.isocalendar()
        start = day - timedelta(days=weekday - 1)
        return Period(cadence, f"{year}-W{week:02d}", start, start + timedelta(days=6))
    if cadence == "monthly":
        start = day.replace(day=1)
        return Period(cadence, f"{day.year}-{day.month:02d}", start, _month_end(start, 1))
    if cadence == "quarterly":
        quarter = (day.month - 1) // 3
        start = date(day.year, 3 * quarter + 1, 1)
        return Period(cadence, f"{day.year}-Q{quarter + 1}", start, _month_end(start, 3))
    if cadence == "yearly":
        return Period(cadence, str(day.year), date(day.year, 1, 1), date(day.year, 12, 31))
    raise ValueError(f"unknown cadence {cadence!r}")


def _month_end(start: date, months: int) -> date:
    """The last day of the `months`-month span that begins on `start` (a 1st)."""
    index = start.year * 12 + start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1) - timedelta(days=1)


def previous(period: Period) -> Period:
    """The period just before `period`."""
    return period_of(period.cadence, period.start - timedelta(days=1))


def parse_on(text: str, cadence: str) -> OnRule | str:
    """The rule `text` states, or a message saying what is wrong with it for `cadence`."""
    words = " ".join(text.lower().split())
    rule = _rule(words)
    if rule is None:
        return f"'on: {text}' is not understood; write {ON_GRAMMAR}"
    if cadence == "daily" and rule != OnRule("working", 1):
        return "with 'every: daily', 'on:' may only be '1st working day' (weekdays only)"
    limit = {"day": MAX_DAY, "working": MAX_WORKING}.get(rule.kind, {}).get(cadence)
    if limit is not None and not 1 <= rule.n <= limit:
        return f"'on: {text}' is out of range for every: {cadence} (1 to {limit})"
    return rule


def _rule(words: str) -> OnRule | None:
    if words in WEEKDAYS:
        return OnRule("weekday", WEEKDAYS.index(words))
    if words in ("last day", "last working day"):
        return OnRule("last" if words == "last day" else "last-working")
    for kind, pattern in (("day", _DAY), ("working", _WORKING)):
        match = pattern.fullmatch(words)
        if match:
            return OnRule("day" if kind == "day" else "working", int(match[1]))
    return None


def due_day(period: Period, rule: OnRule | None) -> date | None:
    """The day the period's launch becomes due; None when the period has no such day."""
    if rule is None:
        return period.start
    if rule.kind == "day":
        return min(period.start + timedelta(days=rule.n - 1), period.end)
    if rule.kind == "last":
        return period.end
    days = [period.start + timedelta(days=i) for i in range((period.end - period.start).days + 1)]
    if rule.kind == "weekday":
        return next((d for d in days if d.weekday() == rule.n), None)
    working = [d for d in days if d.weekday() < 5]
    if rule.kind == "last-working":
        return working[-1] if working else None
    return working[rule.n - 1] if len(working) >= rule.n else None


def due_periods(cadence: str, rule: OnRule | None, today: date, backfill: int = 0) -> list[Period]:
    """Periods whose launch is wanted on `today`: the current one once due, and up to
    `backfill` earlier ones (each only if it has a due day), oldest first."""
    current = period_of(cadence, today)
    due = due_day(current, rule)
    wanted = [current] if due is not None and due <= today else []
    period = current
    for _ in range(max(backfill, 0)):
        period = previous(period)
        if due_day(period, rule) is not None:
            wanted.append(period)
    return sorted(wanted, key=lambda p: p.start)


def local_day(now: datetime, zone: str) -> date:
    """The calendar day it is at `now` (aware) in the IANA time zone `zone`."""
    from zoneinfo import ZoneInfo

    return now.astimezone(ZoneInfo(zone)).date()
