"""The sandboxed Jinja environment and its date filters."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from runner.render import filters
from runner.render.templating import (
    TemplateError,
    compile_template,
    environment,
    is_templated,
    render_string,
)

AT = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)  # a Friday
CTX: dict[str, Any] = {
    "vars": {"client": "Globex", "nested": {"a": 1}},
    "launch": {"at": AT, "date": "2026-12-04"},
}


def render(source: str, **extra: Any) -> str:
    return render_string(source, {**CTX, **extra})


def fails(source: str) -> TemplateError:
    with pytest.raises(TemplateError) as info:
        render(source)
    return info.value


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 12, 4), 1, date(2026, 12, 7)),  # Fri + 1 -> Mon
        (date(2026, 12, 4), 3, date(2026, 12, 9)),  # Fri + 3 -> Wed
        (date(2026, 12, 4), 5, date(2026, 12, 11)),  # a whole week
        (date(2026, 12, 5), 1, date(2026, 12, 7)),  # Sat + 1 -> Mon
        (date(2026, 12, 6), 5, date(2026, 12, 11)),  # Sun + 5 -> Fri
        (date(2026, 12, 7), -1, date(2026, 12, 4)),  # Mon - 1 -> Fri
        (date(2026, 12, 6), -1, date(2026, 12, 4)),  # Sun - 1 -> Fri
        (date(2026, 12, 2), 12, date(2026, 12, 18)),
        (date(2026, 12, 5), 0, date(2026, 12, 5)),
    ],
)
def test_add_business_days_skips_weekends(start: date, n: int, expected: date) -> None:
    assert filters.add_business_days(start, n) == expected


def test_business_days_agree_with_a_day_by_day_count() -> None:
    start = date(2026, 1, 1)
    for offset in range(14):
        day = start + timedelta(days=offset)
        for n in range(1, 12):
            got = filters.add_business_days(day, n)
            walk, left = day, n
            while left:
                walk += timedelta(days=1)
                left -= walk.weekday() < 5
            assert got == walk, (day, n)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 11, 15), 2, date(2027, 1, 15)),
        (date(2026, 5, 31), 13, date(2027, 6, 30)),
    ],
)
def test_add_months_clamps_to_month_end(start: date, n: int, expected: date) -> None:
    assert filters.add_months(start, n) == expected


def test_filters_keep_the_kind_and_time_they_are_given() -> None:
    assert filters.add_days(AT, 2) == datetime(2026, 12, 6, 9, 30, tzinfo=UTC)
    assert filters.add_weeks("2026-12-01", 2) == date(2026, 12, 15)
    assert filters.add_days("2026-12-01 08:00:00", 1) == datetime(2026, 12, 2, 8, 0)
    assert filters.end_of_month(AT) == datetime(2026, 12, 31, 9, 30, tzinfo=UTC)
    assert filters.start_of_month("2026-02-17") == date(2026, 2, 1)
    assert filters.end_of_month("2028-02-03") == date(2028, 2, 29)


def test_next_weekday_is_strictly_after() -> None:
    assert filters.next_weekday(AT, "monday") == AT.replace(day=7)
    assert filters.next_weekday(date(2026, 12, 4), "Fri") == date(2026, 12, 11)
    with pytest.raises(filters.FilterError, match="not a day name"):
        filters.next_weekday(AT, "someday")


def test_iso_and_format() -> None:
    paris = timezone(timedelta(hours=1))
    assert filters.iso(datetime(2026, 12, 4, 18, 0, tzinfo=paris)) == "2026-12-04T17:00:00Z"
    assert filters.iso(date(2026, 12, 4)) == "2026-12-04"
    assert filters.format_date(AT, "%d %B %Y") == "04 December 2026"
    with pytest.raises(filters.FilterError, match="%c not allowed"):
        filters.format_date(AT, "%c")


@pytest.mark.parametrize("bad", ["tomorrow", 20261201, None, "2026-13-01"])
def test_filters_refuse_what_is_not_a_date(bad: Any) -> None:
    with pytest.raises(filters.FilterError, match="is not a date"):
        filters.add_days(bad, 1)


def test_filter_counts_must_be_whole_numbers() -> None:
    with pytest.raises(filters.FilterError, match="whole number"):
        filters.add_days(AT, "3")
    with pytest.raises(filters.FilterError, match="too far"):
        filters.add_business_days(AT, 10**9)


def test_render_in_templates() -> None:
    assert render("{{ vars.client }}") == "Globex"
    assert render("{{ launch.at | add_business_days(3) }}") == "2026-12-09T09:30:00Z"
    assert render("{{ launch.at | date('%Y/%m/%d') }}") == "2026/12/04"
    assert render("{{ launch.at | format_date('%A') }}") == "Friday"
    assert render("{{ launch.date | add_months(1) }}") == "2027-01-04"
    assert render("{{ launch.at | end_of_month | iso }}") == "2026-12-31T09:30:00Z"
    assert render("{{ launch.at | next_weekday('mon') | date }}") == "2026-12-07"


def test_iso_reads_naive_times_in_the_launch_zone() -> None:
    tokyo = timezone(timedelta(hours=9))
    launch = {"at": AT.astimezone(tokyo)}
    assert render("{{ '2026-12-01 09:00:00' | iso }}", launch=launch) == "2026-12-01T00:00:00Z"


def test_undefined_names_are_errors_naming_the_variable() -> None:
    err = fails("Hello {{ vars.clinet }}")
    assert err.kind == "undefined"
    assert "'vars' has no attribute 'clinet'" in err.message
    assert err.line == 1
    assert "'vars.nested' has no attribute 'b'" in fails("{{ vars.nested.b }}").message
    assert "'client' is undefined" in fails("{{ client }}").message


def test_error_line_is_the_template_line() -> None:
    assert fails("first\nsecond\n{{ vars.nope }}").line == 3


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ vars.__class__ }}",
        "{{ ().__class__.__base__.__subclasses__() }}",
        "{{ vars.update({'x': 1}) }}",
        "{{ 'x' * 1000000000 }}",
        "{{ 2 ** 100000 }}",
    ],
)
def test_sandbox_escapes_are_refused(source: str) -> None:
    err = fails(source)
    assert err.kind == "security"
    assert err.message.startswith("the template sandbox refused")


def test_runaway_output_is_cut() -> None:
    assert fails("{% for i in range(99999) %}{{ 'abcdefgh' }}{% endfor %}").kind == "limit"


def test_syntax_errors_and_filter_errors() -> None:
    err = fails("{{ vars.client ")
    assert (err.kind, err.line) == ("syntax", 1)
    assert err.message.startswith("template syntax error")
    bad = fails("{{ 'soon' | add_days(1) }}")
    assert bad.kind == "filter"
    assert "add_days: 'soon' is not a date" in bad.message
    assert fails("{{ 1 // 0 }}").kind == "filter"
    assert "'lipsum' is undefined" in fails("{{ lipsum() }}").message


def test_compiled_templates_are_cached() -> None:
    source = "{{ vars.client }} cached"
    assert compile_template(source) is compile_template(source)
    assert compile_template.cache_info().maxsize


def test_environment_parses_for_validate() -> None:
    from jinja2 import meta

    env = environment()
    assert env is environment()
    names = meta.find_undeclared_variables(env.parse("{{ vars.a }} {{ launch.at | iso }}"))
    assert names == {"vars", "launch"}
    assert "add_business_days" in env.filters and "date" in env.filters


def test_is_templated() -> None:
    assert is_templated("{{ x }}") and is_templated("{% if x %}{% endif %}")
    assert not is_templated("plain { braces }")
