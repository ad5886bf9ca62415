"""The launch journal: an fsync'd intent before every launch, so no outcome is ever forgotten.

Each line is one JSON record. `intent` is written (and fsync'd) before the POST; `launched`
after the run id is known; `failed` when the server definitely refused (nothing was created);
`resolved` when reconciliation or a person settled an intent. An intent with none of those
after it is *pending*: its launch may or may not have happened and must be read back from
the server before that key is launched again.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runner.errors import JournalError
from runner.state.fsutil import atomic_write, durable_append
from runner.state.stateschema import journal_problem

JOURNAL_FILE = "journal.jsonl"
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

    def intent(self, key: str, marker: str, entry: Mapping[str, Any]) -> Intent:
        record = Intent(uuid.uuid4().hex, key, marker, dict(entry), time.time())
        self._append(record.to_json())
        return record

    def record_launch(self, intent: Intent, run_id: str) -> None:
        self._append(
            {"op": "launched", "attempt": intent.attempt, "key": intent.key, "run_id": run_id}
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

    def _append(self, record: Mapping[str, Any]) -> None:
        line = json.dumps(record, sort_keys=True, separators=(",", ":")) + "\n"
        durable_append(self.path, line.encode())

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
        data = "".join(json.dumps(i.to_json(), sort_keys=True) + "\n" for i in pending)
        atomic_write(self.path, data.encode())
