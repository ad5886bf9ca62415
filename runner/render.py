"""Sandboxed Jinja rendering of specs with a pinned clock: Spec -> Rendered (pure).

STUB: to be implemented (issue 4). The dataclasses are the contract.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from runner.diagnostics import Diagnostic
from runner.spec import Spec


@dataclass(frozen=True)
class RenderContext:
    """Everything outside the spec that templates may see; `launch_at` is pinned per key."""

    launch_at: datetime  # timezone-aware UTC, whole seconds
    timezone: str = "UTC"  # for launch.date and date filters
    default_vars: Mapping[str, Any] = field(default_factory=dict)  # config `defaults.vars`
    env: Mapping[str, str] = field(default_factory=dict)  # only the allowed names
    git: Mapping[str, Any] = field(default_factory=dict)  # sha, ref, pr
    secret_vars: tuple[str, ...] = ()


@dataclass(frozen=True)
class RenderedTask:
    """A task override after rendering: deadline as ISO 8601 UTC, owners as written."""

    deadline: str | None = None
    users: tuple[str | int, ...] = ()
    guests: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rendered:
    """One launch with every template string rendered; references not yet resolved to ids."""

    key: str
    spec: Spec
    template: str  # as written: an id or a title
    name: str
    summary: str | None
    owner: str | int | None
    prerun: Mapping[str, Any]  # kick-off key as written -> plain rendered value
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


def render_spec(spec: Spec, context: RenderContext) -> tuple[Rendered | None, list[Diagnostic]]:
    """Render every templated value of `spec`; problems come back as diagnostics."""
    raise NotImplementedError
