"""Launch (`POST runs`): validate the body like Tallyfy does, then build the run and its tasks.

Order of checks: a missing `checklist_id` is 422, an unknown one 404, a draft template 403;
only then is the rest of the body validated (every problem reported in one 422).
Assumptions: unknown `tasks` step keys are ignored like unknown `prerun` keys; an `owners`
override replaces the step's default owners as a whole; with no name sent and no auto-naming,
the name is "{template title} - {YYYY-MM-DD}"; auto-naming is in `naming.py`. `roles` is an
object keyed by organisation role id (`array|org_roles:array_keys`, SDK docstring); a role's
people join the tasks of the steps assigned to that role.
"""

from __future__ import annotations

import uuid
from typing import Any

from runner.sandbox.clock import deadline_from_rule, iso, iso_of, parse_request_date
from runner.sandbox.envelope import error, invalid, not_found
from runner.sandbox.fields import Errors, check_owners, check_prerun
from runner.sandbox.naming import NAME_MAX, auto_name
from runner.sandbox.seed import Seed
from runner.sandbox.store import Store

Obj = dict[str, Any]


def new_id() -> str:
    return uuid.uuid4().hex


def launch(body: Any, org: str, seed: Seed, store: Store) -> tuple[Obj, list[Obj]]:
    """Validate and commit a launch; returns the stored run and its tasks."""
    if not isinstance(body, dict):
        raise error(400, "The request body must be a JSON object.", "BAD_REQUEST")
    template = _template(body.get("checklist_id"), seed)
    errors: Errors = {}
    # id and increment_id first, for readable bodies; both are set once validation passed.
    run: Obj = {"id": None, "increment_id": None}
    run.update(_run_fields(body, template, org, seed, store, errors))
    overrides = _task_overrides(body.get("tasks"), template, seed, errors)
    roles = _roles(body.get("roles"), seed, errors)
    if errors:
        raise invalid(errors)
    created_us = store.clock.tick()
    run.update(id=new_id(), increment_id=store.next_increment(org))
    tasks = [_task(step, run, _with_roles(step, overrides.get(step["id"], {}), roles),
                   created_us, org, store)
             for step in template["steps"]]
    stamp = iso(created_us)
    run["name"] = auto_name(template, run["prerun"], run["name"], stamp[:10])
    if not run["name"]:
        run["name"] = f"{template['title']} - {stamp[:10]}"
    deadlines = [t["deadline"] for t in tasks if t["deadline"]]
    run.update(created_at=stamp, last_updated=stamp, due_date=max(deadlines, default=None),
               progress={"complete": 0, "total": len(tasks), "percent": 0})
    store.insert_run(org, run, created_us, tasks)
    return run, tasks


def _roles(roles: Any, seed: Seed, errors: Errors) -> dict[str, Obj]:
    """`roles`: {organisation role id: {users, guests, groups}}; a JSON list has keys 0, 1..."""
    if roles in (None, []):
        return {}
    if not isinstance(roles, dict):
        errors["roles"] = ["The roles must be an object keyed by organization role id."]
        return {}
    found: dict[str, Obj] = {}
    for key, people in roles.items():
        if key not in seed.roles_by_id:
            errors[f"roles.{key}"] = [f"The selected roles.{key} is invalid."]
            continue
        problems = check_owners(people, seed, f"roles.{key}")
        errors.update(problems)
        if not problems:
            found[key] = people
    return found


def _with_roles(step: Obj, override: Obj, roles: dict[str, Obj]) -> Obj:
    """A step assigned to roles gets their people, beside its own owners (unless overridden)."""
    given = [roles[r] for r in step.get("roles") or [] if r in roles]
    if not given or "owners" in override:
        return override
    own = {"users": "assignees", "guests": "guests", "groups": "groups"}
    owners = {kind: list(step[key]) for kind, key in own.items()}
    for people in given:
        for kind in owners:
            owners[kind] += [p for p in people.get(kind) or [] if p not in owners[kind]]
    return {**override, "owners": owners}


def _template(checklist_id: Any, seed: Seed) -> Obj:
    if checklist_id is None or checklist_id == "":
        raise invalid({"checklist_id": ["The checklist id field is required."]})
    if not isinstance(checklist_id, str):
        raise invalid({"checklist_id": ["The checklist id must be a string."]})
    template = seed.templates_by_id.get(checklist_id)
    if template is None:
        raise not_found()
    if template.get("dual_version_enabled") and not template.get("is_published_state"):
        raise error(403, "This template is not published and cannot be launched.", "FORBIDDEN")
    return template


def _run_fields(body: Obj, template: Obj, org: str, seed: Seed, store: Store,
                errors: Errors) -> Obj:
    prerun = body.get("prerun")
    values: Obj = {}
    if isinstance(prerun, dict):
        values, problems = check_prerun(template["prerun"], prerun, seed)
        errors.update(problems)
    elif prerun not in (None, []):
        errors["prerun"] = ["The prerun must be an object keyed by kick-off field id."]
        values, _ = check_prerun(template["prerun"], {}, seed)
    else:
        values, problems = check_prerun(template["prerun"], {}, seed)
        errors.update(problems)
    return {
        "checklist_id": template["id"],
        "checklist_title": template["title"],
        "name": check_name(body, errors, required=False),
        "summary": check_text(body, "summary", errors),
        "status": "active",
        "type": template.get("type", "procedure"),
        "started_by": check_user(body, "user_id", seed, errors, seed.me),
        "owner_id": check_user(body, "owner_id", seed, errors, seed.me),
        "archived_at": None,
        "completed_at": None,
        "prerun": values,
        "starred": check_bool(body, "starred", errors),
        "is_public": check_bool(body, "is_public", errors),
        "parent_id": _parent(body.get("parent_id"), org, store, errors),
        "users": check_ids(body, "users", seed.users_by_id, errors),
        "groups": check_ids(body, "groups", seed.groups_by_id, errors),
        "tags": check_ids(body, "tags", seed.tags_by_id, errors),
        "folders": check_ids(body, "folders", seed.folders_by_id, errors),
    }


