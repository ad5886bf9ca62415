"""Plans as versioned JSON (`plan --format json`, `plan --out`): docs/formats.md (pure)."""

from __future__ import annotations

import json
from typing import Any

from runner import __version__
from runner.errors import UsageError
from runner.plan.plan import PLAN_FORMAT_VERSION, Action, Plan
from runner.plan.vocabulary import REASONS, SYMBOL, VERBS
from runner.state.formats import Format
from runner.views.planview import (
    SUMMARY_KINDS,
    display_of,
    due_of,
    launch_name,
    redact,
    secrets_of,
)

# `plan --format json` and `plan --out`; a saved plan is applied only by the launchspec that
# made it (runner/project/guards.py), so an older number is never brought forward.
PLAN_FORMAT = Format(
    "saved plan", "format_version", PLAN_FORMAT_VERSION, {1: "0.1.0", 2: "0.1.0"}, error=UsageError
)


def plan_dict(plan: Plan) -> dict[str, Any]:
    """The documented JSON form of a plan; also what `plan --out` saves."""
    return {
        **PLAN_FORMAT.stamp(),
        "launchspec_version": __version__,  # a saved plan is applied by the same launchspec
        "checksum": plan.checksum,
        "lineage": plan.lineage,
        "serial": plan.serial,
        "organization": plan.organization,
        "launch_at": plan.launch_at,
        "inputs": dict(plan.inputs),
        "offline": plan.offline,
        "notes": list(plan.notes),
        "targets": list(plan.targets),
        "flags": dict(plan.flags),
        "has_changes": plan.has_changes,
        "needs_decision": plan.needs_decision,
        "summary": summary_counts(plan),
        "actions": [_action_dict(a) for a in plan.actions],
    }


def summary_counts(plan: Plan) -> dict[str, Any]:
    """Counts by action and by reason (every word, zeros too), by row as the text and the
    Markdown show them, and of keys changed in Tallyfy (drift, apart from the actions)."""
    return {
        "actions": {v: plan.count_verb(v) for v in VERBS},
        "reasons": {r: sum(1 for a in plan.actions if a.reason == r) for r in REASONS},
        "rows": {k: plan.count(k) for k in SUMMARY_KINDS},
        "drifted": sum(1 for a in plan.actions if a.drift),
    }


def _action_dict(a: Action) -> dict[str, Any]:
    d = a.desired
    return {
        "key": a.key,
        "action": a.verb,
        "reason": a.reason,
        "why": a.why or None,
        "row": a.row,
        "symbol": SYMBOL[a.row],
        "moved_from": a.moved_from,
        "name": launch_name(a),
        "template_id": d.request.template_id
        if d and d.request
        else (a.entry.template_id if a.entry else None),
        "run_id": a.entry.run_id if a.entry else a.run_id,
        "parent": d.rendered.parent if d else (a.entry.parent if a.entry else None),
        "digest": d.request.digest if d and d.request else None,
        "changes": [{"field": c.field, "old": c.old, "new": c.new} for c in a.changes],
        "drift": [{"field": c.field, "old": c.old, "new": c.new} for c in a.drift],
        "edits": [{"field": c.field, "old": c.old, "new": c.new} for c in a.edits],
        "details": display_of(a) or None,
        "guests": list(d.request.guests) if d and d.request else [],
        "due": due_of(a),
    }


def format_json(plan: Plan) -> str:
    """The plan as JSON text with sorted keys and secrets redacted."""
    text = json.dumps(plan_dict(plan), indent=2, sort_keys=True, default=str) + "\n"
    return redact(text, (json.dumps(s)[1:-1] for s in secrets_of(plan)))
