"""What apply will send for one launch key: the request body, its digests, and its views."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from runner.render.render_values import UNSET

# Run fields the API lets change after launch (PUT); everything else is fixed at launch.
UPDATABLE_FIELDS = ("name", "summary", "owner_id", "starred", "is_public")
SECRET = "(secret)"


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
    auto_named: bool = False  # the template names its runs itself: the name sent may be replaced


def without_secrets(value: Any, secrets: tuple[str, ...]) -> Any:
    """`value` with each secret's value, and the placeholder of one not set, as `(secret)`:
    what a launch is compared by, so rotating a secret edits nothing (and a plan without the
    secret, a fork's, sees the same launch)."""
    if isinstance(value, str):
        if value.startswith(UNSET):
            return SECRET
        for secret in secrets:
            if secret:
                value = value.replace(secret, SECRET)
        return value
    if isinstance(value, Mapping):
        return {k: without_secrets(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [without_secrets(v, secrets) for v in value]
    return value
