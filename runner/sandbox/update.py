"""Changes to a stored run: PUT (with Tallyfy's users/groups trap), archive, reactivate.

Reactivation restores the status held before archiving (SDK; the archive page disagrees).

The trap, reproduced on purpose: a PUT that leaves out `users` or `groups` sets that list to
empty, stripping every member from the run. Fields a PUT does not know are ignored. A PUT's
`prerun` is merged into the stored values (unknown keys dropped, shapes checked, no required
check), so a client may change one kick-off value at a time.
"""

from __future__ import annotations

from typing import Any

from runner.sandbox.clock import iso
from runner.sandbox.envelope import error, invalid
from runner.sandbox.fields import Errors, check_prerun
from runner.sandbox.launch import check_bool, check_ids, check_name, check_text, check_user
from runner.sandbox.seed import Seed
from runner.sandbox.store import Store

Obj = dict[str, Any]
HELD = "_status_before_archive"  # kept with the stored run, never shown


def update(run: Obj, body: Any, seed: Seed, store: Store) -> Obj:
    """Apply a PUT body to a run and store it; returns the new run."""
    if not isinstance(body, dict):
        raise error(400, "The request body must be a JSON object.", "BAD_REQUEST")
    errors: Errors = {}
    changed = dict(run)
    if "name" in body:
        changed["name"] = check_name(body, errors, required=True)
    if "summary" in body:
        changed["summary"] = check_text(body, "summary", errors)
    if "owner_id" in body:
        changed["owner_id"] = check_user(body, "owner_id", seed, errors, run["owner_id"])
    for key in ("starred", "is_public"):
        if key in body:
            changed[key] = check_bool(body, key, errors, run[key])
    # The trap: absent lists become empty, exactly as the real API does.
    changed["users"] = check_ids(body, "users", seed.users_by_id, errors)
    changed["groups"] = check_ids(body, "groups", seed.groups_by_id, errors)
    if "prerun" in body:
        changed["prerun"] = _merged_prerun(run, body["prerun"], seed, errors)
    if errors:
        raise invalid(errors)
    return _save(changed, store)


def _merged_prerun(run: Obj, prerun: Any, seed: Seed, errors: Errors) -> Obj:
    if prerun in (None, []):
        return dict(run["prerun"])
    if not isinstance(prerun, dict):
        errors["prerun"] = ["The prerun must be an object keyed by kick-off field id."]
        return dict(run["prerun"])
    template = seed.templates_by_id.get(run["checklist_id"])
    values, problems = check_prerun(template["prerun"] if template else [], prerun, seed, False)
    errors.update(problems)
    return {**run["prerun"], **values}


def archive(run: Obj, store: Store) -> Obj:
    """DELETE runs/{id}: archived, still readable; archiving twice changes nothing."""
    if run["status"] == "archived":
        return run
    stamp = store.clock.tick()
    held = {"status": "archived", "archived_at": iso(stamp), HELD: run["status"]}
    return _save({**run, **held}, store, stamp)


def activate(run: Obj, store: Store) -> Obj:
    """PUT runs/{id}/activate: an archived run gets back the status it held before (SDK)."""
    if run["status"] != "archived":
        return run
    back = {k: v for k, v in run.items() if k != HELD}
    return _save({**back, "status": run.get(HELD) or "active", "archived_at": None}, store)


def delete(run: Obj, store: Store) -> None:
    """DELETE runs/{id}/delete: permanent, and only for archived runs (else 422)."""
    if run["status"] != "archived":
        raise invalid({"id": ["Only an archived process can be deleted permanently."]})
    store.delete_run(run["id"])


def _save(run: Obj, store: Store, stamp: int | None = None) -> Obj:
    run["last_updated"] = iso(stamp if stamp is not None else store.clock.tick())
    store.update_run(run)
    return run
