"""One spec -> its launch instances: `for_each` elements times `every` periods (pure).

Launch keys: `ID` (a single launch), `ID[ELEMENT]` (for_each), `ID@PERIOD` (every), and
`ID[ELEMENT]@PERIOD` (both). Keys of earlier periods found in the lockfile are history: they
are neither wanted again nor orphaned.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runner.diagnostics import Diagnostic
from runner.specs.config import zone_exists
from runner.specs.source import Document
from runner.specs.spec import Spec

if TYPE_CHECKING:
    from runner.render.recurrence import Period
    from runner.specs.eachsource import Element

# recurrence and eachsource are imported where used: `validate` checks every spec with
# `check_doc`, and a spec without for_each or every needs neither (a pre-commit hook's time).

PARENT_KEY = re.compile(r"(?P<id>[^\[\]@]+)\[(?P<element>[^\[\]]+)\]")


@dataclass(frozen=True)
class Instance:
    """One launch a spec asks for: its key, and its element and period when it has them."""

    key: str
    spec: Spec
    each: Element | None = None
    period: Period | None = None
    due: date | None = None  # set on a period's launch that is not due yet: the day it will be

    def each_names(self) -> dict[str, Any] | None:
        """What templates see as `each`."""
        return None if self.each is None else {"key": self.each.key, "value": self.each.value}

    def period_names(self) -> dict[str, str] | None:
        """What templates see as `launch.period`, `launch.period_start`, `launch.period_end`."""
        if self.period is None:
            return None
        p = self.period
        return {
            "period": p.label,
            "period_start": p.start.isoformat(),
            "period_end": p.end.isoformat(),
        }


def spec_zone(data: Mapping[str, Any], default: str) -> str:
    """The spec's time zone: its own `timezone`, else the configuration's."""
    return str(data.get("timezone") or default)


def instance_key(spec_id: str, element: str | None, period: str | None) -> str:
    """`ID`, `ID[ELEMENT]`, `ID@PERIOD` or `ID[ELEMENT]@PERIOD`."""
    key = spec_id if element is None else f"{spec_id}[{element}]"
    return key if period is None else f"{key}@{period}"


def instances(
    spec: Spec,
    root: Path,
    now: datetime,
    default_zone: str,
    backfill: int = 0,
    *,
    preview: bool = False,
) -> tuple[list[Instance], list[Diagnostic]]:
    """Every launch `spec` asks for at `now` (aware), with `backfill` earlier periods; with
    `preview`, the current period's launches when they are not due yet (`due` says when)."""
    from runner.render.recurrence import (
        OnRule,
        due_day,
        due_periods,
        local_day,
        parse_on,
        period_of,
    )
    from runner.specs.eachsource import load_elements

    elements, problems = load_elements(spec.doc, root)
    periods: list[Period | None] = [None]
    due: date | None = None
    every = spec.data.get("every")
    if isinstance(every, str):
        parsed = parse_on(str(spec.data["on"]), every) if spec.data.get("on") else None
        rule = parsed if isinstance(parsed, OnRule) else None
        today = local_day(now, spec_zone(spec.data, default_zone))
        if preview:
            current = period_of(every, today)
            due = due_day(current, rule)
            # A period with no such day is still rendered, so its errors show in review.
            periods = [current] if due is None or due > today else []
        else:
            periods = list(due_periods(every, rule, today, backfill))
    elif preview:
        periods = []
    each: list[Element | None] = [None] if elements is None else list(elements)
    out = [
        Instance(
            instance_key(spec.id, e.key if e else None, p.label if p else None), spec, e, p, due
        )
        for e in each
        for p in periods
    ]
    return out, problems


def check_doc(doc: Document, root: Path) -> list[Diagnostic]:
    """for_each, key_field, every, on and timezone of one schema-valid document."""
    data = doc.data
    found = _recurrence_checks(doc)
    if data.get("for_each") is not None:
        from runner.specs.eachsource import load_elements

        found += load_elements(doc, root)[1]
    if "key_field" in data and "for_each" not in data:
        found.append(_diag("key_field needs for_each", doc, "key_field"))
    found += _template_names(doc)
    return found


def _diag(message: str, doc: Document, key: str, code: str = "for-each") -> Diagnostic:
    return Diagnostic(message, doc.pos((key,)), path=key, code=code)


