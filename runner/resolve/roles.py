"""Launch `roles` keys: the organisation roles a template's steps are assigned to (pure).

Tallyfy checks a launch's `roles` against the organisation's roles (`array|org_roles:array_keys`,
SDK docstring), but no public source shows an endpoint listing them. What a read does show is
each step's `roles` (the SDK's step model: a list of role ids). So a key is checked against the
roles the template's steps name: a key that is no organisation role would be refused, and one
no step uses would assign nothing. When no step says which roles it uses, nothing is checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runner.resolve.directory import closest
from runner.resolve.people import Problem
from runner.resolve.shapes import unwrap


def step_roles(template: Mapping[str, Any]) -> dict[str, str] | None:
    """Role id by id and by title (folded) for the roles the steps name; None when no step
    lists its roles (then nothing read can settle a key)."""
    steps = [s for s in unwrap(template.get("steps")) if isinstance(s, Mapping)]
    if not any("roles" in s for s in steps):
        return None
    known: dict[str, str] = {}
    for step in steps:
        for role in step.get("roles") or ():
            rid = str(role.get("id") if isinstance(role, Mapping) else role)
            known[rid] = rid
            title = role.get("title") or role.get("name") if isinstance(role, Mapping) else None
            if title:
                known.setdefault(str(title).casefold(), rid)
    return known


def role_id(key: str, known: dict[str, str] | None, template: str) -> str | Problem:
    """The role id `key` names (an id, or a title the steps give), or why it names none."""
    if known is None:
        return key
    found = known.get(key) or known.get(key.casefold())
    if found:
        return found
    ids = sorted(set(known.values()))
    guess = closest(key, list(known))
    return Problem(
        f"role {key!r} is not a role any step of {template!r} is assigned to "
        f"(roles: {', '.join(ids) or 'none'})",
        hint=f"did you mean {known[guess] if guess else ''!r}?" if guess else None,
    )
