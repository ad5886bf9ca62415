"""Executes a Plan: journal each launch, call the API, record run ids in the lockfile.

Order of durable steps for one launch (the exactly-once protocol):
  1. journal `intent` (fsync)   2. POST /runs   3. journal `launched` with the run id (fsync)
  4. lockfile replaced atomically with the new entry.
A crash between 1 and 3 leaves a pending intent that the next apply reads back from the server
(runner/apply/reconcile.py) before that key may launch again; a crash between 3 and 4 is repaired
from the journal alone.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import replace
from typing import Any, Protocol

from runner.apply import duplicates
from runner.apply.entries import entry_for, held_name, intent_entry
from runner.apply.events import ApplyResult, Event, lost_answer
from runner.apply.reconcile import RunIndex, ambiguity_hint, marker_for, with_marker
from runner.errors import ApiError, IndeterminateError, LaunchspecError
from runner.plan.plan import Action, Plan
from runner.state.journal import Intent, Journal
from runner.state.lockfile import LockEntry, Lockfile, write_lockfile

LAUNCH_ATTEMPTS = 3
FLUSH_SECONDS = 0.25
# Outcomes after which the launch may still be committed later: no answer at all (a cut or
# time-out), or a gateway's 502/504 while the application behind it goes on working.
STILL_WORKING = (None, 502, 504)


class ApiClient(Protocol):
    """The calls apply makes; runner.client.client.TallyfyClient provides them."""

    def launch_run(self, body: Mapping[str, Any]) -> dict[str, Any]: ...
    def update_run(self, run_id: str, fields: Mapping[str, Any]) -> dict[str, Any]: ...
    def archive_run(self, run_id: str) -> dict[str, Any]: ...
    def list_runs(self, **filters: str | int | bool) -> Any: ...


class Applier:
    """Runs a plan's acting actions, parents before children, `concurrency` at a time."""

    def __init__(
        self,
        client: ApiClient,
        lock: Lockfile,
        journal: Journal,
        lock_path: Any,
        *,
        concurrency: int = 8,
        provenance: bool = True,
        on_event: Callable[[Event], None] = lambda e: None,
        stop: threading.Event | None = None,
        index: RunIndex | None = None,
    ):
        self.client = client
        self.lock = lock
        self.journal = journal
        self.lock_path = lock_path
        self.concurrency = max(1, concurrency)
        self.provenance = provenance
        self.on_event = on_event
        self.stop = stop or threading.Event()
        self.result = ApplyResult()
        self._mutex = threading.Lock()
        self._written_at = 0.0
        self._dirty = False
        self._index = index or RunIndex(client, lock.scans)

    def run(self, plan: Plan) -> ApplyResult:
        started = time.monotonic()
        try:
            self._execute(plan)
            self._check_duplicates()
            self._keep_scans()
        finally:
            self.result.seconds = time.monotonic() - started
            self.journal.sync()  # the answers' records, written but not each fsync'd
            with self._mutex:
                if self._dirty:
                    self._flush(force=True)
        self.result.interrupted = self.stop.is_set()
        self.result.lock = self.lock
        return self.result

    def _keep_scans(self) -> None:
        """Record how far back each template's runs were read, so the next apply reads only
        newer ones (docs/scaling.md)."""
        if not self.provenance:
            return
        with self._mutex:
            recorded = {k: e.run_id for k, e in self.lock.entries.items()}
            scans = self._index.updated_scans(self.lock.lineage, recorded)
            if scans:
                self.lock = replace(self.lock, scans={**self.lock.scans, **scans})
                self._dirty = True

    def _check_duplicates(self) -> None:
        """Two runs for a key just launched: another machine launched it too. Reported."""
        if self.provenance:
            for event in duplicates.after_launches(self._index, self.lock, self.result.events):
                self._emit(event)

    def _execute(self, plan: Plan) -> None:
        todo = self._preflight([a for a in plan.actions if a.acts])
        done_ok: set[str] = set()
        failed: set[str] = set()
        with ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="apply") as pool:
            running: dict[Future[bool], Action] = {}
            while todo or running:
                # Submit no more than there are workers: whatever waits in the pool's queue
                # could not be stopped by SIGINT/SIGTERM, and would launch after the stop.
                free = self.concurrency - len(running)
                for action in self._ready(todo, done_ok, failed, running)[: max(0, free)]:
                    todo.remove(action)
                    running[pool.submit(self._one, action, plan)] = action
                if not running:
                    break
                finished, _ = wait(running, timeout=0.5, return_when=FIRST_COMPLETED)
                for fut in finished:
                    action = running.pop(fut)
                    (done_ok if fut.result() else failed).add(action.key)
                if self.stop.is_set():
                    todo = self._skip_all(todo, "interrupted before it started")

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
            if action.kind != "launch" or d is None or d.request is None:
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

    def _ready(
        self, todo: list[Action], ok: set[str], failed: set[str], running: Mapping[Any, Action]
    ) -> list[Action]:
        busy = {a.key for a in running.values()}
        ready = []
        for action in list(todo):
            parent = action.desired.rendered.parent if action.desired else None
            if parent in failed:
                todo.remove(action)
                failed.add(action.key)
                self._emit(Event("skipped", action.key, message=f"parent {parent} failed"))
            elif parent is None or parent in ok or not self._in_plan(parent, todo, busy):
                ready.append(action)
        return [] if self.stop.is_set() else ready

    @staticmethod
    def _in_plan(parent: str, todo: list[Action], busy: set[str]) -> bool:
        return parent in busy or any(a.key == parent for a in todo)

    def _skip_all(self, todo: list[Action], why: str) -> list[Action]:
        for action in todo:
            self._emit(Event("skipped", action.key, message=why))
        return []

    def _one(self, action: Action, plan: Plan) -> bool:
        try:
            if action.kind == "launch":
                return self._launch(action)
            if action.kind == "adopt":
                return self._adopt(action)
            if action.kind == "replace":
                return self._archive(action, keep=True) and self._launch(action)
            if action.kind == "update" or action.updates_in_place:
                return self._update(action)
            if action.kind == "archive":
                return self._archive(action, keep=False)
        except LaunchspecError as e:
            self._emit(Event("failed", action.key, message=str(e)))
            return False
        return True

    def _adopt(self, action: Action) -> bool:
        d = action.desired
        assert d is not None and action.run_id is not None
        self._record(d.key, replace(entry_for(d, action.run_id), adopted=True))
        self._emit(Event("adopted", d.key, action.run_id, "found on the server"))
        return True

    # -- launch ---------------------------------------------------------------------------
    def _launch(self, action: Action) -> bool:
        d = action.desired
        assert d is not None and d.request is not None
        marker = marker_for(self.lock.lineage, d.key) if self.provenance else None
        body = dict(d.request.body)
        body["summary"] = with_marker(body.get("summary"), marker)
        parent = d.rendered.parent
        if parent:
            parent_entry = self.lock.entries.get(parent)
            if parent_entry is None:
                raise LaunchspecError(f"parent {parent!r} has no run yet; launch it first")
            body["parent_id"] = parent_entry.run_id
        entry = entry_for(d, run_id="")
        for _ in range(LAUNCH_ATTEMPTS):
            intent = self.journal.intent(d.key, marker or "", intent_entry(d, entry))
            try:
                run = self.client.launch_run(body)
            except IndeterminateError as e:
                found = self._read_back(intent, entry)
                if found is not None:
                    return found
                if e.status in STILL_WORKING or not marker:
                    # A cut, a time-out, or a gateway that gave up: the server may still be
                    # working on it, so its absence now proves nothing.
                    self._emit(Event("unknown", d.key, message=lost_answer(e)))
                    return False
                # The application itself answered 5xx and no run carries the marker: it did
                # not happen; try again.
                self.journal.resolved(intent, "not-launched")
                continue
            except ApiError as e:
                # An error answer does not prove that nothing was made (a server may commit
                # and still answer 4xx): read back first, as for a lost answer.
                found = self._read_back_quietly(intent, entry, e)
                if found is not None:
                    return found
                self.journal.failed(intent, f"HTTP {e.status}")
                raise
            run_id = str(run["id"])
            self.journal.record_launch(intent, run_id)
            self._record(d.key, replace(entry, run_id=run_id, name=held_name(run, entry, d)))
            self._emit(Event("launched", d.key, run_id))
            return True
        self._emit(Event("failed", d.key, message=f"the server failed {LAUNCH_ATTEMPTS} times"))
        return False

    def _read_back_quietly(self, intent: Intent, entry: LockEntry, error: ApiError) -> bool | None:
        """`_read_back` after an error answer; None when reading cannot help (a rejected token,
        or the read fails too: the launch's own error is the one to show)."""
        if error.status in (401, 429):
            return None
        try:
            return self._read_back(intent, entry)
        except ApiError:
            return None

    def _read_back(self, intent: Intent, entry: LockEntry) -> bool | None:
        """The POST's answer was lost: look for the run before deciding anything.

        True: found and recorded. False: several candidates (a person must decide).
        None: nothing carries the marker.
        """
        with self._mutex:
            self._index.forget(entry.template_id)
            found = self._index.find(intent.key, intent.marker or None, intent.entry, intent.at)
        if found.unique and found.exact:
            self.journal.resolved(intent, "read-back", found.unique)
            self._record(intent.key, replace(entry, run_id=found.unique, adopted=True))
            self._emit(Event("launched", intent.key, found.unique, "confirmed by read-back"))
            return True
        if found.run_ids:
            why = f"{len(found.run_ids)} runs match its launch: " + ", ".join(found.run_ids)
            why += "; " + ambiguity_hint(intent.key, found.run_ids)
            self._emit(Event("unknown", intent.key, message=why))
            return False
        return None

    # -- update / archive -----------------------------------------------------------------
    def _update(self, action: Action) -> bool:
        d, entry = action.desired, action.entry
        assert d is not None and d.request is not None and entry is not None
        fields = dict(d.request.updatable)
        marker = marker_for(self.lock.lineage, d.key) if self.provenance else None
        fields["summary"] = with_marker(fields.get("summary"), marker)
        self.client.update_run(entry.run_id, fields)
        new = entry_for(d, entry.run_id)
        if action.kind == "edited":
            # The run keeps what it was launched with: so must its record, or the edit is lost.
            new = replace(
                new,
                template_id=entry.template_id,
                digest=entry.digest,
                source_digest=entry.source_digest,
            )
        self._record(d.key, replace(new, launched_at=entry.launched_at, adopted=entry.adopted))
        self._emit(Event("updated", d.key, entry.run_id))
        return True

    def _archive(self, action: Action, *, keep: bool) -> bool:
        entry = action.entry
        assert entry is not None
        self.client.archive_run(entry.run_id)
        if not keep:
            # Close the key's journalled launches, or recovery would record the run again.
            for intent, _ in self.journal.launched():
                if intent.key == action.key:
                    self.journal.resolved(intent, "archived")
            with self._mutex:
                self.lock = self.lock.without(action.key)
                self._flush()
        self._emit(Event("archived", action.key, entry.run_id))
        return True

    def _record(self, key: str, entry: LockEntry) -> None:
        with self._mutex:
            self.lock = self.lock.with_entry(key, entry)
            self._flush()

    def _flush(self, force: bool = False) -> None:
        """Replace the lockfile at most every FLUSH_SECONDS (call with the mutex held).

        Rewriting the whole file after every launch costs O(n²) over a large apply. Coalescing
        loses nothing: each run id is already durable in the journal's `launched` record, from
        which the next command rebuilds any entry a crash kept out of the lockfile.
        """
        self._dirty = True
        now = time.monotonic()
        if force or now - self._written_at >= FLUSH_SECONDS:
            write_lockfile(self.lock_path, self.lock)
            self._written_at, self._dirty = now, False

    def _emit(self, event: Event) -> None:
        with self._mutex:
            self.result.events.append(event)
        self.on_event(event)
