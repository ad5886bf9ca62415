"""Runs on the server compared with their specs, as `import` compares them: for a run the plan
adopts, and for an edited key whose entry predates the lockfile keeping what was launched."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace as evolve

from runner.errors import NotFoundError
from runner.plan.adoption import run_changes
from runner.plan.launched import reason
from runner.plan.plan import Action, Change, Desired, Plan
from runner.remote.ports import Reader
from runner.resolve.request import LaunchRequest


def adopt_changes(
    client: Reader, adoptable: Mapping[str, str], desired: Sequence[Desired]
) -> dict[str, tuple[Change, ...]]:
    """How each run the plan adopts differs from its spec (few runs: after `forget` or a lost
    lockfile; one read each, and one of its template)."""
    requests = {d.key: d.request for d in desired if d.request is not None}
    out = {}
    labels: dict[str, dict[str, str]] = {}
    for key, run_id in sorted(adoptable.items()):
        request = requests.get(key)
        changes = _changes(client, run_id, request, labels) if request is not None else ()
        if changes:
            out[key] = changes
    return out


def edits_from_runs(client: Reader, plan: Plan) -> Plan:
    """An edited key recorded before the lockfile kept what was launched has only a digest to
    go by: its kick-off values are read from its run instead (few: edited keys), on the run ->
    in the spec. A difference only in tasks or members still gets the reason alone."""
    shown = {}
    labels: dict[str, dict[str, str]] = {}
    for a in plan.actions:
        if _predates_launched(a) and a.entry is not None and a.desired and a.desired.request:
            edits = tuple(
                c
                for c in _changes(client, a.entry.run_id, a.desired.request, labels)
                if c.field != "name"
            )
            if edits:
                shown[a.key] = evolve(a, edits=edits, why=reason(["prerun"]))
    if not shown:
        return plan
    return evolve(plan, actions=tuple(shown.get(a.key, a) for a in plan.actions))


def _predates_launched(a: Action) -> bool:
    return a.reason == "edited" and not a.edits and a.entry is not None and not a.entry.launched


def _changes(
    client: Reader, run_id: str, request: LaunchRequest, labels: dict[str, dict[str, str]]
) -> tuple[Change, ...]:
    """`labels`: kick-off labels by template, read once per template and kept here."""
    try:
        run = client.get_run(run_id)
        if request.template_id not in labels:
            fields = client.get_template(request.template_id).get("prerun") or []
            labels[request.template_id] = {
                str(f.get("id")): str(f.get("label")) for f in fields if isinstance(f, Mapping)
            }
    except NotFoundError:
        return ()
    return tuple(run_changes(run, request, labels[request.template_id]))
