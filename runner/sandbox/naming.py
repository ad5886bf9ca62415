"""Auto-naming: a template's `default_process_name_format` filled from kick-off values.

Documentation: with `auto_naming` on, the name comes from the format, where `{{alias}}` is a
kick-off field's value and `{{DATE}}` the launch date; the name sent is replaced. Sources
conflict on `allow_launcher_change_name` (the API page: it applies only with auto-naming off;
the auto-naming page: with it on, the launcher may override): here a name sent is kept when
the template allows it. A multiselect renders only the options flagged `selected` (CLI
kickoff.go, VariableReplacement::replaceVariableForMultiSelect). Unknown variables stay as
written.
"""

from __future__ import annotations

import re
from typing import Any

Obj = dict[str, Any]
NAME_MAX = 550
_VARIABLE = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")


def auto_name(template: Obj, values: Obj, sent: str, date: str) -> str:
    """The run's name: `sent`, unless the template's auto-naming replaces it."""
    fmt = template.get("default_process_name_format")
    if not template.get("auto_naming") or not isinstance(fmt, str) or not fmt:
        return sent
    if sent and template.get("allow_launcher_change_name"):
        return sent
    by_alias = {str(f.get("alias")): f for f in template["prerun"] if f.get("alias")}

    def fill(match: re.Match[str]) -> str:
        word = match.group(1)
        if word == "DATE":
            return date
        field = by_alias.get(word)
        if field is None:
            return match.group(0)
        return rendered(field, values.get(field["id"]))

    return _VARIABLE.sub(fill, fmt)[:NAME_MAX]


def rendered(field: Obj, value: Any) -> str:
    """A kick-off value as a variable shows it."""
    kind = field.get("field_type")
    if value is None:
        return ""
    if kind == "multiselect" and isinstance(value, list):
        chosen = [v for v in value if isinstance(v, dict) and v.get("selected")]
        return ", ".join(str(v.get("text")) for v in chosen)
    if kind == "dropdown" and isinstance(value, dict):
        return str(value.get("text") or "")
    if kind == "date" and isinstance(value, str):
        return value[:10]
    return str(value)
