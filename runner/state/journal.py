"""The launch journal: an fsync'd intent before every launch, so no outcome is ever forgotten.

Each line is one JSON record. `intent` is written (and fsync'd) before the POST; `launched`
after the run id is known (made durable by the next fsync: a power cut before it leaves the
intent pending, read back like any other); `failed` when the server definitely refused
(nothing was created); `resolved` when reconciliation or a person settled an intent. An
intent with none of those after it is *pending*: its launch may or may not have happened and
must be read back from the server before that key is launched again.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runner.errors import JournalError
from runner.state.formats import NEEDS, Format
from runner.state.fsutil import append_line, atomic_write, fsync_dir, fsync_file
from runner.state.stateschema import journal_problem

JOURNAL_FILE = "journal.jsonl"
# Each line carries its format (lines from before 0.1.0 carry none: they are format 1), so an
# append-only file can hold lines of several releases and none needs rewriting.
JOURNAL = Format("journal line", "format_version", 1, {1: "0.1.0"}, unversioned=1,
                 error=JournalError)
DAMAGED_HINT = (
    "the journal holds launches that may be in flight, so nothing is sent until it is sound: "
    "restore the line, or move the file aside and run `launchspec plan --refresh` to see what "
    "the server holds"
)


@dataclass(frozen=True)
class Intent:
    """A launch that was about to be sent."""

    attempt: str
    key: str
    marker: str  # provenance marker sent in the run's summary
    entry: Mapping[str, Any]  # the lock entry to record, all but its run id
    at: float  # wall-clock time the intent was written

    def to_json(self) -> dict[str, Any]:
        return {
            "op": "intent",
            "attempt": self.attempt,
            "key": self.key,
            "marker": self.marker,
            "entry": dict(self.entry),
            "at": self.at,
        }

    @classmethod
    def from_json(cls, rec: Mapping[str, Any]) -> Intent:
        return cls(rec["attempt"], rec["key"], rec["marker"], rec["entry"], float(rec["at"]))


class Journal:
    """Append-only, fsync'd record of launch attempts under the state directory."""

    def __init__(self, state_dir: Path):
        self.path = state_dir / JOURNAL_FILE
        self._write_lock = threading.Lock()
        self._sync_lock = threading.Lock()
        self._written = 0  # appends made by this process
        self._synced = 0  # of which durable
        self._new_file = False  # created by an append whose directory entry is not yet durable

    def intent(self, key: str, marker: str, entry: Mapping[str, Any]) -> Intent:
        record = Intent(uuid.uuid4().hex, key, marker, dict(entry), time.time())
        self._append(record.to_json())
        return record

    def record_launch(self, intent: Intent, run_id: str) -> None:
        """Written at once, made durable by the next fsync (another launch's intent, or `sync`
        when the apply ends): until then a power cut only means reading the launch back by its
        marker, as for a launch whose answer was lost."""
        self._append(
            {"op": "launched", "attempt": intent.attempt, "key": intent.key, "run_id": run_id},
            durable=False,
        )

    def failed(self, intent: Intent, reason: str) -> None:
        self._append(
            {"op": "failed", "attempt": intent.attempt, "key": intent.key, "reason": reason}
        )

    def resolved(self, intent: Intent, how: str, run_id: str | None = None) -> None:
        self._append(
            {
                "op": "resolved",
                "attempt": intent.attempt,
                "key": intent.key,
                "how": how,
                "run_id": run_id,
            }
        )

    def sync(self) -> None:
        """Make every record appended so far durable."""
        with self._sync_lock:
            self._sync_locked()

    def _sync_locked(self) -> None:
        with self._write_lock:
            upto, new = self._written, self._new_file
        if upto <= self._synced:
            return
        fsync_file(self.path)
        if new:
            fsync_dir(self.path.parent)
            self._new_file = False
        self._synced = upto

    def _append(self, record: Mapping[str, Any], durable: bool = True) -> None:
        """Append `record` and, when `durable`, return once it is durable.

        Group commit: threads appending at once share one fsync. An fsync started after this
        record was written covers it, so each waits only for the first such fsync.
        """
        line = _encode(record)
        with self._write_lock:
            self._new_file |= append_line(self.path, line)
            self._written += 1
            mine = self._written
        if not durable:
            return
        with self._sync_lock:
            if self._synced < mine:  # else another thread's fsync began after our write
                self._sync_locked()

    def records(self) -> list[dict[str, Any]]:
        """Every complete record; a torn last line (crash mid-write) is ignored."""
        if not self.path.exists():
            return []
        out = []
        lines = self.path.read_bytes().splitlines()
        for number, line in enumerate(lines, 1):
            try:
                rec = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError):
                # A torn append (a crash mid-write): a cut-off object never parses, and later
                # appends start on a new line after it. Anything that parses is checked.
                continue
            if isinstance(rec, dict):  # the format first: a newer line may look damaged
                rec = JOURNAL.upgrade(rec, f"{self.path}:{number}")
                rec = {k: v for k, v in rec.items() if k not in (JOURNAL.key, NEEDS)}
            damage = journal_problem(rec) if isinstance(rec, dict) else "not a JSON object"
            if damage:
                raise JournalError(
                    f"{self.path}:{number}: damaged journal line ({damage})",
                    hint=DAMAGED_HINT,
                )
            out.append(rec)
        return out

    def pending(self) -> list[Intent]:
        """Intents with no outcome recorded, oldest first."""
        return [i for i, run_id in self._outcomes() if run_id is None]

    def launched(self) -> list[tuple[Intent, str]]:
        """Intents whose run id is known (answered, read back or imported), to recover a lost
        lockfile write."""
        return [(i, run_id) for i, run_id in self._outcomes() if run_id]

    def _outcomes(self) -> list[tuple[Intent, str | None]]:
        intents: dict[str, Intent] = {}
        outcome: dict[str, str | None] = {}
        for rec in self.records():
            op, attempt = rec.get("op"), rec["attempt"]
            if op == "intent":
                intents[attempt] = Intent.from_json(rec)
                outcome[attempt] = None
            elif op == "launched" or (op == "resolved" and rec.get("run_id")):
                # A read-back or an import names the run too: recover it like a launch answer.
                outcome[attempt] = str(rec["run_id"])
            else:
                outcome[attempt] = ""  # settled without a run to recover
        ordered = sorted(intents.values(), key=lambda i: i.at)
        return [(i, outcome[i.attempt]) for i in ordered]

    def compact(self) -> None:
        """Drop settled records, keeping pending intents (done after a clean apply)."""
        pending = self.pending()
        if not pending:
            if self.path.exists():
                self.path.unlink()
            return
        atomic_write(self.path, b"".join(_encode(i.to_json()) for i in pending))


def _encode(record: Mapping[str, Any]) -> bytes:
    """One journal line: the record with its format, compact, keys sorted."""
    doc = {**record, **JOURNAL.stamp()}
    return (json.dumps(doc, sort_keys=True, separators=(",", ":")) + "\n").encode()
