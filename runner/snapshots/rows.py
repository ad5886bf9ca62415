"""Templates as people read them: one row per kick-off field and per step (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from runner.resolve.directory import Directory, label_of
from runner.resolve.shapes import unwrap


@dataclass(frozen=True)
class FieldRow:
    """One kick-off field as people read it."""

    label: str
    id: str
    type: str
    required: bool
    options: tuple[str, ...]


@dataclass(frozen=True)
class StepRow:
    """One step as people read it."""

    title: str
    id: str
    owners: tuple[str, ...]
    deadline: str
    max_assignable: int | None


def field_rows(template: Mapping[str, Any]) -> list[FieldRow]:
    rows = []
    for f in unwrap(template.get("prerun")):
        choices = unwrap(f.get("options")) or unwrap(f.get("columns"))
        texts = tuple(str(c.get("text") or c.get("label")) for c in choices)
        rows.append(
            FieldRow(
                label=label_of(f, "label"),
                id=str(f.get("id")),
                type=str(f.get("field_type")),
                required=bool(f.get("required")),
                options=texts,
            )
        )
    return rows


def step_rows(template: Mapping[str, Any], directory: Directory) -> list[StepRow]:
    steps = unwrap(template.get("steps"))
    titles = {str(s.get("id")): label_of(s, "title") for s in steps}
    return [
        StepRow(
            title=label_of(s, "title"),
            id=str(s.get("id")),
            owners=default_owners(s, directory),
            deadline=deadline_rule(s.get("deadline"), titles),
            max_assignable=s.get("max_assignable"),
        )
        for s in steps
    ]


def default_owners(step: Mapping[str, Any], directory: Directory) -> tuple[str, ...]:
    """The step's default assignees, groups and guests, as people read them, then the roles
    it is assigned to (by id: the key a spec's `roles:` uses)."""
    people = owner_names(directory, step.get("assignees"), step.get("groups"), step.get("guests"))
    roles = [r.get("id") if isinstance(r, Mapping) else r for r in step.get("roles") or ()]
    return (*people, *(f"role {r}" for r in roles))


def owner_names(directory: Directory, users: Any, groups: Any, guests: Any) -> tuple[str, ...]:
    """Users as emails, groups as `Name (group)`, guests as `email (guest)`; unknown ids as is."""
    out = []
    for ref in users or ():
        user = directory.user(ref)
        out.append(str(user.get("email")) if user else str(ref))
    for ref in groups or ():
        group = directory.group(ref)
        out.append(f"{group.get('name') if group else ref} (group)")
    out += [f"{g} (guest)" for g in guests or ()]
    return tuple(out)


def deadline_rule(deadline: Any, titles: Mapping[str, str]) -> str:
    """`{value: 2, unit: days, option: from, step: start_run}` -> `2 days after launch`."""
    if not isinstance(deadline, Mapping) or deadline.get("value") is None:
        return "none"
    value, unit = deadline.get("value"), str(deadline.get("unit") or "days")
    if value == 1 and unit.endswith("s"):
        unit = unit[:-1]
    when = "before" if str(deadline.get("option")) in ("prior_to", "before") else "after"
    anchor = str(deadline.get("step") or "start_run")
    what = "launch" if anchor == "start_run" else f"step {titles.get(anchor, anchor)!r}"
    return f"{value} {unit} {when} {what}"
