"""`plan`: validate, render, resolve, read the remote state, and compare with the lockfile.

Kept apart from apply so that planning imports nothing of the applier (a contract in
pyproject.toml): the remote state it needs is read by `runner.remote`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from dataclasses import replace as evolve
from datetime import datetime
from typing import Any

from runner.diagnostics import Diagnostic, has_errors
from runner.errors import SpecError, UsageError
from runner.plan.basis import Flags, Observed, PlanBasis, Recorded, Wanted
from runner.plan.clashes import name_clashes, names_in_use
from runner.plan.moves import pending_moves
from runner.plan.plan import Desired, Plan, make_plan
from runner.project import stages
from runner.project.comparing import adopt_changes, edits_from_runs
from runner.project.offline import resolve_offline
from runner.project.refresh import read_live
from runner.project.targets import narrow
from runner.project.validation import now_utc, validate
from runner.remote.duplicates import adoptable as adoptable_runs
from runner.remote.duplicates import recorded as recorded_duplicates
from runner.remote.ports import Reader
from runner.remote.reconcile import RunIndex, Settled
from runner.remote.recorded import orphan_states
from runner.remote.recovery import pending_keys, with_recorded_launches
from runner.render.expand import history_keys
from runner.snapshots.store import SnapshotStore
from runner.specs.config import Config
from runner.specs.spec import Spec
from runner.state.journal import Journal
from runner.state.lockfile import Lockfile, read_lockfile


@dataclass
class Planned:
    """A plan and what it was computed from; apply goes on from here."""

    plan: Plan
    lock: Lockfile
    journal: Journal
    settled: list[Settled] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)  # at the spec's line


@dataclass(frozen=True)
class PlanInputs:
    """What a plan is computed from and how: one value for `plan`, built by the CLI's `plan`
    and by `apply` (which hands over what it already read)."""

    config: Config
    client: Reader | None = None  # None: offline (snapshots, or the rendered specs alone)
    replace: Sequence[str] = ()  # `--replace`: keys to archive and relaunch
    prune: bool = False  # `--prune`: archive the runs no spec asks for
    refresh: bool = False  # `--refresh`: read every recorded run back (states, drift)
    launch_at: str | None = None  # a saved plan's launch time
    now: datetime | None = None  # the clock, for tests and demos
    backfill: int = 0  # earlier periods of recurring specs to launch when missed
    strict: bool = False  # warnings are errors
    targets: Sequence[str] = ()  # `--target`: the keys the plan is narrowed to
    names_on_server: bool = True  # warn of a name a run already has (one read per launch)
    lock: Lockfile | None = None  # the lockfile apply settled; None: read it
    index: RunIndex | None = None  # the runs apply already read; None: read them


def plan(inputs: PlanInputs) -> Planned:
    """Validate, render, resolve (when there is a client) and compare with the lockfile.

    The clock is `launch_at`, else `now`, else the real time; it also picks the current period
    of recurring specs, and `backfill` adds up to that many earlier periods.
    """
    config, client, replace = inputs.config, inputs.client, inputs.replace
    result = validate(config, fields=False)  # resolved below: online, or from the snapshots
    # Every problem in one run: the specs that passed go on to be rendered and resolved, and
    # what those stages find is reported with what validation found.
    problems = list(result.diagnostics) if has_errors(result.diagnostics) else []
    org = getattr(client, "org_id", None)
    journal = Journal(config.state_dir)
    lock = inputs.lock or read_lockfile(config.lockfile, organization=org)
    lock, settled = with_recorded_launches(journal, lock)
    at = inputs.launch_at or now_utc(inputs.now)
    warnings: list[Diagnostic] = []
    rendered = stages.render_all(
        config,
        result.specs,
        lock,
        at,
        inputs.backfill,
        warnings,
        inputs.strict,
        fresh=replace,
        carry=problems,
    )
    keys = {r.key for r in rendered}
    if not problems:  # a key of a spec that failed is not unknown
        _check_keys(keys, replace)
    try:
        desired, notes = _resolved(config, client, rendered)
    except SpecError as e:
        problems.extend(e.diagnostics)
    if problems:
        raise SpecError(sorted(problems, key=Diagnostic.sort_key))
    live = read_live(client, lock, desired) if (client and inputs.refresh) else None
    dups = None
    if client is not None and inputs.refresh and config.provenance:
        dups = recorded_duplicates(client, lock)
    adoptable = None
    if client is not None and config.provenance:
        launches = {d.key: d.request.template_id for d in desired if d.request is not None}
        adoptable = adoptable_runs(inputs.index or RunIndex(client, lock.scans), lock, launches)
    moves = pending_moves(config.moved, lock, keys)
    on_server = client if inputs.names_on_server else None
    known = {*moves, *(adoptable or {})}  # keys whose run is known: moved, or to be adopted
    shown, history = without_history(lock, result.specs, keys, at, config.timezone)
    states = dict(live.states) if live else {}
    if client is not None and not live:
        states.update(orphan_states(client, shown, keys))
    # Launches resolved from snapshots compare by request digest, as online ones do.
    offline = client is None and not any(d.request for d in desired)
    notes = [*notes, *history, *_clashes(on_server, desired, shown, known)]
    observed = Observed(
        states=states or None,
        drift=live.drift if live else None,
        duplicates=dups,
        adoptable=adoptable,
        adopt_changes=adopt_changes(client, adoptable or {}, desired) if client else None,
    )
    planned = make_plan(
        PlanBasis(
            Wanted(desired, at, stages.input_digests(config, result.specs), moves),
            Recorded(shown, frozenset(pending_keys(journal))),
            observed,
            Flags(replace, inputs.prune, offline),
            notes,
        )
    )
    if client is not None:
        planned = edits_from_runs(client, planned)
    planned = narrow(planned, inputs.targets, config.root)
    flags = {
        "prune": inputs.prune,
        "backfill": inputs.backfill,
        "replace": sorted(replace),
        "refresh": inputs.refresh,
    }
    return Planned(evolve(planned, flags=flags), lock, journal, settled, warnings)


def _resolved(
    config: Config, client: Reader | None, rendered: Sequence[Any]
) -> tuple[list[Desired], list[str]]:
    """Resolve online, or offline from the snapshots where there are some."""
    snapshots = SnapshotStore.load(config.snapshots_dir)
    if client is not None:
        return stages.resolve_all(client, rendered, snapshots)
    return resolve_offline(rendered, snapshots)


def _clashes(
    client: Reader | None, desired: Sequence[Desired], lock: Lockfile, known: Collection[str] = ()
) -> list[str]:
    """Same template and name twice in the specs; online, also a name a run already has
    (searched by name, one page per new launch: the history is never read whole). `known`:
    keys whose run is known already (moved under a new key, or found carrying its marker)."""
    found = name_clashes(desired)
    if client is None:
        return found
    recorded = {*lock.entries, *known}
    launches = [d for d in desired if d.request is not None and d.key not in recorded]
    by_name = lambda t, name: client.first_runs(checklist_id=t, q=name)  # noqa: E731
    return [*found, *names_in_use(launches, by_name)]


def without_history(
    lock: Lockfile, specs: Sequence[Spec], wanted: set[str], at: str, zone: str
) -> tuple[Lockfile, list[str]]:
    """`lock` without the keys of other periods of recurring specs, and a note saying so."""
    hidden = history_keys(lock.entries, specs, wanted, at, zone)
    if not hidden:
        return lock, []
    entries = {k: e for k, e in lock.entries.items() if k not in hidden}
    note = f"{len(hidden)} launch(es) of other periods are recorded and not shown (history)"
    return evolve(lock, entries=entries), [note]


def _check_keys(known: set[str], keys: Sequence[str]) -> None:
    unknown = [k for k in keys if k not in known]
    if unknown:
        raise UsageError(f"--replace names no spec: {', '.join(unknown)}")
