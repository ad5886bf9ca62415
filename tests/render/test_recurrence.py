"""Recurrence with a fixed clock: labels and boundaries, `on:` rules, time zones, backfill."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from runner.render.recurrence import (
    OnRule,
    due_day,
    due_periods,
    local_day,
    parse_on,
    period_of,
    previous,
)


@pytest.mark.parametrize(
    ("cadence", "day", "label", "start", "end"),
    [
        ("daily", date(2028, 2, 29), "2028-02-29", date(2028, 2, 29), date(2028, 2, 29)),
        ("monthly", date(2028, 2, 29), "2028-02", date(2028, 2, 1), date(2028, 2, 29)),
        ("monthly", date(2027, 2, 28), "2027-02", date(2027, 2, 1), date(2027, 2, 28)),
        ("monthly", date(2026, 12, 31), "2026-12", date(2026, 12, 1), date(2026, 12, 31)),
        ("quarterly", date(2026, 11, 29), "2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
        ("quarterly", date(2028, 2, 29), "2028-Q1", date(2028, 1, 1), date(2028, 3, 31)),
        ("yearly", date(2026, 12, 31), "2026", date(2026, 1, 1), date(2026, 12, 31)),
        ("weekly", date(2026, 11, 29), "2026-W48", date(2026, 11, 23), date(2026, 11, 29)),
        # ISO weeks around new year: the week belongs to the year that holds its Thursday.
        ("weekly", date(2027, 1, 1), "2026-W53", date(2026, 12, 28), date(2027, 1, 3)),
        ("weekly", date(2027, 1, 4), "2027-W01", date(2027, 1, 4), date(2027, 1, 10)),
        ("weekly", date(2025, 12, 29), "2026-W01", date(2025, 12, 29), date(2026, 1, 4)),
    ],
)
def test_period_labels_and_bounds(
    cadence: str, day: date, label: str, start: date, end: date
) -> None:
    period = period_of(cadence, day)
    assert (period.label, period.start, period.end) == (label, start, end)


def test_previous_crosses_year_ends_and_leap_days() -> None:
    assert previous(period_of("monthly", date(2027, 1, 15))).label == "2026-12"
    assert previous(period_of("quarterly", date(2027, 1, 1))).label == "2026-Q4"
    assert previous(period_of("daily", date(2028, 3, 1))).label == "2028-02-29"
    assert previous(period_of("weekly", date(2027, 1, 4))).label == "2026-W53"
    assert previous(period_of("yearly", date(2027, 6, 1))).label == "2026"


@pytest.mark.parametrize(
    ("text", "cadence", "rule"),
    [
        ("1st working day", "monthly", OnRule("working", 1)),
        ("  3rd   Working Day ", "quarterly", OnRule("working", 3)),
        ("day 5", "monthly", OnRule("day", 5)),
        ("monday", "monthly", OnRule("weekday", 0)),
        ("Friday", "weekly", OnRule("weekday", 4)),
        ("last day", "yearly", OnRule("last")),
        ("last working day", "monthly", OnRule("last-working")),
        ("1st working day", "daily", OnRule("working", 1)),
    ],
)
def test_on_grammar(text: str, cadence: str, rule: OnRule) -> None:
    assert parse_on(text, cadence) == rule


@pytest.mark.parametrize(
    ("text", "cadence", "says"),
    [
        ("first monday", "monthly", "not understood"),
        ("day 32", "monthly", "out of range"),
        ("day 8", "weekly", "out of range"),
        ("21st working day", "monthly", "out of range"),
        ("day 0", "monthly", "out of range"),
        ("monday", "daily", "only be '1st working day'"),
    ],
)
def test_on_grammar_errors(text: str, cadence: str, says: str) -> None:
    message = parse_on(text, cadence)
    assert isinstance(message, str) and says in message


def test_first_working_day_skips_weekends() -> None:
    rule = OnRule("working", 1)
    # 2026-11-01 is a Sunday, 2026-08-01 a Saturday, 2026-12-01 a Tuesday.
    assert due_day(period_of("monthly", date(2026, 11, 10)), rule) == date(2026, 11, 2)
    assert due_day(period_of("monthly", date(2026, 8, 10)), rule) == date(2026, 8, 3)
    assert due_day(period_of("monthly", date(2026, 12, 10)), rule) == date(2026, 12, 1)
    # A holiday (New Year's Day 2027, a Friday) still counts: no holiday calendar is known.
    assert due_day(period_of("monthly", date(2027, 1, 10)), rule) == date(2027, 1, 1)


def test_other_due_days() -> None:
    feb = period_of("monthly", date(2027, 2, 1))
    assert due_day(feb, OnRule("day", 31)) == date(2027, 2, 28)  # clamped to the last day
    assert due_day(feb, OnRule("last-working")) == date(2027, 2, 26)  # 28th is a Sunday
    assert due_day(feb, OnRule("weekday", 0)) == date(2027, 2, 1)
    assert due_day(period_of("weekly", date(2026, 11, 25)), OnRule("day", 5)) == date(
        2026, 11, 27
    )
    saturday = period_of("daily", date(2026, 11, 28))
    assert due_day(saturday, OnRule("working", 1)) is None


def _labels(cadence: str, rule: OnRule | None, today: date, backfill: int = 0) -> list[str]:
    return [p.label for p in due_periods(cadence, rule, today, backfill)]


def test_due_only_once_the_on_day_is_reached() -> None:
    rule = OnRule("working", 1)
    assert _labels("monthly", rule, date(2026, 11, 1)) == []  # Sunday: not yet
    assert _labels("monthly", rule, date(2026, 11, 2)) == ["2026-11"]
    assert _labels("monthly", rule, date(2026, 11, 30)) == ["2026-11"]
    assert _labels("monthly", None, date(2026, 12, 1)) == ["2026-12"]


def test_backfill_adds_at_most_n_earlier_periods() -> None:
    rule = OnRule("working", 1)
    assert _labels("monthly", rule, date(2027, 1, 5), 0) == ["2027-01"]
    assert _labels("monthly", rule, date(2027, 1, 5), 2) == ["2026-11", "2026-12", "2027-01"]
    # Before this month's day, only earlier periods can be wanted.
    assert _labels("monthly", rule, date(2026, 11, 1), 1) == ["2026-10"]
    # Daily on working days: weekend days have no launch to back-fill.
    monday = date(2026, 11, 30)
    assert _labels("daily", rule, monday, 3) == ["2026-11-27", "2026-11-30"]


def test_local_day_follows_the_time_zone() -> None:
    # 23:30 UTC on 30 November is already 1 December in Berlin and Tokyo, not in New York.
    now = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    assert local_day(now, "Europe/Berlin") == date(2026, 12, 1)
    assert local_day(now, "Asia/Tokyo") == date(2026, 12, 1)
    assert local_day(now, "America/New_York") == date(2026, 11, 30)
    # Year end: Auckland is in 2027 while UTC is not.
    assert local_day(datetime(2026, 12, 31, 12, 0, tzinfo=UTC), "Pacific/Auckland") == date(
        2027, 1, 1
    )


def test_local_day_across_a_dst_change() -> None:
    # New York leaves daylight saving time at 06:00 UTC on 1 November 2026: midnight local is
    # 04:00 UTC (still EDT, UTC-4), not 05:00 UTC (EST).
    zone = "America/New_York"
    assert local_day(datetime(2026, 11, 1, 3, 59, tzinfo=UTC), zone) == date(2026, 10, 31)
    assert local_day(datetime(2026, 11, 1, 4, 0, tzinfo=UTC), zone) == date(2026, 11, 1)
    # Berlin enters DST on 29 March 2026: that night midnight is 22:00 UTC, not 23:00.
    berlin = "Europe/Berlin"
    assert local_day(datetime(2026, 3, 29, 21, 59, tzinfo=UTC), berlin) == date(2026, 3, 29)
    assert local_day(datetime(2026, 3, 29, 22, 0, tzinfo=UTC), berlin) == date(2026, 3, 30)
    day = local_day(datetime(2026, 3, 31, 22, 30, tzinfo=UTC), berlin)
    assert period_of("monthly", day).label == "2026-04"
