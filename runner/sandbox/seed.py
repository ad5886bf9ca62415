"""The seed: organisation, users, groups, tags, folders, roles and templates loaded from YAML."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

Obj = dict[str, Any]


class SeedError(Exception):
    """The seed file is missing, unreadable or not shaped like a seed."""


@dataclass
class Seed:
    """Everything the sandbox serves that launches do not create; read-only at runtime."""

    org_id: str
    org_name: str
    me: int
    users: list[Obj]
    groups: list[Obj]
    tags: list[Obj]
    folders: list[Obj]
    templates: list[Obj]
    roles: list[Obj] = field(default_factory=list)
    users_by_id: dict[int, Obj] = field(init=False)
    groups_by_id: dict[str, Obj] = field(init=False)
    tags_by_id: dict[str, Obj] = field(init=False)
    folders_by_id: dict[str, Obj] = field(init=False)
    templates_by_id: dict[str, Obj] = field(init=False)
    roles_by_id: dict[str, Obj] = field(init=False)

    def __post_init__(self) -> None:
        self.users_by_id = {int(u["id"]): u for u in self.users}
        self.groups_by_id = {str(g["id"]): g for g in self.groups}
        self.tags_by_id = {str(t["id"]): t for t in self.tags}
        self.folders_by_id = {str(f["id"]): f for f in self.folders}
        self.templates_by_id = {str(t["id"]): t for t in self.templates}
        self.roles_by_id = {str(r["id"]): r for r in self.roles}

    def user(self, value: Any) -> Obj | None:
        """The user with this id (an int, or a string of digits), else None."""
        if isinstance(value, bool):
            return None
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        return self.users_by_id.get(value) if isinstance(value, int) else None

    def tag(self, value: Any) -> Obj | None:
        """A tag by id or by title."""
        if not isinstance(value, str):
            return None
        found = self.tags_by_id.get(value)
        return found or next((t for t in self.tags if t.get("title") == value), None)


def default_seed_path() -> Path:
    """The seed shipped inside the package."""
    return Path(str(resources.files("runner.sandbox").joinpath("default_seed.yaml")))


def load_seed(path: Path | None = None) -> Seed:
    """Read a seed file (the packaged default when `path` is None)."""
    source = path or default_seed_path()
    try:
        raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SeedError(f"cannot read seed {source}: {exc}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("organization"), dict):
        raise SeedError(f"seed {source}: expected a mapping with an `organization`")
    try:
        return Seed(
            org_id=str(raw["organization"]["id"]),
            org_name=str(raw["organization"].get("name", "")),
            me=int(raw.get("me") or raw["users"][0]["id"]),
            users=list(raw.get("users") or []),
            groups=[_normalise_group(g) for g in raw.get("groups") or []],
            tags=list(raw.get("tags") or []),
            folders=list(raw.get("folders") or []),
            templates=[_normalise_template(t) for t in raw.get("templates") or []],
            roles=[{**r, "id": str(r["id"])} for r in raw.get("roles") or []],
        )
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise SeedError(f"seed {source}: malformed ({exc!r})") from exc


def _normalise_group(group: Obj) -> Obj:
    group = dict(group)
    group["id"] = str(group["id"])
    group.setdefault("members", [])
    return group


def _normalise_template(template: Obj) -> Obj:
    template = dict(template)
    template["id"] = str(template["id"])
    template.setdefault("status", "published")
    template.setdefault("type", "procedure")
    template.setdefault("auto_naming", False)
    template.setdefault("allow_launcher_change_name", False)
    template["prerun"] = [_normalise_field(f) for f in template.get("prerun") or []]
    template["steps"] = [_normalise_step(s) for s in template.get("steps") or []]
    return template


def _normalise_field(item: Obj) -> Obj:
    item = dict(item)
    item["id"] = str(item["id"])
    # The SDK reads a missing `required` as true, so it is always explicit here.
    item["required"] = bool(item.get("required", False))
    item.setdefault("guidance", None)
    item.setdefault("options", [])
    item.setdefault("columns", [])
    return item


def _normalise_step(step: Obj) -> Obj:
    step = dict(step)
    step["id"] = str(step["id"])
    for key in ("assignees", "guests", "groups", "roles"):
        step[key] = list(step.get(key) or [])
    step.setdefault("deadline", None)
    step.setdefault("max_assignable", None)
    step.setdefault("allow_guest_owners", False)
    step.setdefault("assign_run_starter", True)  # a step setting, default true (docs)
    step.setdefault("step_type", "task")
    return step
