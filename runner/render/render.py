"""Sandboxed Jinja rendering of specs with a pinned clock: Spec -> Rendered (pure).

Template names: `vars` (the configuration's default vars deep-merged under the spec's `vars`;
the spec wins; vars are literal, never rendered themselves), `launch` (`key`, `at` = the
pinned launch time as an aware datetime in the project's time zone, `date` = its local
YYYY-MM-DD, `iso` = its ISO 8601 UTC form), `git`, `env` (only the allowed variables), `spec`
(`id`); for a `for_each` element `each` (`key`, `value`); for `every` also `launch.period`,
`launch.period_start`, `launch.period_end`. Values without Jinja pass through untouched
(an int stays an int).

Deadline rule: a task `deadline` must render to a date or a time and is sent as ISO 8601 UTC
with `Z`. A bare date (2026-12-01) means the end of that business day, 17:00, in the project's
time zone; a time without an offset is read in the project's time zone; a time with an offset
or `Z` is converted to UTC. Seconds are kept, fractions dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from runner.diagnostics import Diagnostic
from runner.render.filters import iso_utc
from runner.render.render_values import Renderer, deep_merge, unset_secret
from runner.specs.spec import Spec

END_OF_DAY = time(17, 0)  # a bare-date deadline means 17:00 local: the end of a business day
MAX_NAME = 550


@dataclass(frozen=True)
class RenderContext:
    """Everything outside the spec that templates may see; `launch_at` is pinned per key."""

    launch_at: datetime  # timezone-aware UTC, whole seconds
    timezone: str = "UTC"  # for launch.date and date filters
    default_vars: Mapping[str, Any] = field(default_factory=dict)  # config `defaults.vars`
    env: Mapping[str, str] = field(default_factory=dict)  # only the allowed names
    git: Mapping[str, Any] = field(default_factory=dict)  # sha, ref, pr
    secrets: Mapping[str, str | None] = field(default_factory=dict)  # env name -> value, None unset
    key: str | None = None  # the launch key, when not the spec id (for_each, every)
    each: Mapping[str, Any] | None = None  # `each.key`, `each.value` of a for_each element
    period: Mapping[str, str] | None = None  # `launch.period`, `period_start`, `period_end`


@dataclass(frozen=True)
class RenderedTask:
    """A task override after rendering: deadline as ISO 8601 UTC, owners as written."""

    deadline: str | None = None
    users: tuple[str | int, ...] = ()
    guests: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    owners_set: bool = False  # `owners` was written, so it replaces the step's default owners


@dataclass(frozen=True)
class Rendered:
    """One launch with every template string rendered; references not yet resolved to ids."""

    key: str
    spec: Spec
    template: str  # as written: an id or a title
    name: str
    summary: str | None
    owner: str | int | None
    kickoff: Mapping[str, Any]  # kick-off key as written (`prerun:`) -> plain rendered value
    tasks: Mapping[str, RenderedTask]  # step key as written -> override
    tags: tuple[str, ...] = ()
    folders: tuple[str, ...] = ()
    users: tuple[str | int, ...] = ()
    groups: tuple[str, ...] = ()
    roles: Mapping[str, Any] = field(default_factory=dict)
    starred: bool | None = None
    is_public: bool | None = None
    parent: str | None = None  # another launch's key
    launch_at: datetime | None = None
    secret_values: tuple[str, ...] = ()  # rendered values that must never be shown
    missing_secrets: tuple[str, ...] = ()  # secrets used but not set here: apply refuses
    timezone: str = "UTC"  # how resolve reads kick-off dates written without an offset
    due: str | None = None  # a recurring launch not due yet: the day it is due (YYYY-MM-DD)


def render_spec(spec: Spec, context: RenderContext) -> tuple[Rendered | None, list[Diagnostic]]:
    """Render every templated value of `spec`; problems come back as diagnostics."""
    try:
        zone = ZoneInfo(context.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        msg = f"unknown time zone {context.timezone!r} (use an IANA name like Europe/Berlin)"
        return None, [Diagnostic(msg, spec.pos(), code="render")]
    data = spec.data
    variables = deep_merge(context.default_vars, data.get("vars") or {})
    names = template_names(spec, context, variables, zone)
    r = Renderer(spec, names)
    name = r.value(data.get("name", ""), ("name",))
    if isinstance(name, str) and len(name) > MAX_NAME:
        r.error(f"name is {len(name)} characters once rendered; the API allows {MAX_NAME}", "name")
    rendered = Rendered(
        key=context.key or spec.id,
        spec=spec,
        template=str(r.value(data.get("template", ""), ("template",))),
        name=str(name),
        summary=_opt_str(r.value(data.get("summary"), ("summary",))),
        owner=r.value(data.get("owner"), ("owner",)),
        kickoff=r.value(data.get("prerun") or {}, ("prerun",)),
        tasks=_tasks(r, data.get("tasks") or {}, zone, context.launch_at),
        tags=tuple(r.value(data.get("tags") or [], ("tags",))),
        folders=tuple(r.value(data.get("folders") or [], ("folders",))),
        users=tuple(r.value(data.get("users") or [], ("users",))),
        groups=tuple(r.value(data.get("groups") or [], ("groups",))),
        roles=r.value(data.get("roles") or {}, ("roles",)),
        starred=data.get("starred"),
        is_public=data.get("is_public"),
        parent=data.get("parent"),
        launch_at=context.launch_at,
        secret_values=tuple(sorted(v for v in context.secrets.values() if v)),
        missing_secrets=tuple(sorted(r.missing_secrets)),
        timezone=context.timezone,
    )
    diagnostics = sorted(r.diagnostics, key=Diagnostic.sort_key)
    if any(d.severity == "error" for d in diagnostics):
        return None, diagnostics
    return rendered, diagnostics


def template_names(
    spec: Spec, context: RenderContext, variables: Mapping[str, Any], zone: ZoneInfo
) -> dict[str, Any]:
    """Every name `spec`'s templates can read (described in runner/render/names.py)."""
    at = context.launch_at.astimezone(zone)
    launch = {"key": context.key or spec.id, "at": at, "date": at.date().isoformat()}
    names = {
        "vars": variables,
        "launch": {**launch, "iso": iso_utc(at), **(context.period or {})},
        "git": dict(context.git),
        "env": dict(context.env),
        "spec": {"id": spec.id},
    }
    if context.each is not None:
        names["each"] = dict(context.each)
    names["secrets"] = {
        name: value if value is not None else unset_secret(name)
        for name, value in context.secrets.items()
    }
    return names


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _tasks(
    r: Renderer, tasks: Mapping[str, Any], zone: ZoneInfo, launch_at: datetime
) -> dict[str, RenderedTask]:
    out: dict[str, RenderedTask] = {}
    for key, task in tasks.items():
        task = task if isinstance(task, Mapping) else {}
        at = ("tasks", key)
        deadline = None
        if task.get("deadline") is not None:
            raw = r.value(task["deadline"], (*at, "deadline"))
            deadline = _deadline(r, raw, zone, launch_at, (*at, "deadline"))
        owners = r.value(task.get("owners") or {}, (*at, "owners"))
        owners = owners if isinstance(owners, Mapping) else {}
        out[str(key)] = RenderedTask(
            deadline=deadline,
            users=tuple(owners.get("users") or ()),
            guests=tuple(owners.get("guests") or ()),
            groups=tuple(owners.get("groups") or ()),
            owners_set="owners" in task,
        )
    return out


def _deadline(
    r: Renderer, raw: Any, zone: ZoneInfo, launch_at: datetime, path: tuple[str, ...]
) -> str | None:
    when = _parse_when(raw)
    if when is None:
        r.error(
            f"deadline {raw!r} is not a date or time (use ISO 8601, e.g. 2026-12-01 or "
            "2026-12-01T17:00:00Z, or 'YYYY-MM-DD HH:MM:SS')",
            *path,
        )
        return None
    if not isinstance(when, datetime):
        when = datetime.combine(when, END_OF_DAY)
    text = iso_utc(when, zone)
    if when.replace(tzinfo=when.tzinfo or zone) < launch_at:
        r.warn(f"deadline {text} is before the launch time {iso_utc(launch_at)}", *path)
    return text


def _parse_when(raw: Any) -> date | None:
    if isinstance(raw, date):
        return raw
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    try:
        return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    except ValueError:
        return None
