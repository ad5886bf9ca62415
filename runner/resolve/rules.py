"""What Tallyfy accepts at launch, decided from a template's own fields (pure).

Launchability, the default run name, which folders hold processes, what counts as empty:
each decided in one place, from the evidence in docs/tallyfy-api-notes.md, so that `resolve`
and `doctor` cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from runner.render.render import Rendered


def default_name(template: Mapping[str, Any], r: Rendered) -> str:
    """Tallyfy's documented default run name: `{template title} - {date}` (launch date)."""
    at = r.launch_at.astimezone(ZoneInfo(r.timezone)) if r.launch_at else None
    return f"{template.get('title') or 'Process'} - {at.date().isoformat() if at else ''}"


def launch_refusal(template: Mapping[str, Any]) -> str | None:
    """Why Tallyfy would refuse to launch `template` (403), or None when it would launch it.

    The one place this is decided: `resolve` refuses such a launch, and `doctor` reports it.
    Real templates carry `status` "active" or null; only with dual versioning on must a
    template be in a published state (docs/tallyfy-api-notes.md, "Launchability").
    """
    if template.get("archived_at"):
        return "template is archived; launching it would be refused (403)"
    if template.get("dual_version_enabled") and not template.get("is_published_state"):
        return (
            "template has dual versioning on and is not in a published state; launching it "
            "would be refused (403)"
        )
    if template.get("status") == "draft":
        return "template is a draft; launching it would be refused (403)"
    return None


def is_empty(value: Any) -> bool:
    """Empty text, a blank CSV cell, an empty list or map: missing for a required field.

    0 and "0" are values: PHP empty() in Tallyfy's validator only suppresses an invalid-choice
    error, it does not clear them (MCP server, live-verified; docs/tallyfy-api-notes.md)."""
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, list | tuple | dict) and not value


def not_for_runs(folder: Mapping[str, Any]) -> str | None:
    """Only folders of type `run` hold processes (the MCP server, citing the server's code)."""
    kind = folder.get("folder_type")
    if kind in (None, "run"):
        return None
    return f"holds templates (folder_type {kind}), not processes: the API would refuse it"
