"""Reading launches back from the server: provenance markers, pending intents, adoption.

A launch's outcome is unknown when its answer never arrived (a cut connection, a time-out, a
kill). launchspec then looks for the run on the server instead of launching again. Each run
it launches carries a provenance line in its summary holding `launchspec-id: LINEAGE/KEY`, that
names the lockfile lineage and the key, so the match is exact (runner/state/provenance.py).
With provenance turned off the match falls back to template + exact name + created after the
intent, which is weaker: more than one candidate then stops with a message instead of a guess.
For a template that names its runs itself (auto-naming) the name is not compared: any run of
it made since is a candidate.
"""

from __future__ import annotations

import calendar
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from runner.errors import NotFoundError
from runner.remote.ports import RunReader
from runner.state.provenance import MARKER_PREFIX as MARKER_PREFIX
from runner.state.provenance import key_of, markers_in
from runner.state.provenance import marker_for as marker_for
from runner.state.provenance import with_marker as with_marker
from runner.state.scans import Scan, through_for

CLOCK_SKEW_SECONDS = 300
PAGE = 100  # runs asked for per page when reading newest first (the order is checked per page)




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
    """Runs of each template, read once per command, newest first, and only as far back as
    the lockfile's scans say is needed (every run when there is no scan)."""

    def __init__(self, client: RunReader, scans: Mapping[str, Scan] | None = None):
        self.client = client
        self.scans = dict(scans or {})
        self._runs: dict[str, list[Mapping[str, Any]]] = {}
        self._whole: set[str] = set()  # templates whose every run was read
        self._checked: dict[str, bool] = {}  # recorded run id -> still listed (not archived)
        # Per template, marked runs by key: one pass over the runs, not one per key checked.
        self._marked: dict[str, dict[str, list[tuple[str, str]]]] = {}
        self._older_by_key: dict[str, dict[str, list[str]]] = {}

    def runs(self, template_id: str) -> list[Mapping[str, Any]]:
        """Every run of the template (status, refresh and dedupe need them all)."""
        if template_id not in self._whole:
            self._runs[template_id] = list(self.client.list_runs(checklist_id=template_id))
            self._marked.pop(template_id, None)
            self._whole.add(template_id)
        return self._runs[template_id]

    def recent(self, template_id: str) -> list[Mapping[str, Any]]:
        """The runs at least as new as the template's scan."""
        if template_id in self._runs:
            return self._runs[template_id]
        scan = self.scans.get(template_id)
        if scan is None:
            return self.runs(template_id)
        read = newest_first(self.client, template_id, scan.through)
        if read is None:  # the server did not keep the order asked for: read them all
            return self.runs(template_id)
        self._runs[template_id] = read
        return read

    def forget(self, template_id: str) -> None:
        """Drop the cache for a template, so the next search reads the server again."""
        self._runs.pop(template_id, None)
        self._marked.pop(template_id, None)
        self._whole.discard(template_id)

    def _marked_runs(self, template_id: str, key: str) -> list[tuple[str, str]]:
        """(marker, run id) of the template's runs read this command that mark `key`."""
        if template_id not in self._marked:
            by_key: dict[str, list[tuple[str, str]]] = {}
            for run in self.recent(template_id):
                for m in markers_in(run.get("summary")):
                    by_key.setdefault(key_of(m), []).append((m, str(run["id"])))
            self._marked[template_id] = by_key
        return self._marked[template_id].get(key, [])

    def find(self, key: str, marker: str | None, entry: Mapping[str, Any], since: float) -> Found:
        template = str(entry["template_id"])
        if marker:
            ids = {i for m, i in self._marked_runs(template, key_of(marker)) if m == marker}
            ids |= self._older(template, key_of(marker), lambda m: m == marker)
            return Found(key, tuple(sorted(ids)), exact=True)
        name = entry.get("name")
        # A template that names its runs itself may have replaced the name sent: any of its
        # runs made since is then a candidate, never none (which would mean "launch again").
        renamed = bool(entry.get("auto_named"))
        found = [
            str(r["id"])
            for r in self.runs(template)  # names are not in the scans: read every run
            if (renamed or r.get("name") == name) and _created(r) >= since - CLOCK_SKEW_SECONDS
        ]
        return Found(key, tuple(sorted(found)), exact=False)

    def foreign(self, template_id: str, key: str, lineage: str) -> tuple[str, ...]:
        """Runs marked with this key by another lockfile lineage (a lost or replaced lockfile)."""
        own = marker_for(lineage, key)
        ids = {i for m, i in self._marked_runs(template_id, key) if m != own}
        return tuple(sorted(ids | self._older(template_id, key, lambda m: m != own)))

    def updated_scans(self, lineage: str, recorded: Mapping[str, str]) -> dict[str, Scan]:
        """The scans to keep after this command: per template read, how far back it was read
        and the marked runs not recorded (`recorded`: key -> run id of this lineage)."""
        out = {}
        for template, runs in self._runs.items():
            through = through_for(str(r.get("created_at") or "") for r in runs)
            if through is None:
                continue
            old = self.scans.get(template)
            kept: dict[str, set[str]] = {}
            if old is not None and template not in self._whole:
                for m, ids in old.unrecorded.items():
                    kept.setdefault(m, set()).update(ids)
            for run in runs:
                for m in markers_in(run.get("summary")):
                    kept.setdefault(m, set()).add(str(run["id"]))
            for key, run_id in recorded.items():  # this lockfile's own runs are its entries
                kept.get(marker_for(lineage, key), set()).discard(run_id)
            out[template] = Scan(through, {m: tuple(sorted(i)) for m, i in kept.items() if i})
        return out

    def _older(self, template: str, key: str, wanted: Callable[[str], bool]) -> set[str]:
        """Recorded older runs marking `key` whose marker is `wanted`, still listed."""
        scan = self.scans.get(template)
        if scan is None or template in self._whole:
            return set()
        if template not in self._older_by_key:
            by_key: dict[str, list[str]] = {}
            for m in scan.unrecorded:
                by_key.setdefault(key_of(m), []).append(m)
            self._older_by_key[template] = by_key
        markers = self._older_by_key[template].get(key, [])
        ids = {i for m in markers if wanted(m) for i in scan.unrecorded[m]}
        return {i for i in ids if self._still_listed(i)}

    def _still_listed(self, run_id: str) -> bool:
        if run_id not in self._checked:
            try:
                run = self.client.get_run(run_id)
            except NotFoundError:
                run = {"status": "archived"}
            self._checked[run_id] = run.get("status") != "archived"
        return self._checked[run_id]


def newest_first(
    client: RunReader, template_id: str, through: str
) -> list[Mapping[str, Any]] | None:
    """The template's runs created at or after `through`, read newest first; None when the
    server's order is not newest first (the caller then reads every run).

    Reading stops at the first run older than `through`, but only at the end of its page, once
    the whole page read so far is seen to be newest first: a server that ignored `sort` and
    answered oldest first would show its oldest run first, and stopping there would judge a
    lost launch "not launched" (Tallyfy honours `sort`; docs/tallyfy-api-notes.md)."""
    out: list[Mapping[str, Any]] = []
    last, older = "9999", False
    runs = client.list_runs(checklist_id=template_id, sort="-created_at", per_page=PAGE)
    for read, run in enumerate(runs, 1):
        created = str(run.get("created_at") or "")[:19]
        if created and created > last:
            return None
        last = created or last
        older = older or (bool(created) and created < through[:19])
        if not older:
            out.append(run)
        if older and read % PAGE == 0:
            break
    return out


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