def check_name(body: Obj, errors: Errors, required: bool) -> str:
    name = body.get("name")
    if name is None or (name == "" and not required):
        return ""
    if not isinstance(name, str) or not name.strip():
        errors["name"] = ["The name must be a non-empty string."]
    elif len(name) > NAME_MAX:
        errors["name"] = [f"The name may not be greater than {NAME_MAX} characters."]
    return name if isinstance(name, str) else ""


def check_text(body: Obj, key: str, errors: Errors) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        errors[key] = [f"The {key} must be a string."]
        return None
    return value


def check_bool(body: Obj, key: str, errors: Errors, default: bool = False) -> bool:
    value = body.get(key, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        errors[key] = [f"The {key} field must be true or false."]
        return default
    return value


def check_user(body: Obj, key: str, seed: Seed, errors: Errors, default: int) -> int:
    value = body.get(key)
    if value is None or value == "":
        return default
    user = seed.user(value)
    if user is None:
        errors[key] = [f"The selected {key} is invalid."]
        return default
    return int(user["id"])


def check_ids(body: Obj, key: str, known: dict[Any, Obj], errors: Errors) -> list[Any]:
    """A list of ids that must all exist (users are ints; everything else strings)."""
    value = body.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        errors[key] = [f"The {key} must be a list."]
        return []
    found: list[Any] = []
    for index, item in enumerate(value):
        probe = int(item) if key == "users" and isinstance(item, str) and item.isdigit() else item
        if isinstance(probe, bool) or probe not in known:
            errors[f"{key}.{index}"] = [f"The selected {key}.{index} is invalid."]
        elif probe not in found:
            found.append(probe)
    return found


def _parent(value: Any, org: str, store: Store, errors: Errors) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or store.get_run(org, value) is None:
        errors["parent_id"] = ["The selected parent id is invalid."]
        return None
    return value


def _task_overrides(tasks: Any, template: Obj, seed: Seed, errors: Errors) -> dict[str, Obj]:
    if tasks in (None, []):
        return {}
    if not isinstance(tasks, dict):
        errors["tasks"] = ["The tasks must be an object keyed by step id."]
        return {}
    steps = {s["id"]: s for s in template["steps"]}
    found: dict[str, Obj] = {}
    for step_id, override in tasks.items():
        if step_id in steps:  # unknown step keys are ignored, like unknown prerun keys
            found[step_id] = _override(steps[step_id], override, seed, errors)
    return found


def _override(step: Obj, override: Any, seed: Seed, errors: Errors) -> Obj:
    path = f"tasks.{step['id']}"
    if not isinstance(override, dict):
        errors[path] = ["The task override must be an object."]
        return {}
    result: Obj = {}
    if override.get("deadline") is not None:
        moment = parse_request_date(override["deadline"])
        if moment is None:
            errors[f"{path}.deadline"] = ["The deadline is not a valid date."]
        else:
            result["deadline"] = iso_of(moment)
    if override.get("owners") is not None:
        owners = override["owners"]
        problems = check_owners(owners, seed, f"{path}.owners")
        errors.update(problems)
        if not problems:
            result["owners"] = _step_owners(step, owners, path, errors, seed)
    return result


def _assignee_count(chosen: Obj, seed: Seed) -> int:
    """The cap counts members and guests: a group counts as its members (documented)."""
    members = {str(u) for u in chosen["users"]}
    guests = {str(g) for g in chosen["guests"]}
    for gid in chosen["groups"]:
        group = seed.groups_by_id.get(str(gid)) or {}
        members.update(str(m) for m in group.get("members") or [])
        guests.update(str(g) for g in group.get("guests") or [])
    return len(members) + len(guests)


def _step_owners(step: Obj, owners: Obj, path: str, errors: Errors, seed: Seed) -> Obj:
    keys = ("users", "guests", "groups")
    chosen = {key: list(dict.fromkeys(owners.get(key) or [])) for key in keys}
    limit = step.get("max_assignable")
    count = _assignee_count(chosen, seed)
    if isinstance(limit, int) and limit > 0 and count > limit:  # 0: unlimited
        errors[f"{path}.owners"] = [f"This step can have at most {limit} assignees."]
    if chosen["guests"] and not step.get("allow_guest_owners"):
        errors[f"{path}.owners.guests"] = ["This step cannot be assigned to guests."]
    return chosen


def _task(step: Obj, run: Obj, override: Obj, created_us: int, org: str, store: Store) -> Obj:
    owners = override.get("owners") or {
        "users": list(step["assignees"]), "guests": list(step["guests"]),
        "groups": list(step["groups"]),
    }
    nobody = not any(owners.get(k) for k in ("users", "guests", "groups"))
    if nobody and step.get("assign_run_starter", True) and run.get("started_by"):
        # The step's assign_run_starter (default true): with no assignee anywhere, the launcher
        owners = {"users": [run["started_by"]], "guests": [], "groups": []}
    stamp = iso(created_us)
    return {
        "id": new_id(), "increment_id": store.next_increment(org, "tasks"),
        "title": step["title"], "summary": step.get("summary"), "run_id": run["id"],
        "checklist_id": run["checklist_id"], "step_id": step["id"],
        "task_type": step.get("step_type", "task"), "status": "not-started", "owners": owners,
        "deadline": override.get("deadline") or deadline_from_rule(step["deadline"], created_us),
        "started_at": None, "completed_at": None, "position": step.get("position"),
        "created_at": stamp, "last_updated": stamp,
    }
