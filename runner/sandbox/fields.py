"""Validation of kick-off values per field type, and of owner lists (users, guests, groups).

Assumptions where docs/tallyfy-api-notes.md is silent or sources disagree (the stricter reading
wins):
short text at most 200 characters, long text at most 6,000; a radio value must be one
option's exact text; a dropdown's `id` and `text` must both name the same option; a table value
is a flat list with exactly one cell per column; a date value that is an ISO 8601 or
`YYYY-MM-DD HH:MM:SS` string is stored as `YYYY-MM-DDTHH:MM:SSZ`. A blank value (null, "",
[], {}) clears any field but a table, and is missing for a required one. A value PHP
`empty()` calls empty but that is not blank (0, "0", false) skips the shape check of every
field but a table and is stored as sent: empty() only suppresses the invalid-choice error
(MCP server, live-verified); that it satisfies a required field is an assumption (Laravel's
`blank()`, which the cited RunRequestValidator::preRunValueIsBlank suggests).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from runner.sandbox.clock import iso_of, parse_request_date
from runner.sandbox.seed import Seed

Obj = dict[str, Any]
Errors = dict[str, list[str]]

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
TEXT_MAX, TEXTAREA_MAX = 200, 6000


class Bad(Exception):
    """One value failed its field's rule; the message is the API's."""


def is_blank(value: Any) -> bool:
    """No value at all: null, "", an empty list or map (cleared; missing if required)."""
    return value is None or value == "" or value == [] or value == {}


def php_empty(value: Any) -> bool:
    """PHP `empty()`: also 0, 0.0, "0" and false. FormValuesValidator breaks early on it (no
    shape check) for every field type but a table; the value is still stored."""
    if isinstance(value, bool | int | float):
        return not value
    return value == "0" or is_blank(value)


def check_prerun(fields: list[Obj], prerun: dict[str, Any], seed: Seed,
                 require: bool = True) -> tuple[Obj, Errors]:
    """Known keys checked and normalised, unknown keys dropped, required ones enforced."""
    values: Obj = {}
    errors: Errors = {}
    for item in fields:
        fid, label = item["id"], str(item.get("label") or item["id"])
        value = prerun.get(fid)
        # The table arm alone has no empty() break: "" (or 0, "0", false, []) is shape-checked.
        table = item.get("field_type") == "table" and value is not None
        if is_blank(value) and not table:
            if require and item.get("required"):
                errors[f"prerun.{fid}"] = [f"{label} is required"]
            elif fid in prerun:
                values[fid] = None  # cleared
            continue
        if php_empty(value) and not table:
            values[fid] = value  # no shape check, stored as sent
            continue
        try:
            values[fid] = _CHECKS.get(str(item.get("field_type")), _any)(item, value, seed)
        except Bad as exc:
            errors[f"prerun.{fid}"] = [str(exc)]
    return values, errors


def _any(item: Obj, value: Any, seed: Seed) -> Any:
    return value


def _text(item: Obj, value: Any, seed: Seed) -> Any:
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise Bad(f"{item['label']} must be a text value.")
    if len(str(value)) > TEXT_MAX:
        raise Bad(f"{item['label']} may not be greater than {TEXT_MAX} characters.")
    return value


def _textarea(item: Obj, value: Any, seed: Seed) -> Any:
    if not isinstance(value, str):
        raise Bad(f"{item['label']} must be a string.")
    if len(value) > TEXTAREA_MAX:
        raise Bad(f"{item['label']} may not be greater than {TEXTAREA_MAX} characters.")
    return value


def _email(item: Obj, value: Any, seed: Seed) -> Any:
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise Bad(f"{item['label']} must be a text value.")
    return value  # the real server does not validate the address


def _date(item: Obj, value: Any, seed: Seed) -> Any:
    moment = parse_request_date(value)
    if moment is None:
        raise Bad(f"{item['label']} is not a valid date.")
    return iso_of(moment)


def _radio(item: Obj, value: Any, seed: Seed) -> Any:
    texts = [o.get("text") for o in item.get("options") or []]
    if not isinstance(value, str) or value not in texts:
        raise Bad("Invalid radio choice selected.")
    return value


def _dropdown(item: Obj, value: Any, seed: Seed) -> Any:
    options = item.get("options") or []
    if not (isinstance(value, dict) and "id" in value and "text" in value):
        raise Bad("Invalid dropdown choice selected.")
    if not any(o.get("id") == value["id"] and o.get("text") == value["text"] for o in options):
        raise Bad("Invalid dropdown choice selected.")
    return value


def _multiselect(item: Obj, value: Any, seed: Seed) -> Any:
    options = item.get("options") or []
    if not isinstance(value, list):
        raise Bad("Invalid multiselect choice selected.")
    for choice in value:
        ok = isinstance(choice, dict) and any(
            o.get("id") == choice.get("id") and o.get("text") == choice.get("text")
            for o in options
        )
        if not ok:
            raise Bad("Invalid multiselect choice selected.")
    return value  # entries without `selected` are kept: they save but show empty


def _table(item: Obj, value: Any, seed: Seed) -> Any:
    # Real senders write one row as a flat list of cells in column order; "" is refused.
    if value == "" or not isinstance(value, list):
        raise Bad("Invalid table field")
    if len(value) != len(item.get("columns") or []):
        raise Bad("Number of columns does not match required columns")
    if not all(isinstance(cell, str | int | float) for cell in value):
        raise Bad("Invalid table field")
    return value


def _assignees(item: Obj, value: Any, seed: Seed) -> Any:
    problems = check_owners(value, seed, "")
    if problems:
        raise Bad(next(iter(problems.values()))[0])
    return {key: list(value.get(key) or []) for key in ("users", "guests", "groups")}


def _file(item: Obj, value: Any, seed: Seed) -> Any:
    if not isinstance(value, list) or not all(
        isinstance(f, dict) and ("id" in f or "url" in f) for f in value
    ):
        raise Bad(f"{item['label']} must be a list of uploaded files.")
    return value


_CHECKS: dict[str, Callable[[Obj, Any, Seed], Any]] = {
    "text": _text, "textarea": _textarea, "email": _email, "date": _date, "radio": _radio,
    "dropdown": _dropdown, "multiselect": _multiselect, "table": _table,
    "assignees_form": _assignees, "file": _file,
}


def check_owners(owners: Any, seed: Seed, path: str) -> Errors:
    """Errors for an `{users, guests, groups}` object: unknown ids, bad emails, wrong types."""
    prefix = f"{path}." if path else ""
    if not isinstance(owners, dict):
        return {path or "owners": ["The owners must be an object with users, guests, groups."]}
    errors: Errors = {}
    for key in ("users", "guests", "groups"):
        items = owners.get(key) or []
        if not isinstance(items, list):
            errors[f"{prefix}{key}"] = [f"The {key} must be a list."]
            continue
        for index, item in enumerate(items):
            message = _owner_problem(key, item, seed)
            if message:
                errors[f"{prefix}{key}.{index}"] = [message]
    return errors


def _owner_problem(key: str, item: Any, seed: Seed) -> str | None:
    if key == "users" and (not isinstance(item, int) or seed.user(item) is None):
        return f"User {item!r} does not exist in this organization."
    if key == "guests" and (not isinstance(item, str) or not EMAIL.match(item)):
        return f"Guest {item!r} is not a valid email address."
    if key == "groups" and (not isinstance(item, str) or item not in seed.groups_by_id):
        return f"Group {item!r} does not exist in this organization."
    return None
