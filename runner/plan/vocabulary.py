"""The plan's vocabulary: what apply does with a key (the action) apart from why (the reason).

As Terraform separates a change's action (create, update, replace, delete, read, no-op) from
its reason and reports drift apart, so does a plan: `Action.verb` is one of VERBS, `reason` one
of REASONS, and `drift` (with `plan --refresh`) lists what changed in Tallyfy whatever the
action. Every view shows an action by its row (ROWS): one symbol and one label per pair, the
same in the text plan, the Markdown comment, the JSON and the GitHub outputs.
"""

from __future__ import annotations

from typing import Literal, get_args

Verb = Literal["create", "update", "replace", "archive", "adopt", "move", "read", "wait", "no-op"]
Reason = Literal[
    "new",  # no run is recorded for the key
    "spec-changed",  # name, summary, owner, starred or public changed in the spec
    "edited",  # kick-off values or tasks changed in the spec after launch
    "replace-requested",  # `--replace KEY`
    "no-spec",  # a recorded key no spec asks for any more
    "marker-found",  # a run on the server already carries the key's marker
    "renamed",  # `moved:` in launchspec.yaml renames a recorded key
    "not-due",  # a recurring launch whose period has not begun
    "outcome-unknown",  # an earlier launch of the key got no answer (journal)
    "run-gone",  # the recorded run is archived or missing in Tallyfy (`--refresh`)
    "duplicated",  # two or more runs carry the key's marker (`--refresh`)
    "up-to-date",  # launched, and the spec asks for what was launched
]
VERBS: tuple[Verb, ...] = get_args(Verb)
REASONS: tuple[Reason, ...] = get_args(Reason)
# Actions apply carries out; `read` happens at the start of every apply, before planning.
ACTING: tuple[Verb, ...] = ("create", "update", "replace", "archive", "adopt", "move")
# Reasons left for a person to decide (`plan --detailed-exitcode` exits 3 for them), besides
# drift and a recorded key no spec asks for that is kept.
DECIDE: tuple[Reason, ...] = ("edited", "outcome-unknown", "run-gone", "duplicated")

# (action, reason) -> the row every view shows: its name, symbol and label. The symbols are
# the text plan's since the first release; `drifted` is an up-to-date key with drift.
ROWS: dict[tuple[Verb, Reason], str] = {
    ("create", "new"): "launch",
    ("update", "spec-changed"): "update",
    ("update", "edited"): "edited",  # the fields are updated in place, the rest left
    ("no-op", "edited"): "edited",
    ("replace", "replace-requested"): "replace",
    ("archive", "no-spec"): "archive",
    ("no-op", "no-spec"): "orphaned",
    ("adopt", "marker-found"): "adopt",
    ("move", "renamed"): "moved",
    ("wait", "not-due"): "scheduled",
    ("read", "outcome-unknown"): "pending",
    ("no-op", "run-gone"): "missing",
    ("no-op", "duplicated"): "duplicate",
    ("no-op", "up-to-date"): "unchanged",
}
SYMBOL = {
    "launch": "+",
    "update": "~",
    "replace": "-/+",
    "unchanged": " ",
    "edited": "!",
    "orphaned": "-",
    "archive": "-",
    "missing": "?",
    "pending": "?",
    "duplicate": "!!",
    "adopt": "<=",
    "scheduled": "..",
    "drifted": "!=",
    "moved": ">",
}
LABEL = {
    "launch": "to launch",
    "update": "to update",
    "replace": "to replace",
    "edited": "edited after launch",
    "orphaned": "orphaned",
    "archive": "to archive",
    "missing": "missing",
    "pending": "pending reconciliation",
    "duplicate": "launched more than once",
    "adopt": "to adopt",
    "scheduled": "not yet due",
    "drifted": "changed in Tallyfy",
    "moved": "moved",
    "unchanged": "unchanged",
}
# Every row, in the order summaries count them, unchanged entries last.
ROW_ORDER = (*(r for r in LABEL if r != "unchanged"), "unchanged")


def row(verb: Verb, reason: Reason, drifted: bool = False) -> str:
    """The row an action is shown as."""
    if drifted and (verb, reason) == ("no-op", "up-to-date"):
        return "drifted"
    return ROWS[(verb, reason)]
