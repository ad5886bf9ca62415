"""Response bodies for seed objects (users, groups, tags, folders, templates) and runs."""

from __future__ import annotations

from typing import Any

from runner.sandbox.envelope import wrapped
from runner.sandbox.seed import Seed
from runner.sandbox.store import Store

Obj = dict[str, Any]

SEED_TIME = "2026-01-05T09:00:00Z"


def user_body(user: Obj) -> Obj:
    first, last = user.get("first_name", ""), user.get("last_name", "")
    return {
        "id": int(user["id"]),
        "email": user.get("email"),
        "first_name": first,
        "last_name": last,
        "full_name": f"{first} {last}".strip(),
        "role": user.get("role", "standard"),
        "status": "active",
    }


def group_body(group: Obj) -> Obj:
    return {
        "id": group["id"],
        "name": group.get("name"),
        "description": group.get("description"),
        "members": list(group.get("members") or []),
        "guests": list(group.get("guests") or []),
    }


def tag_body(tag: Obj) -> Obj:
    return {"id": tag["id"], "title": tag.get("title"), "color": tag.get("color", "#3fb65b")}


def folder_body(folder: Obj) -> Obj:
    return {
        "id": folder["id"], "name": folder.get("name"), "parent_id": folder.get("parent_id"),
        "folder_type": folder.get("folder_type", "run"),
    }  # fmt: skip


def field_body(item: Obj, checklist_id: str) -> Obj:
    keys = ("id", "label", "alias", "field_type", "required", "position", "guidance")
    body = {key: item.get(key) for key in keys}
    body["checklist_id"] = checklist_id
    body["options"] = [dict(o) for o in item.get("options") or []]
    body["columns"] = [dict(c) for c in item.get("columns") or []]
    return body


def step_body(step: Obj, checklist_id: str) -> Obj:
    keys = ("id", "title", "alias", "position", "step_type", "deadline", "assignees", "guests",
            "groups", "roles", "max_assignable", "allow_guest_owners", "assign_run_starter")
    body = {key: step.get(key) for key in keys}
    body.update(
        checklist_id=checklist_id,
        summary=step.get("summary"),
        start_date=None,
        bp_to_launch=None,
        captures=[],  # bare list: the SDK breaks on a wrapped one
    )
    return body


def template_body(template: Obj, seed: Seed, with_: set[str]) -> Obj:
    tid = template["id"]
    body: Obj = {
        key: template.get(key)
        for key in ("id", "title", "summary", "status", "type", "default_process_name_format",
                    "auto_naming", "allow_launcher_change_name", "dual_version_enabled",
                    "is_published_state")
    }
    body.update(
        prerun=[field_body(f, tid) for f in template["prerun"]],
        is_public=bool(template.get("is_public", False)),
        folder_id=template.get("folder"),
        created_at=template.get("created_at", SEED_TIME),
        last_updated=template.get("last_updated", SEED_TIME),
        archived_at=None,
    )
    if "steps" in with_:
        body["steps"] = wrapped([step_body(s, tid) for s in template["steps"]])
    if "tags" in with_:
        tags = [seed.tags_by_id[t] for t in template.get("tags") or [] if t in seed.tags_by_id]
        body["tags"] = wrapped([tag_body(t) for t in tags])
    if "folder" in with_:
        folder = seed.folders_by_id.get(str(template.get("folder")))
        body["folder"] = wrapped(folder_body(folder)) if folder else None
    return body


def run_view(run: Obj, seed: Seed, store: Store, with_: set[str]) -> Obj:
    """A stored run plus the related data asked for with `with=` (private `_` keys left out)."""
    body = {k: v for k, v in run.items() if not k.startswith("_")}
    if "tags" in with_:
        body["tags"] = wrapped([tag_body(seed.tags_by_id[t]) for t in run["tags"]
                                if t in seed.tags_by_id])
    if "folders" in with_:
        body["folders"] = wrapped([folder_body(seed.folders_by_id[f]) for f in run["folders"]
                                   if f in seed.folders_by_id])
    if "checklist" in with_:
        template = seed.templates_by_id.get(run["checklist_id"])
        body["checklist"] = wrapped(template_body(template, seed, {"steps"})) if template else None
    if with_ & {"tasks", "next_task"}:
        tasks = store.tasks_of(run["id"])[1]
        if "tasks" in with_:
            body["tasks"] = wrapped(tasks)
        if "next_task" in with_:
            pending = [t for t in tasks if t["status"] != "completed"]
            body["next_task"] = wrapped(pending[0]) if pending else None
    if with_ & {"ko_form_fields", "form_fields"}:
        _add_fields(body, run, seed, with_)
    for name in ("assets", "stages", "permissions"):
        if name in with_:
            body[name] = wrapped([])
    return body


def _add_fields(body: Obj, run: Obj, seed: Seed, with_: set[str]) -> None:
    template = seed.templates_by_id.get(run["checklist_id"])
    fields = template["prerun"] if template else []
    if "ko_form_fields" in with_:
        body["ko_form_fields"] = wrapped(
            [{**field_body(f, run["checklist_id"]), "value": run["prerun"].get(f["id"])}
             for f in fields]
        )
    if "form_fields" in with_:
        body["form_fields"] = wrapped([])  # seed steps capture nothing
