"""Executes a Plan: parents before children, `concurrency` at a time, each action once.

Launches go through runner/apply/launch.py (the exactly-once protocol); run ids are recorded
in the lockfile through runner/apply/ledger.py.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import replace
from typing import Any

from runner.apply import duplicates
from runner.apply.entries import adopted_entry, entry_for
from runner.apply.events import ApplyResult, Event
from runner.apply.launch import OPEN, Launcher, Permit
from runner.apply.ledger import Ledger
from runner.apply.moves import move_run, without_old_markers
from runner.apply.schedule import Schedule
from runner.errors import LaunchspecError, LeaseLostError
from runner.plan.plan import Action, Plan
from runner.remote.ports import RunWriter
from runner.remote.reconcile import RunIndex, ambiguity_hint, marker_for, with_marker
from runner.state.journal import Journal
from runner.state.lockfile import LockEntry, Lockfile


class Applier:
    """Runs a plan's acting actions, parents before children, `concurrency` at a time."""

    def __init__(
        self,
        client: RunWriter,
        lock: Lockfile,
        journal: Journal,
        lock_path: Any,
        *,
        concurrency: int = 8,
        provenance: bool = True,
        on_event: Callable[[Event], None] = lambda e: None,
        stop: threading.Event | None = None,
        index: RunIndex | None = None,
        permit: Permit = OPEN,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.client = client
        self.permit = permit
        self.journal = journal
        self.concurrency = max(1, concurrency)
        self.provenance = provenance
        self.stop = stop or threading.Event()
        self._ledger = Ledger(lock, lock_path, on_event, clock)  # the clock spaces its writes
        self._index = index or RunIndex(client, lock.scans)
        self._moved: list[tuple[str, str]] = []  # (old key, run id) of the runs moved
        self._launcher = Launcher(
            client, journal, self._index, self._ledger, provenance=provenance, permit=permit
        )

    @property
    def lock(self) -> Lockfile:
        """The lockfile as recorded so far."""
        return self._ledger.lock

    @property
    def result(self) -> ApplyResult:
        return self._ledger.result

    def run(self, plan: Plan) -> ApplyResult:
        started = time.monotonic()
        try:
            left = self._execute(plan)
            self._check_duplicates()
            self._keep_scans()
        finally:
            self.result.seconds = time.monotonic() - started
            self.journal.sync()  # the answers' records, written but not each fsync'd
            self._ledger.close()
        if self.stop.is_set():  # stopped by a lost lease, or by a signal: say which
            self._permitted(self.permit.check)
        # Stopped with nothing left undone (SIGINT as the last launch was answered): complete.
        self.result.interrupted = self.stop.is_set() and left
        self.result.lock = self.lock
        return self.result

    def _keep_scans(self) -> None:
        """Record how far back each template's runs were read, so the next apply reads only
        newer ones (docs/scaling.md)."""
        if not self.provenance:
            return
        with self._ledger.mutex:
            recorded = {k: e.run_id for k, e in self.lock.entries.items()}
            scans = self._index.updated_scans(self.lock.lineage, recorded)
            self._ledger.add_scans(without_old_markers(scans, self.lock.lineage, self._moved))

    def _check_duplicates(self) -> None:
        """Two runs for a key just launched: another machine launched it too. Reported."""
        if self.provenance:
            for event in duplicates.after_launches(self._index, self.lock, self.result.events):
                self._emit(event)

    def _execute(self, plan: Plan) -> bool:
        """Run the plan's acting actions; whether a stop left some of them undone."""
        schedule = Schedule(self._preflight([a for a in plan.actions if a.acts]))
        if schedule and not self._permitted(self.permit.confirm):
            self._skip_all(schedule.drain(), "not started: the shared lease is lost")
            return True
        left = False
        with ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="apply") as pool:
            running: dict[Future[bool], Action] = {}
            while schedule or running:
                # Submit no more than there are workers: whatever waits in the pool's queue
                # could not be stopped by SIGINT/SIGTERM, and would launch after the stop.
                free = self.concurrency - len(running)
                for action in [] if self.stop.is_set() else schedule.take(max(0, free)):
                    running[pool.submit(self._one, action, plan)] = action
                if not running:
                    break
                finished, _ = wait(running, timeout=0.5, return_when=FIRST_COMPLETED)
                for fut in finished:
                    action = running.pop(fut)
                    for child, parent in schedule.finished(action.key, fut.result()):
                        self._emit(Event("skipped", child.key, message=f"parent {parent} failed"))
                if self.stop.is_set():
                    undone = schedule.drain()
                    left = left or bool(undone)
                    self._skip_all(undone, "interrupted before it started")
        return left or bool(schedule)

    def _preflight(self, actions: list[Action]) -> list[Action]:
        """Before launching a key, look for a run that already carries its marker.

        The journal lives on one machine; a CI runner that died takes it along. Reading the
        server first means a lost journal or an unpushed lockfile never causes a second launch.
        """
        if not self.provenance:
            return actions
        todo = []
        for action in actions:
            d = action.desired
            if action.verb != "create" or d is None or d.request is None:
                todo.append(action)
                continue
            marker = marker_for(self.lock.lineage, d.key)
            found = self._index.find(d.key, marker, {"template_id": d.request.template_id}, 0)
            foreign = self._index.foreign(d.request.template_id, d.key, self.lock.lineage)
            if found.unique:
                self._record(d.key, replace(entry_for(d, found.unique), adopted=True))
                self._emit(Event("adopted", d.key, found.unique, "found on the server"))
            elif found.run_ids or foreign:
                ids = found.run_ids + foreign
                why = f"runs already carry this key's marker: {', '.join(ids)}; "
                why += ambiguity_hint(d.key, ids)
                self._emit(Event("unknown", d.key, message=why))
            else:
                todo.append(action)
        return todo

    def _skip_all(self, todo: list[Action], why: str) -> list[Action]:
        for action in todo:
            self._emit(Event("skipped", action.key, message=why))
        return []

    def _permitted(self, ask: Callable[[], None]) -> bool:
        """Ask the lease; once it refuses, stop: no write is sent after that."""
        try:
            ask()
        except LeaseLostError as e:
            self._halt(e)
            return False
        return True

    def _halt(self, error: LeaseLostError) -> None:
        self.result.halt = self.result.halt or error
        self.stop.set()

    def _one(self, action: Action, plan: Plan) -> bool:
        if not self._permitted(self.permit.check):
            self._emit(Event("skipped", action.key, message="not sent: the shared lease is lost"))
            return False
        try:
            if action.verb == "create":
                return self._launcher.launch(action)
            if action.verb == "adopt":
                return self._adopt(action)
            if action.verb == "move":
                return self._move(action)
            if action.verb == "replace":
                return self._archive(action, keep=True) and self._launcher.launch(action)
            if action.verb == "update":
                return self._update(action)
            if action.verb == "archive":
                return self._archive(action, keep=False)
        except LeaseLostError as e:  # between a replacement's archive and its launch, say
            self._halt(e)
            self._emit(Event("skipped", action.key, message="not sent: the shared lease is lost"))
            return False
        except LaunchspecError as e:
            self._emit(Event("failed", action.key, message=str(e)))
            return False
        return True

    def _adopt(self, action: Action) -> bool:
        d = action.desired
        assert d is not None and action.run_id is not None
        self._record(d.key, adopted_entry(d, action.run_id, action.changes))
        said = "found on the server" + (", differing from the spec" if action.changes else "")
        self._emit(Event("adopted", d.key, action.run_id, said))
        return True

    def _move(self, action: Action) -> bool:
        old, run_id = move_run(self.client, self.journal, self._ledger, action, self.provenance)
        self._moved.append((old, run_id))
        self._emit(Event("moved", action.key, run_id, f"from {old}"))
        return True

    # -- update / archive -----------------------------------------------------------------
    def _update(self, action: Action) -> bool:
        d, entry = action.desired, action.entry
        assert d is not None and d.request is not None and entry is not None
        fields = dict(d.request.updatable)
        marker = marker_for(self.lock.lineage, d.key) if self.provenance else None
        fields["summary"] = with_marker(fields.get("summary"), marker)
        self.client.update_run(entry.run_id, fields)
        new = entry_for(d, entry.run_id)
        if action.reason == "edited":
            # The run keeps what it was launched with: so must its record, or the edit is lost.
            new = replace(
                new,
                template_id=entry.template_id,
                digest=entry.digest,
                source_digest=entry.source_digest,
                launched=entry.launched,
            )
        self._record(d.key, replace(new, launched_at=entry.launched_at, adopted=entry.adopted))
        self._emit(Event("updated", d.key, entry.run_id))
        return True

    def _archive(self, action: Action, *, keep: bool) -> bool:
        entry = action.entry
        assert entry is not None
        if action.run_state is not None:  # archived (or deleted) in Tallyfy already
            self._ledger.archived(action.key, entry.run_id, drop=True)
            why = f"its run was already {action.run_state} in Tallyfy; dropped from the lockfile"
            self._emit(Event("dropped", action.key, entry.run_id, why))
            return True
        self.client.archive_run(entry.run_id)
        if not keep:
            # Close the key's journalled launches, or recovery would record the run again.
            for intent, _ in self.journal.launched():
                if intent.key == action.key:
                    self.journal.resolved(intent, "archived")
        self._ledger.archived(action.key, entry.run_id, drop=not keep)
        self._emit(Event("archived", action.key, entry.run_id))
        return True

    def _record(self, key: str, entry: LockEntry) -> None:
        self._ledger.record(key, entry)

    def _emit(self, event: Event) -> None:
        self._ledger.emit(event)
