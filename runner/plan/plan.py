"""Pure planning: desired launches + lockfile (+ live facts) -> an ordered Plan with a checksum."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from dataclasses import replace as evolve
from typing import Any

from runner.plan.basis import PlanBasis
from runner.plan.compare import EDITED_REASON, compare, edits_of, field_changes
from runner.plan.desired import Change as Change
from runner.plan.desired import Desired as Desired
from runner.plan.desired import canonical_digest as canonical_digest
from runner.plan.vocabulary import ACTING, DECIDE, Reason, Verb, row
from runner.state.lockfile import LockEntry

# 2: each action is an `action` (what apply does) and a `reason` (why), the sentence is `why`,
# drift is reported apart; 1 had one `action` word mixing the two (runner/plan/vocabulary.py).
PLAN_FORMAT_VERSION = 2

DRIFTED = "changed in Tallyfy since launchspec wrote it"


@dataclass(frozen=True)
class Action:
    """What apply would do for one launch key (`verb`), and why (`reason`, said in `why`)."""

    verb: Verb
    reason: Reason
    key: str
    desired: Desired | None = None
    entry: LockEntry | None = None
    changes: tuple[Change, ...] = ()
    why: str = ""
    run_id: str | None = None  # for `adopt`: the run the server already holds for this key
    drift: tuple[Change, ...] = ()  # `plan --refresh`: changed in Tallyfy, recorded -> now
    moved_from: str | None = None  # `moved`: the key the run is recorded under until apply
    run_state: str | None = None  # an orphan's run already archived or missing on the server
    # `edited`: the fixed part's fields changed since launch, launched -> in the spec (apply
    # leaves them; only --replace changes them)
    edits: tuple[Change, ...] = ()

    @property
    def row(self) -> str:
        """How every view shows it (runner/plan/vocabulary.py: ROWS)."""
        return row(self.verb, self.reason, bool(self.drift))

    @property
    def acts(self) -> bool:
        return self.verb in ACTING

    @property
    def needs_decision(self) -> bool:
        """Left for a person: edited, orphaned, missing, pending, launched twice, drifted, or
        a run to adopt that differs from the spec."""
        orphaned = (self.verb, self.reason) == ("no-op", "no-spec")
        differs = self.verb == "adopt" and bool(self.changes)
        return self.reason in DECIDE or orphaned or bool(self.drift) or differs

    @property
    def updates_in_place(self) -> bool:
        """An edited run whose updatable fields changed too: those are applied, the rest kept."""
        return self.verb == "update" and self.reason == "edited"

    def signature(self) -> list[str]:
        """What the checksum covers for this action: what apply will do. Drift is only shown
        (apply does not read the runs again), so a drifted key counts as unchanged."""
        d = self.desired
        digest = d.request.digest if d and d.request else ""
        fields = d.fields_digest() if d else ""
        return [self.key, self.verb, self.reason, digest, fields, self.moved_from or ""]


@dataclass(frozen=True)
class Plan:
    """Ordered actions (parents first) with what they were computed from."""

    actions: tuple[Action, ...]
    lineage: str
    serial: int
    organization: str | None
    launch_at: str
    inputs: Mapping[str, str] = field(default_factory=dict)  # file -> sha256 of its bytes
    offline: bool = False
    notes: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()  # `--target`: the actions are a subset
    # The other flags that shaped the plan (prune, backfill, replace, refresh): `apply FILE`
    # plans with them again.
    flags: Mapping[str, Any] = field(default_factory=dict)

    @property
    def checksum(self) -> str:
        return canonical_digest(
            {
                "inputs": dict(self.inputs),
                # An empty lockfile has no identity yet: its lineage is made up at each read.
                "lineage": self.lineage if self.serial else "",
                "serial": self.serial,
                "launch_at": self.launch_at,
                "actions": [a.signature() for a in self.actions],
            }
        )

    def count(self, row: str) -> int:
        """How many actions are shown as `row` (launch, edited, drifted…)."""
        return sum(1 for a in self.actions if a.row == row)

    def count_verb(self, verb: Verb) -> int:
        return sum(1 for a in self.actions if a.verb == verb)

    @property
    def launches(self) -> int:
        """How many runs apply would launch (new ones and replacements)."""
        return self.count_verb("create") + self.count_verb("replace")

    @property
    def has_changes(self) -> bool:
        return any(a.acts for a in self.actions)

    @property
    def needs_decision(self) -> bool:
        return any(a.needs_decision for a in self.actions)


def make_plan(basis: PlanBasis) -> Plan:
    """Compare what the specs want with what the lockfile says was launched, and with what
    was read from the server (runner/plan/basis.py says what each part holds)."""
    desired, lock, seen = basis.wanted.launches, basis.recorded.lock, basis.observed
    offline, live = basis.flags.offline, seen.states
    pending_keys, replace_keys = set(basis.recorded.pending), set(basis.flags.replace)
    adoptable, duplicates, drift = seen.adoptable, seen.duplicates, seen.drift
    moves = {new: old for new, old in basis.wanted.moves.items() if old in lock.entries}
    actions = [
        _moved(d, lock.entries[moves[d.key]], moves[d.key], offline)
        if d.key in moves
        else _action_for(d, lock.entries.get(d.key), pending_keys, live, replace_keys, offline)
        for d in desired
    ]
    for i, a in enumerate(actions):
        if adoptable and a.verb == "create" and a.key in adoptable:
            run = adoptable[a.key]
            why = f"the server already holds run {run}, carrying this key's marker"
            differs = (seen.adopt_changes or {}).get(a.key, ())
            if differs:
                why += (
                    ", but it differs from the spec (on the run -> in the spec): apply records "
                    "it as it is, and the next plan shows it edited"
                )
            actions[i] = Action(
                "adopt", "marker-found", a.key, a.desired, changes=differs, why=why, run_id=run
            )
        if drift and a.key in drift:
            actions[i] = _drifted(a, drift[a.key])
        if duplicates and a.key in duplicates:
            ids = duplicates[a.key]
            why = f"{len(ids)} runs carry this key's marker: {', '.join(ids)}"
            actions[i] = Action("no-op", "duplicated", a.key, a.desired, a.entry, why=why)
    wanted = {d.key for d in desired}
    for key, entry in sorted(lock.entries.items()):
        if key not in wanted and key not in moves.values():
            verb: Verb = "archive" if basis.flags.prune else "no-op"
            state = (live or {}).get(key, "active")
            gone = state if state in ("archived", "missing") else None
            why = "no spec asks for it any more" + (
                f"; its run is already {'archived' if gone == 'archived' else 'gone'} in Tallyfy"
                if gone
                else ""
            )
            actions.append(Action(verb, "no-spec", key, entry=entry, why=why, run_state=gone))
    return Plan(
        actions=tuple(_parents_first(actions)),
        notes=(*basis.notes, *_secrets_note(actions)),
        lineage=lock.lineage,
        serial=lock.serial,
        organization=lock.organization,
        launch_at=basis.wanted.launch_at,
        inputs=dict(basis.wanted.inputs),
        offline=offline,
    )


def _secrets_note(actions: Sequence[Action]) -> list[str]:
    """Launched keys whose launch holds a secret: its value is not compared, so say so."""
    keys = [a.key for a in actions if a.entry and a.desired and a.desired.uses_secrets()]
    if not keys:
        return []
    shown = ", ".join(keys[:3]) + (f" and {len(keys) - 3} more" if len(keys) > 3 else "")
    return [
        f"{shown} launched with a secret's value: secrets are not compared with what was "
        "launched, so a rotated secret edits nothing (`apply --replace KEY` relaunches with "
        "the value set now)"
    ]


def _moved(d: Desired, entry: LockEntry, old: str, offline: bool) -> Action:
    """The run of `old` recorded under `d.key` instead, with any change of its fields."""
    fixed_same, fields_same = compare(d, entry, offline)
    changes = () if fields_same else tuple(field_changes(d, entry))
    why = f"recorded as {old} until apply: nothing is launched"
    if not fixed_same:
        why += f"; {EDITED_REASON}: not applied (`apply --replace {d.key}` after the move)"
    return Action("move", "renamed", d.key, d, entry, changes, why, moved_from=old)


def _drifted(a: Action, changes: tuple[Change, ...]) -> Action:
    """Drift is reported apart from the action: a key changed in Tallyfy keeps its action."""
    if (a.verb, a.reason) == ("no-op", "up-to-date"):
        return evolve(a, drift=changes, why=DRIFTED)
    return evolve(a, drift=changes)


def _action_for(
    d: Desired,
    entry: LockEntry | None,
    pending: set[str],
    live: Mapping[str, str] | None,
    replace: set[str],
    offline: bool,
) -> Action:
    if d.key in pending:
        why = "an earlier launch's outcome is unknown"
        return Action("read", "outcome-unknown", d.key, d, entry, why=why)
    if entry is None and d.rendered.due is not None:
        why = f"a recurring launch, due {d.rendered.due}: apply launches it from that day"
        return Action("wait", "not-due", d.key, d, why=why)
    if entry is None:
        return Action("create", "new", d.key, d)
    if live is not None and live.get(d.key, "active") in ("missing", "archived"):
        return Action("no-op", "run-gone", d.key, d, entry, why=f"the run is {live.get(d.key)}")
    if d.key in replace:  # forced, as Terraform's -replace: even an unchanged run relaunches
        why = "--replace: archive and relaunch"
        return Action("replace", "replace-requested", d.key, d, entry, why=why)
    fixed_same, fields_same = compare(d, entry, offline)
    if not fixed_same:
        # Name, summary, owner… can still be updated in place: apply does that, and reports
        # the fixed part (kick-off values, tasks), which only `--replace` can change.
        changes = () if fields_same else tuple(field_changes(d, entry))
        edits, why = edits_of(d, entry)
        verb: Verb = "update" if changes else "no-op"
        return Action(verb, "edited", d.key, d, entry, changes, why, edits=edits)
    if not fields_same:
        changes = tuple(field_changes(d, entry))
        return Action("update", "spec-changed", d.key, d, entry, changes)
    return Action("no-op", "up-to-date", d.key, d, entry)


def _parents_first(actions: list[Action]) -> list[Action]:
    """Sort by key, then move every child after its parent (validate has ruled out cycles)."""
    by_key = {a.key: a for a in actions}
    done: set[str] = set()
    out: list[Action] = []

    def visit(a: Action, depth: int = 0) -> None:
        if a.key in done:
            return
        parent = a.desired.rendered.parent if a.desired else None
        if parent in by_key and depth < len(by_key):
            visit(by_key[parent], depth + 1)
        done.add(a.key)
        out.append(a)

    for a in sorted(actions, key=lambda a: a.key):
        visit(a)
    return out
