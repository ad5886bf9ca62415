"""make_plan over one PlanBasis: each part of it (wanted, recorded, observed, flags) decides."""

from __future__ import annotations

from runner.plan.basis import Flags, Observed, PlanBasis, Recorded, Wanted
from runner.plan.plan import Desired, make_plan
from runner.state.lockfile import Lockfile
from tests.support.plans import AT, entry, rendered, request


def _wanted(*keys: str) -> Wanted:
    return Wanted([Desired(rendered(k), request(k)) for k in keys], AT, {"specs/a.yaml": "abc"})


def _lock(*keys: str) -> Lockfile:
    return Lockfile("lin", 3, "org1", {k: entry(k) for k in keys})


def _rows(basis: PlanBasis) -> dict[str, tuple[str, str]]:
    return {a.key: (a.verb, a.reason) for a in make_plan(basis).actions}


def test_each_part_of_the_basis_shapes_the_plan() -> None:
    wanted = _wanted("new", "lost", "pending")
    recorded = Recorded(_lock("gone"), pending=frozenset({"pending"}))
    assert _rows(PlanBasis(wanted, recorded)) == {
        "new": ("create", "new"), "lost": ("create", "new"),
        "pending": ("read", "outcome-unknown"), "gone": ("no-op", "no-spec")}
    seen = Observed(adoptable={"lost": "r9"})
    pruned = PlanBasis(wanted, recorded, seen, Flags(prune=True), notes=("a note",))
    assert _rows(pruned)["lost"] == ("adopt", "marker-found")
    assert _rows(pruned)["gone"] == ("archive", "no-spec")
    plan = make_plan(pruned)
    assert plan.notes == ("a note",) and plan.launch_at == AT
    assert (plan.lineage, plan.serial, dict(plan.inputs)) == ("lin", 3, {"specs/a.yaml": "abc"})