def _recurrence_checks(doc: Document) -> list[Diagnostic]:
    data = doc.data
    found = []
    every, on = data.get("every"), data.get("on")
    if on is not None and every is None:
        found.append(_diag("on: needs every: (daily, weekly, ...)", doc, "on", "every"))
    elif isinstance(on, str) and isinstance(every, str):
        from runner.render.recurrence import parse_on

        rule = parse_on(on, every)
        if isinstance(rule, str):
            found.append(_diag(rule, doc, "on", "every"))
    zone = data.get("timezone")
    if isinstance(zone, str) and not zone_exists(zone):
        message = f"unknown time zone {zone!r} (use an IANA name like Europe/Berlin)"
        found.append(_diag(message, doc, "timezone", "timezone"))
    return found


def _template_names(doc: Document) -> list[Diagnostic]:
    """`each` needs for_each and `launch.period*` needs every: say so before rendering."""
    from runner.render.jinjacheck import analyse, templated_strings

    has_each, has_every = "for_each" in doc.data, "every" in doc.data
    if has_each and has_every:
        return []
    found = []
    strings = doc.templated if doc.templated is not None else templated_strings(doc.data)
    for path, text in strings:
        if not has_each and "each" in analyse(text).names:
            message = "template uses 'each', but this spec has no for_each"
            found.append(Diagnostic(message, doc.pos(path), code="undefined"))
        if not has_every and _uses_period(text):
            message = "template uses 'launch.period…', but this spec has no every:"
            found.append(Diagnostic(message, doc.pos(path), code="undefined"))
    return found


def _uses_period(text: str) -> bool:
    if "period" not in text or "launch" not in text:
        return False
    from jinja2 import TemplateSyntaxError, nodes

    from runner.render.templating import environment

    try:
        ast = environment().parse(text)
    except (TemplateSyntaxError, RecursionError, MemoryError):
        return False  # reported by the template checks
    return any(
        isinstance(n.node, nodes.Name) and n.node.name == "launch" and n.attr.startswith("period")
        for n in ast.find_all(nodes.Getattr)
    )


def parent_problem(parent: str, target: Document, root: Path) -> str | None:
    """Why `parent` (`ID` or `ID[ELEMENT]`, naming `target`) cannot be a parent, if it cannot."""
    if "every" in target.data:
        return f"parent '{parent}' recurs (every:); a recurring parent is not supported yet"
    match = PARENT_KEY.fullmatch(parent)
    has_each = "for_each" in target.data
    if match is None:
        if has_each:
            return f"parent '{parent}' has for_each: name one element, as '{parent}[KEY]'"
        return None
    if not has_each:
        return f"parent '{parent}': spec '{match['id']}' has no for_each"
    from runner.specs.eachsource import load_elements

    elements, _ = load_elements(target, root)
    keys = [e.key for e in elements or []]
    if match["element"] in keys:
        return None
    shown = ", ".join(keys[:10]) + (", …" if len(keys) > 10 else "")
    return f"parent '{parent}': '{match['id']}' has no element '{match['element']}' ({shown})"


def parent_id(parent: str) -> str:
    """The spec id part of a parent key (`ID[ELEMENT]` -> `ID`)."""
    match = PARENT_KEY.fullmatch(parent)
    return match["id"] if match else parent


def history_keys(
    recorded: Collection[str], specs: Sequence[Spec], wanted: Collection[str], at: str, zone: str
) -> set[str]:
    """Of the `recorded` launch keys, those of other periods of recurring specs.

    Those runs are history, not orphans: no spec asks for them again, and none should archive
    them. A current-period key that nobody asks for (its element was removed) stays.
    """
    from runner.render.recurrence import LABEL_PATTERNS, local_day, period_of

    now = datetime.strptime(at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    matchers = []
    for spec in specs:
        every = spec.data.get("every")
        if isinstance(every, str):
            current = period_of(every, local_day(now, spec_zone(spec.data, zone))).label
            pattern = rf"{re.escape(spec.id)}(?:\[[^\[\]]+\])?@({LABEL_PATTERNS[every]})"
            matchers.append((re.compile(pattern), current))
    return {
        key
        for key in recorded
        if key not in wanted
        and any((m := rx.fullmatch(key)) and m[1] != current for rx, current in matchers)
    }


def data_files(specs: Sequence[Spec], root: Path) -> list[Path]:
    """The for_each data files the specs read (inputs of a plan, like the spec files)."""
    from runner.specs.eachsource import data_file

    found = {data_file(spec.doc, root) for spec in specs}
    return sorted(p for p in found if p is not None)
