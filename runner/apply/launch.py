"""Launching one run exactly once: journal the intent, POST, and read back a lost answer.

Order of durable steps for one launch (the exactly-once protocol):
  1. journal `intent` (fsync, shared with launches appending at the same moment)
  2. POST /runs   3. journal `launched` with the run id (written at once; fsync'd with the next
  intent, or when apply ends)   4. lockfile replaced atomically with the new entry.
A crash between 1 and 3 leaves a pending intent that the next apply reads back from the server
(runner/remote/reconcile.py) before that key may launch again; a crash between 3 and 4 is repaired
from the journal alone (after a power cut that lost 3 too, by reading back, as for 1 to 3).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Protocol

from runner.apply.entries import entry_for, held_name, intent_entry
from runner.apply.events import Event, lost_answer
from runner.apply.ledger import Ledger
from runner.errors import ApiError, IndeterminateError, LaunchspecError
from runner.plan.plan import Action
from runner.remote.ports import RunReader
from runner.remote.reconcile import RunIndex, ambiguity_hint, marker_for, with_marker
from runner.state.journal import Intent, Journal
from runner.state.lockfile import LockEntry

LAUNCH_ATTEMPTS = 3
# Outcomes after which the launch may still be committed later: no answer at all (a cut or
# time-out), or a gateway's 502/504 while the application behind it goes on working.
STILL_WORKING = (None, 502, 504)


class Permit(Protocol):
    """Whether this apply may still write (the shared lease, runner/state/lease.py)."""

    def check(self) -> None:
        """Cheap, before every write: LeaseLostError once the lease is lost or past its deadline."""

    def confirm(self) -> None:
        """After a pause, before launches begin: prove on the remote that the lease is ours."""


class Open:
    """No shared lease (turned off, or no git remote): writes are always permitted."""

    def check(self) -> None:
        pass

    def confirm(self) -> None:
        pass


OPEN = Open()


class LaunchClient(RunReader, Protocol):
    """The calls a launch makes."""

    def launch_run(self, body: Mapping[str, Any]) -> dict[str, Any]: ...


class Launcher:
    """Launches an action's desired run, recording it in the ledger once it is known."""

    def __init__(
        self,
        client: LaunchClient,
        journal: Journal,
        index: RunIndex,
        ledger: Ledger,
        *,
        provenance: bool,
        permit: Permit = OPEN,
    ):
        self.client = client
        self.permit = permit
        self.journal = journal
        self.index = index
        self.ledger = ledger
        self.provenance = provenance

    def launch(self, action: Action) -> bool:
        d = action.desired
        assert d is not None and d.request is not None
        lock = self.ledger.lock
        marker = marker_for(lock.lineage, d.key) if self.provenance else None
        body = dict(d.request.body)
        body["summary"] = with_marker(body.get("summary"), marker)
        parent = d.rendered.parent
        if parent:
            parent_entry = lock.entries.get(parent)
            if parent_entry is None:
                raise LaunchspecError(f"parent {parent!r} has no run yet; launch it first")
            body["parent_id"] = parent_entry.run_id
        entry = entry_for(d, run_id="")
        for _ in range(LAUNCH_ATTEMPTS):
            self.permit.check()  # no launch after the lease's deadline, nor once it is lost
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
                    self.ledger.emit(Event("unknown", d.key, message=lost_answer(e)))
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
            self.ledger.record(d.key, replace(entry, run_id=run_id, name=held_name(run, entry, d)))
            self.ledger.emit(Event("launched", d.key, run_id))
            return True
        self.ledger.emit(
            Event("failed", d.key, message=f"the server failed {LAUNCH_ATTEMPTS} times")
        )
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
        with self.ledger.mutex:
            self.index.forget(entry.template_id)
            found = self.index.find(intent.key, intent.marker or None, intent.entry, intent.at)
        if found.unique and found.exact:
            self.journal.resolved(intent, "read-back", found.unique)
            self.ledger.record(intent.key, replace(entry, run_id=found.unique, adopted=True))
            self.ledger.emit(Event("launched", intent.key, found.unique, "confirmed by read-back"))
            return True
        if found.run_ids:
            why = f"{len(found.run_ids)} runs match its launch: " + ", ".join(found.run_ids)
            why += "; " + ambiguity_hint(intent.key, found.run_ids)
            self.ledger.emit(Event("unknown", intent.key, message=why))
            return False
        return None
