"""One plan action as a collapsible Markdown section of the pull-request comment (pure)."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from runner.plan.plan import Action, Change
from runner.plan.vocabulary import LABEL, SYMBOL
from runner.views.planview import (
    DRIFT_ADVICE,
    details,
    people,
    redact,
    shown_key,
)

SECRET = "(secret)"
MAX_CELL = 300  # longer values are cut here; the JSON artifact holds them whole
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_MENTION = re.compile(r"(^|[^\w.+-])@(?=\w)")  # `@name` pings people on GitHub; emails do not
ADVICE = {
    "edited": "Not applied: `launchspec apply --replace {key}` archives the run and relaunches.",
    "orphaned": "Kept: `launchspec apply --prune` archives its run.",
    "archive": "Apply archives this run.",
    "pending": "Apply reads its outcome back from the server before anything else.",
    "missing": "`launchspec forget {key}` it, or `launchspec apply --replace {key}`.",
    "duplicate": "`launchspec apply --dedupe` keeps the oldest run and archives the others.",
    "adopt": "Apply records this run for the key; nothing is launched.",
    "drifted": DRIFT_ADVICE[:1].upper() + DRIFT_ADVICE[1:] + ".",
}
GONE_ADVICE = (
    "`launchspec forget {key}` or `launchspec apply --prune` drops it from the lockfile.",
    "Apply drops it from the lockfile and archives nothing.",
)
IN_PLACE = (
    "Apply updates the fields below in place; the rest only "
    "`launchspec apply --replace {key}` changes (archives the run and relaunches)."
)
DETAILED = ("launch", "replace", "edited", "scheduled")


def html_text(text: str) -> str:
    """Text for inside HTML tags: escaped, and `@name` kept from pinging anyone."""
    return _MENTION.sub(r"\1&#64;", html.escape(text, quote=False))


def md_text(text: str, limit: int = MAX_CELL) -> str:
    """Text for a Markdown table cell or list item: one line, escaped, cut at `limit`."""
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    escaped = _MD_SPECIAL.sub(r"\\\1", html_text(text))
    return escaped.replace("\r\n", "\n").replace("\n", "<br>")


def code(text: str) -> str:
    """An inline code span (backslashes show as they are inside one, so nothing is escaped)."""
    return "`" + text.replace("`", "'").replace("\n", " ") + "`"


def plain(value: Any, secrets: Sequence[str]) -> str:
    """A value as a reader would write it; any value holding a secret is hidden whole."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value
    elif isinstance(value, Mapping) and set(value) <= {"users", "guests", "groups"}:
        text = ", ".join(people(value))
    elif isinstance(value, list | tuple):
        text = ", ".join(plain(v, ()) for v in value)
    else:
        text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    if any(s and s in text for s in secrets):
        return SECRET
    return redact(text, secrets)


def deadline(value: Any) -> str:
    """`2026-12-01T17:00:00Z` as `2026-12-01 17:00 UTC` (seconds kept when not zero)."""
    text = str(value or "")
    if re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", text):
        day, clock = text[:-1].split("T")
        return f"{day} {clock.removesuffix(':00')} UTC"
    return text


def section(a: Action, secrets: Sequence[str]) -> str:
    """`<details>` with a one-line summary and, inside, what a reviewer needs to judge it."""
    name = a.desired.rendered.name if a.desired else (a.entry.name if a.entry else "")
    shown = html_text(redact(name, secrets))  # a name keeps its other words, unlike a value
    symbol = html_text(SYMBOL[a.row].strip() or "=")  # `<=` is not a tag
    head = f"<code>{symbol}</code> <b>{html_text(shown_key(a))}</b>"
    head += f" · {LABEL[a.row]}" + (f" · {shown}" if shown else "")
    body = _facts(a, secrets)
    if a.row in DETAILED:
        info = details(a)
        body += _tables(info, secrets)
    if a.edits:
        body += _change_table(a.edits, "Launched | In the spec", secrets)
    if a.changes:
        columns = "On the run | In the spec" if a.verb == "adopt" else "Now | After apply"
        body += _change_table(a.changes, columns, secrets)
    if a.row == "drifted":  # the drift is all there is to say: the spec still matches
        body += _change_table(a.drift, "Recorded | In Tallyfy", secrets)
    elif a.drift:
        body += ["Changed in Tallyfy since launchspec wrote it:", ""]
        body += _change_table(a.drift, "Recorded | In Tallyfy", secrets)
    lines = ["<details>", f"<summary>{head}</summary>", "", *body, "</details>", ""]
    return redact("\n".join(lines) + "\n", secrets)


def _change_table(changes: Sequence[Change], columns: str, secrets: Sequence[str]) -> list[str]:
    rows = [
        f"| {md_text(c.field)} | {md_text(plain(c.old, secrets))} "
        f"| {md_text(plain(c.new, secrets))} |"
        for c in changes
    ]
    return [f"| Field | {columns} |", "|---|---|---|", *rows, ""]


def _facts(a: Action, secrets: Sequence[str]) -> list[str]:
    info = details(a) if a.row in DETAILED else {}
    facts = []
    if info.get("template"):
        facts.append(f"template **{md_text(plain(info['template'], secrets))}**")
    if info.get("owner"):
        facts.append(f"owner {md_text(plain(info['owner'], secrets))}")
    parent = a.desired.rendered.parent if a.desired else (a.entry.parent if a.entry else None)
    if parent:
        facts.append(f"after {code(parent)}")
    for key in ("tags", "folders"):
        if info.get(key):
            facts.append(f"{key} {md_text(plain(info[key], secrets))}")
    if a.entry is not None:
        facts.append(f"run {code(a.entry.run_id)}")
    guests = a.desired.request.guests if a.desired and a.desired.request else ()
    if guests and a.row in ("launch", "replace"):
        facts.append(f"invites guests {md_text(plain(list(guests), secrets))}")
    lines = [" · ".join(facts), ""] if facts else []
    if a.why or a.row in ADVICE:
        why = (a.why[:1].upper() + a.why[1:] + ". ") if a.why else ""
        advice = IN_PLACE if a.updates_in_place else ADVICE.get(a.row, "")
        if a.run_state is not None:  # an orphan archived in Tallyfy already
            advice = GONE_ADVICE[a.verb == "archive"]
        lines += [f"{md_text(why)}{advice.format(key=a.key)}".strip(), ""]
    return lines


def _tables(info: Mapping[str, Any], secrets: Sequence[str]) -> list[str]:
    out: list[str] = []
    prerun = info.get("prerun") or {}
    if prerun:
        out += ["| Kick-off field | Value |", "|---|---|"]
        out += [f"| {md_text(str(k))} | {md_text(plain(v, secrets))} |" for k, v in prerun.items()]
        out.append("")
    tasks = info.get("tasks") or {}
    if tasks:
        out += ["| Task | Deadline | Owners |", "|---|---|---|"]
        for title, task in tasks.items():
            task = task if isinstance(task, Mapping) else {}
            owners = plain(list(task.get("owners") or ()), secrets) or "(as in the template)"
            when = deadline(task.get("deadline")) or "(as in the template)"
            out.append(f"| {md_text(str(title))} | {md_text(when)} | {md_text(owners)} |")
        out.append("")
    return out
