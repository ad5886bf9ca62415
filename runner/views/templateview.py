"""Templates as text tables and JSON for `templates list` and `templates show` (pure)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

from runner.resolve.rules import launch_refusal
from runner.resolve.shapes import unwrap
from runner.snapshots.rows import FieldRow, StepRow


def table(header: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "  ") -> list[str]:
    """Columns padded to their widest cell; the last column is not padded."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    out = []
    for row in [header, *rows]:
        cells = [c.ljust(w) for c, w in zip(row[:-1], widths, strict=False)] + [row[-1]]
        out.append((indent + "  ".join(cells)).rstrip())
    return out


def launchability(template: Mapping[str, Any]) -> str:
    """`launchable`, or `not launchable` (the fields behind it are in docs/tallyfy-api-notes.md)."""
    return "not launchable" if launch_refusal(template) else "launchable"


def list_rows(templates: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "id": str(t.get("id")),
            "title": str(t.get("title") or ""),
            "status": launchability(t),
            # A list answer may leave fields or steps out: unknown, not zero.
            "kickoff_fields": len(unwrap(t["prerun"])) if "prerun" in t else None,
            "steps": _steps(t),
        }
        for t in templates
    ]


def format_list(templates: Sequence[Mapping[str, Any]], fmt: str, origin: str) -> str:
    rows = list_rows(templates)
    if fmt == "json":
        return json.dumps({"format_version": 1, "origin": origin, "templates": rows}, indent=2,
                          sort_keys=True) + "\n"
    if not rows:
        return f"No templates ({origin}).\n"
    cells = [
        [r["title"], r["id"], r["status"], _count(r["kickoff_fields"]), _count(r["steps"])]
        for r in rows
    ]
    header = ["title", "id", "status", "kick-off fields", "steps"]
    lines = [f"{len(rows)} template{'s' if len(rows) != 1 else ''} ({origin})", ""]
    lines += table(header, cells, indent="")
    if any(r["kickoff_fields"] is None or r["steps"] is None for r in rows):
        lines += ["", UNKNOWN_COUNT]
    return "\n".join(lines) + "\n"


UNKNOWN_COUNT = (
    "? the API's list gave no steps for this template (or no kick-off fields): "
    "`launchspec templates show TEMPLATE` reads the template and counts them"
)


def _steps(template: Mapping[str, Any]) -> int | None:
    """The number of steps: listed, else the count the answer gives, else unknown."""
    if "steps" in template:
        return len(unwrap(template["steps"]))
    count = template.get("steps_count")
    return count if isinstance(count, int) and not isinstance(count, bool) else None


def format_show(
    template: Mapping[str, Any],
    fields: Sequence[FieldRow],
    steps: Sequence[StepRow],
    fmt: str,
    origin: str,
) -> str:
    head = {
        "id": str(template.get("id")),
        "title": str(template.get("title") or ""),
        "status": launchability(template),
        "format_version": 1,
        "origin": origin,
    }
    if fmt == "json":
        doc = {**head, "kickoff_fields": [asdict(f) for f in fields],
               "steps": [asdict(s) for s in steps]}
        return json.dumps(doc, indent=2, sort_keys=True) + "\n"
    lines = [f"{head['title']}  {head['id']}  ({head['status']}; {origin})", ""]
    lines.append(f"Kick-off fields ({len(fields)}; required first when you write a spec)")
    field_cells = [
        [f.label, f.id, f.type, "yes" if f.required else "no", " | ".join(f.options)]
        for f in fields
    ]
    lines += table(["label", "id", "type", "required", "options"], field_cells)
    lines += ["", f"Steps ({len(steps)})"]
    step_cells = [
        [s.title, s.id, ", ".join(s.owners) or "-", s.deadline, _limit(s.max_assignable)]
        for s in steps
    ]
    lines += table(["title", "id", "default owners", "deadline", "max owners"], step_cells)
    return "\n".join(lines) + "\n"


def _count(value: int | None) -> str:
    return "?" if value is None else str(value)


def _limit(value: int | None) -> str:
    """A step's most owners; 0 or none given is no limit (as Tallyfy counts it)."""
    return str(value) if value else "unlimited"
