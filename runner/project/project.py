"""Runs the stages in order (load, check, render, resolve, plan): one function per command."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from dataclasses import replace as evolve
from datetime import datetime
from pathlib import Path
from typing import Any

from runner.apply import duplicates
from runner.apply.apply import Applier
from runner.apply.events import ApplyResult, Event
from runner.apply.launch import OPEN
from runner.apply.reconcile import RunIndex, Settled, ambiguity_hint
from runner.apply.recovery import pending_keys, settle_pending, with_recorded_launches
from runner.diagnostics import Diagnostic, has_errors
from runner.errors import (
    AmbiguousLaunchError,
    SpecError,
    UsageError,
)
from runner.plan.clashes import name_clashes, names_in_use
from runner.plan.plan import Desired, Plan, make_plan
from runner.project import stages
from runner.project.guards import check_fresh, check_limit, check_secrets, load_saved_plan
from runner.project.refresh import read_live
from runner.project.sharing import folder_of, shared_lease
from runner.project.targets import narrow

# Re-exported: `validate` lives apart so that the command imports none of plan or apply.
from runner.project.validation import ValidationResult as ValidationResult
from runner.project.validation import now_utc as now_utc
from runner.project.validation import spec_files as spec_files
from runner.project.validation import validate as validate
from runner.render.expand import split_history
from runner.specs.config import Config
from runner.state.journal import Journal
from runner.state.lease import Clock
from runner.state.lockfile import Lockfile, exclusive, read_lockfile, write_lockfile
from runner.templates.snapshots import SnapshotStore

# -- plan ---------------------------------------------------------------------------------


@dataclass
class Planned:
    """A plan and what it was computed from; apply goes on from here."""

    plan: Plan
    lock: Lockfile
    journal: Journal
    settled: list[Settled] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)  # at the spec's line


def plan(
    config: Config,
    client: Any | None,
    *,
    replace: Sequence[str] = (),
    prune: bool = False,
    refresh: bool = False,
    launch_at: str | None = None,
    lock: Lockfile | None = None,
    now: datetime | None = None,
    backfill: int = 0,
    strict: bool = False,
    targets: Sequence[str] = (),
    index: RunIndex | None = None,
    names_on_server: bool = True,
) -> Planned:
    """Validate, render, resolve (when `client` is given) and compare with the lockfile.

    The clock is `launch_at`, else `now`, else the real time; it also picks the current period
    of recurring specs, and `backfill` adds up to that many earlier periods.
    """
    result = validate(config, fields=False)  # resolved below: online, or from the snapshots
    # Every problem in one run: the specs that passed go on to be rendered and resolved, and
    # what those stages find is reported with what validation found.
    problems = list(result.diagnostics) if has_errors(result.diagnostics) else []
    org = getattr(client, "org_id", None)
    journal = Journal(config.state_dir)
    if lock is None:
        lock = read_lockfile(config.lockfile, organization=org)
    lock, settled = with_recorded_launches(journal, lock)
    at = launch_at or now_utc(now)
    warnings: list[Diagnostic] = []
    rendered = stages.render_all(
        config, result.specs, lock, at, backfill, warnings, strict, fresh=replace, carry=problems
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
    live = read_live(client, lock, desired) if (client and refresh) else None
    dups = _duplicates(client, lock) if (client and refresh and config.provenance) else None
    adoptable = None
    if client is not None and config.provenance:
        adoptable = duplicates.adoptable(index or RunIndex(client, lock.scans), lock, desired)
    shown, history = split_history(lock, result.specs, keys, at, config.timezone)
    planned = make_plan(
        desired,
        shown,
        launch_at=at,
        inputs=stages.input_digests(config, result.specs),
        pending=pending_keys(journal),
        live=live.states if live else None,
        drift=live.drift if live else None,
        replace=replace,
        prune=prune,
        # Launches resolved from snapshots compare by request digest, as online ones do.
        offline=client is None and not any(d.request for d in desired),
        notes=[*notes, *history, *_clashes(client if names_on_server else None, desired, shown)],
        duplicates=dups,
        adoptable=adoptable,
    )
    planned = narrow(planned, targets, config.root)
    return Planned(planned, lock, journal, settled, warnings)


def _resolved(
    config: Config, client: Any | None, rendered: Sequence[Any]
) -> tuple[list[Desired], list[str]]:
    """Resolve online, or offline from the snapshots where there are some."""
    snapshots = SnapshotStore.load(config.snapshots_dir)
    if client is not None:
        return stages.resolve_all(client, rendered, snapshots)
    return stages.offline(rendered, snapshots)


def _clashes(client: Any | None, desired: Sequence[Desired], lock: Lockfile) -> list[str]:
    """Same template and name twice in the specs; online, also a name a run already has
    (searched by name, one page per new launch: the history is never read whole)."""
    found = name_clashes(desired)
    if client is None:
        return found
    launches = [d for d in desired if d.request is not None and d.key not in lock.entries]
    by_name = lambda t, name: client.first_runs(checklist_id=t, q=name)  # noqa: E731
    return [*found, *names_in_use(launches, by_name)]


def _duplicates(client: Any, lock: Lockfile) -> dict[str, tuple[str, ...]]:
    keys = {k: e.template_id for k, e in lock.entries.items()}
    return duplicates.find(RunIndex(client), lock.lineage, keys)


def _check_keys(known: set[str], keys: Sequence[str]) -> None:
    unknown = [k for k in keys if k not in known]
    if unknown:
        raise UsageError(f"--replace names no spec: {', '.join(unknown)}")


# -- apply --------------------------------------------------------------------------------


@dataclass
class ApplyOptions:
    """How apply may act: what to replace or prune, how much, how fast."""

    replace: Sequence[str] = ()
    targets: Sequence[str] = ()
    prune: bool = False
    concurrency: int = 8
    max_launches: int | None = None  # None: the configuration's limit
    lock_timeout: float = 0.0
    no_lease: bool = False  # rely on this checkout's lock alone
    dedupe: bool = False  # archive duplicate runs of a key, keeping one
    plan_file: Path | None = None
    backfill: int = 0  # earlier periods of recurring specs to launch when missed
    now: datetime | None = None  # the clock, for tests and demos; a saved plan's time wins
    lease_clock: Clock | None = None  # the shared lease's clocks, for tests


@dataclass
class Applied:
    """The plan apply executed, and what happened."""

    planned: Planned
    result: ApplyResult
    settled: list[Settled]


def apply(
    config: Config,
    client: Any,
    options: ApplyOptions,
    *,
    confirm: Callable[[Plan], bool] = lambda plan: True,
    on_event: Callable[[Event], None] = lambda e: None,
    on_wait: Callable[[str], None] | None = None,
    on_note: Callable[[str], None] = lambda note: None,
    stop: threading.Event | None = None,
) -> Applied:
    """Settle the journal, plan, check limits and staleness, ask, then execute."""
    stop = stop or threading.Event()
    spec_files(config)  # no spec files: say so before a lock or a lockfile is written
    with (
        exclusive(config.state_dir, options.lock_timeout, on_wait),
        shared_lease(config, options, on_wait, on_note, stop, client.org_id) as lease,
    ):
        saved = load_saved_plan(options.plan_file) if options.plan_file else None
        lock, settled = _settle(config, client, on_note, stop, folder_of(lease))
        if options.dedupe:
            lock = duplicates.dedupe(client, lock, on_event)
            write_lockfile(config.lockfile, lock)
        index = RunIndex(client, lock.scans)  # one read of each template's runs for all checks
        planned = plan(
            config,
            client,
            replace=options.replace,
            prune=options.prune,
            launch_at=saved["launch_at"] if saved else None,
            lock=lock,
            now=options.now,
            backfill=options.backfill,
            targets=options.targets or ((saved.get("targets") or ()) if saved else ()),
            index=index,
            names_on_server=False,  # a plan's warning; apply reads only what exactly-once needs
        )
        if saved is not None:
            check_fresh(saved, planned.plan)
        check_limit(planned.plan, options.max_launches or config.max_launches)
        check_secrets(planned.plan)
        result = ApplyResult(lock=planned.lock)
        if planned.plan.has_changes and confirm(planned.plan):
            applier = Applier(
                client,
                planned.lock,
                planned.journal,
                config.lockfile,
                concurrency=options.concurrency,
                provenance=config.provenance,
                on_event=on_event,
                stop=stop,
                index=index,
                permit=lease or OPEN,
            )
            if lease is not None:  # the client's own retries of a write ask the lease too
                client.permit_writes(lease.check)
            result = applier.run(planned.plan)
        _finish(config, planned.journal, result)
        return Applied(planned, result, settled + planned.settled)


def _settle(
    config: Config,
    client: Any,
    on_note: Callable[[str], None],
    stop: threading.Event,
    folder: str | None = None,
) -> tuple[Lockfile, list[Settled]]:
    """Record what the journal knows and read back every launch whose outcome is unknown;
    a new lockfile gets its organisation and, under the lease, its project folder."""
    journal = Journal(config.state_dir)
    lock = read_lockfile(config.lockfile, organization=client.org_id)
    before = lock.serial
    lock, recovered = with_recorded_launches(journal, lock)
    age = config.settle_seconds
    lock, read_back = settle_pending(journal, lock, RunIndex(client), min_age=age)
    young = [s for s in read_back if s.how == "young"]
    if young:
        wait = max(s.wait for s in young)
        keys = ", ".join(s.key for s in young)
        on_note(
            f"the answer to an earlier launch of {keys} was lost and its run is not on the "
            f"server yet; waiting {wait:.0f} s for the server to settle before reading it "
            "back (limits.settle_seconds)"
        )
        stop.wait(wait)
        lock, again = settle_pending(journal, lock, RunIndex(client), min_age=age)
        read_back = [s for s in read_back if s.how != "young"] + again
    if lock.organization is None:
        lock = evolve(lock, organization=client.org_id)
    if lock.project is None and folder is not None:
        lock = evolve(lock, project=folder)
    if lock.serial != before:  # recovered or settled runs: durable before anything else
        write_lockfile(config.lockfile, lock)
    ambiguous = [s for s in read_back if s.how == "ambiguous"]
    if ambiguous:
        first = ambiguous[0]
        raise AmbiguousLaunchError(
            f"cannot tell whether {first.key!r} was launched: {len(first.candidates)} runs "
            f"on the server match its journal record",
            hint=ambiguity_hint(first.key, first.candidates),
        )
    return lock, recovered + read_back


def _finish(config: Config, journal: Journal, result: ApplyResult) -> None:
    if result.lock is not None and not journal.pending():
        journal.compact()
