"""Runs the stages in order (load, check, render, resolve, plan): one function per command."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from dataclasses import replace as evolve
from datetime import datetime
from pathlib import Path
from typing import Any

from runner.apply.apply import Applier
from runner.apply.duplicates import dedupe
from runner.apply.events import ApplyResult, Event
from runner.apply.launch import OPEN
from runner.errors import (
    AmbiguousLaunchError,
)
from runner.plan.plan import Plan
from runner.project.guards import (
    check_fresh,
    check_limit,
    check_secrets,
    load_saved_plan,
    saved_flags,
)

# Re-exported: `plan` and `validate` live apart so that they import nothing of the applier
# (and `validate` nothing of plan).
from runner.project.planning import PlanInputs as PlanInputs
from runner.project.planning import Planned as Planned
from runner.project.planning import plan as plan
from runner.project.planning import without_history as without_history
from runner.project.sharing import folder_of, shared_lease
from runner.project.validation import ValidationResult as ValidationResult
from runner.project.validation import now_utc as now_utc
from runner.project.validation import spec_files as spec_files
from runner.project.validation import validate as validate
from runner.remote.ports import Reader, Tallyfy
from runner.remote.reconcile import RunIndex, Settled, ambiguity_hint
from runner.remote.recovery import settle_pending, with_recorded_launches
from runner.specs.config import Config
from runner.state.journal import Journal
from runner.state.lease import Clock
from runner.state.lockfile import Lockfile, exclusive, read_lockfile, write_lockfile

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
    client: Tallyfy,
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
        flags = saved_flags(saved, _given(options)) if saved else _given(options)
        lock, settled = _settle(config, client, on_note, stop, folder_of(lease))
        deduped: list[Event] = []  # counted in the summary with what the plan does

        def said(event: Event) -> None:
            deduped.append(event)
            on_event(event)

        if options.dedupe:
            lock = dedupe(client, lock, said)
            write_lockfile(config.lockfile, lock)
        index = RunIndex(client, lock.scans)  # one read of each template's runs for all checks
        planned = plan(
            PlanInputs(
                config,
                client,
                launch_at=saved["launch_at"] if saved else None,
                lock=lock,
                now=options.now,
                index=index,
                names_on_server=False,  # a plan's warning; apply reads only what exactly-once needs
                **flags,
            )
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
            try:
                result = applier.run(planned.plan)
            finally:
                if lease is not None:
                    client.permit_writes(None)  # the lease is released when this block ends
        result.events[:0] = deduped
        _finish(config, planned.journal, result)
        return Applied(planned, result, settled + planned.settled)


def _given(options: ApplyOptions) -> dict[str, Any]:
    """The flags given to apply that shape its plan, as `plan` takes them."""
    return {
        "prune": options.prune,
        "backfill": options.backfill,
        "replace": tuple(options.replace),
        "targets": tuple(options.targets),
        "refresh": False,  # apply reads back what exactly-once needs, not every run
    }


def _settle(
    config: Config,
    client: Reader,
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
