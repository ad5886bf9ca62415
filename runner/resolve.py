"""Labels, titles and emails -> API ids; plain values -> API shapes: Rendered -> LaunchRequest.

STUB: to be implemented (issue 4). The dataclasses are the contract.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from runner.diagnostics import Diagnostic
from runner.render import Rendered

# Run fields the API lets change after launch (PUT); everything else is fixed at launch.
UPDATABLE_FIELDS = ("name", "summary", "owner_id", "starred", "is_public")


@dataclass(frozen=True)
class Directory:
    """The organisation's people and labels, as the API lists them."""

    users: Sequence[Mapping[str, Any]] = ()
    groups: Sequence[Mapping[str, Any]] = ()
    tags: Sequence[Mapping[str, Any]] = ()
    folders: Sequence[Mapping[str, Any]] = ()


@dataclass(frozen=True)
class LaunchRequest:
    """What apply will POST for one key, plus what the plan shows and compares."""

    key: str
    template_id: str
    template_title: str
    body: Mapping[str, Any]  # POST /runs body, without parent_id and provenance (added at apply)
    digest: str  # sha256 of the canonical JSON of the fields fixed at launch
    updatable: Mapping[str, Any]  # UPDATABLE_FIELDS -> value, compared with the lockfile
    parent: str | None = None  # key of the parent launch
    display: Mapping[str, Any] = field(default_factory=dict)  # human view: labels, titles, names
    guests: tuple[str, ...] = ()  # guest emails the launch will invite (a risk flag)
    secret_values: tuple[str, ...] = ()


def resolve(
    rendered: Rendered, template: Mapping[str, Any], directory: Directory
) -> tuple[LaunchRequest | None, list[Diagnostic]]:
    """Resolve one rendered launch against its template (API shape) and the directory."""
    raise NotImplementedError
