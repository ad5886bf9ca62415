"""What the specs ask for, as the plan compares it: one desired launch, its digests, a change.

A digest is sha256 of canonical JSON; what is digested is what the lockfile records (its keys
are the lockfile's, `prerun` among them), so a change here changes every recorded digest.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from runner.render.render import Rendered
from runner.resolve.request import without_secrets
from runner.resolve.resolve import LaunchRequest

UPDATABLE_SOURCE = ("name", "summary", "owner", "starred", "is_public")


def canonical_digest(value: Any) -> str:
    """sha256 of canonical JSON: the same data always gives the same digest."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Desired:
    """One launch the specs ask for; `request` is None when the API could not be consulted."""

    rendered: Rendered
    request: LaunchRequest | None = None

    @property
    def key(self) -> str:
        return self.rendered.key

    def source_digests(self) -> tuple[str, str]:
        """Digests of the rendered spec's fixed part and of its updatable part."""
        r = self.rendered
        fixed = {
            "template": r.template,
            "prerun": r.kickoff,  # the digest's key, as recorded in lockfiles
            "tasks": {k: vars(t) for k, t in r.tasks.items()},
            "tags": r.tags,
            "folders": r.folders,
            "users": r.users,
            "groups": r.groups,
            "roles": r.roles,
            "parent": r.parent,
        }
        fields = {name: getattr(r, name) for name in UPDATABLE_SOURCE}
        secrets = r.secret_values
        return (
            canonical_digest(without_secrets(fixed, secrets)),
            canonical_digest(without_secrets(fields, secrets)),
        )

    def uses_secrets(self) -> bool:
        """Whether a secret's value (or the placeholder of one not set) is in the launch."""
        r = self.rendered
        values = [r.kickoff, {k: vars(t) for k, t in r.tasks.items()}, r.name, r.summary]
        masked = without_secrets(values, r.secret_values)
        return canonical_digest(masked) != canonical_digest(values)

    def fields_digest(self) -> str:
        if self.request is None:
            return ""
        return canonical_digest(
            without_secrets(self.request.updatable, self.rendered.secret_values)
        )


@dataclass(frozen=True)
class Change:
    """One field that differs between the lockfile and the specs."""

    field: str
    old: Any
    new: Any
