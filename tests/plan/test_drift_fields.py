"""Drift, field by field (pure): what is compared, what is left alone, no false alarms."""

from __future__ import annotations

from typing import Any

from runner.plan.drift import run_drift
from runner.plan.plan import Desired
from runner.resolve.resolve import LaunchRequest
from runner.state.lockfile import LockEntry
from tests.support.plans import rendered

STEP = "s1"
BODY: dict[str, Any] = {
    "name": "Close - Acme",
    "prerun": {"f1": "2026-12-01T00:00:00.000Z", "f2": "USD"},
    "tasks": {STEP: {"deadline": "2026-12-03T17:00:00Z",
                     "owners": {"users": [1002], "guests": [], "groups": ["g1"]}}},
}
RUN: dict[str, Any] = {
    "name": "Close - Acme", "summary": "Monthly", "owner_id": 1001,
    "prerun": {"f1": "2026-12-01T00:00:00Z", "f2": "USD"},
    "tasks": {"data": [{"step_id": STEP, "deadline": "2026-12-03T17:00:00+00:00",
                        "owners": {"users": [1002], "groups": ["g1"], "guests": []}}]},
}
LABELS, STEPS = {"f1": "Start", "f2": "Currency"}, {STEP: "Sign-off"}


def _entry(**kw: Any) -> LockEntry:
    base: dict[str, Any] = {"run_id": "r1", "template_id": "t1", "name": "Close - Acme",
                            "launched_at": "2026-12-01T09:00:00Z", "digest": "d1",
                            "fields": {"name": "Close - Acme", "summary": "Monthly",
                                       "owner_id": 1001}}
    return LockEntry(**{**base, **kw})


def _desired(digest: str = "d1") -> Desired:
    request = LaunchRequest("k", "t1", "Close", BODY, digest, {})
    return Desired(rendered("k"), request)


def _drift(
    run: dict[str, Any], entry: LockEntry | None = None, digest: str = "d1"
) -> dict[str, Any]:
    changes = run_drift(run, entry or _entry(), _desired(digest), LABELS, STEPS)
    return {c.field: (c.old, c.new) for c in changes}


def test_an_untouched_run_has_no_drift() -> None:
    assert _drift(RUN) == {}  # dates by day, deadlines by instant, owners in any order


def test_task_deadlines_and_owners_changed_by_hand() -> None:
    task = {"step_id": STEP, "deadline": "2026-12-10T17:00:00Z",
            "owners": {"users": [1003], "groups": [], "guests": []}}
    assert _drift({**RUN, "tasks": [task]}) == {
        "task Sign-off deadline": ("2026-12-03T17:00:00Z", "2026-12-10T17:00:00Z"),
        "task Sign-off owners": ({"users": ["1002"], "groups": ["g1"], "guests": []},
                                 {"users": ["1003"], "groups": [], "guests": []}),
    }


def test_summary_owner_and_kick_off_value_changed_by_hand() -> None:
    run = {**RUN, "summary": "Edited", "owner_id": "1004", "prerun": {**RUN["prerun"], "f2": "EUR"}}
    assert _drift(run) == {"summary": ("Monthly", "Edited"), "owner_id": (1001, "1004"),
                           "kick-off Currency": ("USD", "EUR")}


def test_an_edited_spec_compares_only_what_the_lockfile_recorded() -> None:
    # The spec now asks for another launch (another digest): its values are not the run's.
    run = {**RUN, "prerun": {"f2": "EUR"}, "tasks": []}
    assert _drift(run, digest="d2") == {}


def test_unreadable_or_secret_values_are_not_drift() -> None:
    entry = _entry(name="Close - (secret)", fields={"summary": "key (secret)"})
    run = {"name": "Close - hunter2", "summary": "key hunter2"}  # no prerun, no tasks shown
    assert _drift(run, entry) == {}
