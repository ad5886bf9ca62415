"""Reading launches back from the server: provenance markers, pending intents, adoption.

A launch's outcome is unknown when its answer never arrived (a cut connection, a time-out, a
kill). launchspec then looks for the run on the server instead of launching again. Each run
it launches carries a provenance line in its summary, `launchspec-id: LINEAGE/KEY`, that names
the lockfile lineage and the key, so the match is exact. With provenance turned off the match
falls back to template + exact name + created after the intent, which is weaker: more than
one candidate then stops with a message instead of a guess. For a template that names its
runs itself (auto-naming) the name is not compared: any run of it made since is a candidate.
"""

from __future__ import annotations

import calendar
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

MARKER_PREFIX = "launchspec-id: "
CLOCK_SKEW_SECONDS = 300


class RunReader(Protocol):
    """The part of the API client reconciliation needs."""

    def list_runs(self, **filters: str | int | bool) -> Iterable[dict[str, Any]]: ...


def marker_for(lineage: str, key: str) -> str:
    """The provenance marker for one launch key of one lockfile lineage."""
    return f"{MARKER_PREFIX}{lineage}/{key}"


def with_marker(summary: str | None, marker: str | None) -> str | None:
    """The summary to send: the user's text, then the marker on its own line."""
    if not marker:
        return summary
    return f"{summary}\n\n{marker}" if summary else marker


@dataclass(frozen=True)
class Found:
    """What a read-back found for one key: run ids (0, 1 or more) and how they matched."""

    key: str
    run_ids: tuple[str, ...]
    exact: bool  # matched by provenance marker, not by name and time

    @property
    def unique(self) -> str | None:
        return self.run_ids[0] if len(self.run_ids) == 1 else None


class RunIndex:
    """Runs of a template read once per command, searched by marker or by name."""

    def __init__(self, client: RunReader):
        self.client = client
        self._runs: dict[str, list[Mapping[str, Any]]] = {}

    def runs(self, template_id: str) -> list[Mapping[str, Any]]:
        if template_id not in self._runs:
            self._runs[template_id] = list(self.client.list_runs(checklist_id=template_id))
        return self._runs[template_id]

    def forget(self, template_id: str) -> None:
        """Drop the cache for a template, so the next search reads the server again."""
        self._runs.pop(template_id, None)

    def find(self, key: str, marker: str | None, entry: Mapping[str, Any], since: float) -> Found:
        runs = self.runs(str(entry["template_id"]))
        if marker:
            ids = [str(r["id"]) for r in runs if _has_marker(r, marker)]
            return Found(key, tuple(sorted(ids)), exact=True)
        name = entry.get("name")
        # A template that names its runs itself may have replaced the name sent: any of its
        # runs made since is then a candidate, never none (which would mean "launch again").
        renamed = bool(entry.get("auto_named"))
        ids = [
            str(r["id"])
            for r in runs
            if (renamed or r.get("name") == name) and _created(r) >= since - CLOCK_SKEW_SECONDS
        ]
        return Found(key, tuple(sorted(ids)), exact=False)


    def foreign(self, template_id: str, key: str, lineage: str) -> tuple[str, ...]:
        """Runs marked with this key by another lockfile lineage (a lost or replaced lockfile)."""
        suffix, own = f"/{key}", marker_for(lineage, key)
        ids = []
        for run in self.runs(template_id):
            lines = (line.strip() for line in str(run.get("summary") or "").splitlines())
            if any(m.startswith(MARKER_PREFIX) and m.endswith(suffix) and m != own for m in lines):
                ids.append(str(run["id"]))
        return tuple(sorted(ids))


def _has_marker(run: Mapping[str, Any], marker: str) -> bool:
    summary = run.get("summary") or ""
    return any(line.strip() == marker for line in str(summary).splitlines())


def _created(run: Mapping[str, Any]) -> float:
    value = str(run.get("created_at") or "")
    try:
        # UTC: timegm, not mktime (local time, an hour off under summer time).
        return float(calendar.timegm(time.strptime(value[:19], "%Y-%m-%dT%H:%M:%S")))
    except ValueError:
        return 0.0


@dataclass(frozen=True)
class Settled:
    """How one journalled launch was settled at the start of a command."""

    key: str
    how: str  # recovered, read-back, not-launched, ambiguous, young
    run_id: str | None = None
    candidates: tuple[str, ...] = ()
    wait: float = 0.0  # for `young`: seconds until its absence may be trusted


def ambiguity_hint(key: str, candidates: Iterable[str]) -> str:
    """What a person can do when a launch's outcome cannot be decided automatically."""
    ids = list(candidates)
    adopt = f"launchspec import {key} {ids[0] if ids else 'RUN_ID'}"
    return (
        f"if the run exists, adopt it: `{adopt}`"
        + (f" (candidates: {', '.join(ids)})" if len(ids) > 1 else "")
        + f"; if it does not, `launchspec forget {key}` drops the pending record"
    )
