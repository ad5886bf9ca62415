"""Settling one launch key by hand: `import` adopts an existing run, `forget` drops a key."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from runner.apply.entries import entry_for
from runner.errors import LaunchspecError, NotFoundError, UsageError
from runner.plan.adoption import run_changes
from runner.project.planning import PlanInputs, plan
from runner.remote.ports import Reader
from runner.remote.recovery import with_recorded_launches
from runner.resolve.request import LaunchRequest
from runner.specs.config import Config
from runner.state.journal import Journal
from runner.state.lockfile import LockEntry, Lockfile, exclusive, read_lockfile, write_lockfile


def import_run(
    config: Config, client: Reader, key: str, run_id: str, force: bool = False
) -> LockEntry:
    """Record an existing run as the launch of `key`, after checking it fits the spec (its
    template always; its name and kick-off values unless `force`)."""
    with exclusive(config.state_dir, 0):
        lock = _with_journal(config, read_lockfile(config.lockfile, organization=client.org_id))
        if key in lock.entries and lock.entries[key].run_id != run_id:
            raise UsageError(
                f"{key!r} is already recorded as run {lock.entries[key].run_id}",
                hint=f"`launchspec forget {key}` first if that record is wrong",
            )
        elsewhere = [k for k, e in lock.entries.items() if e.run_id == run_id and k != key]
        if elsewhere:
            raise UsageError(
                f"run {run_id} is already recorded as {elsewhere[0]!r}; one run is one launch",
                hint=f"to rename {elsewhere[0]!r} to {key!r}, add `moved: [{{from: "
                f"{elsewhere[0]}, to: {key}}}]` to launchspec.yaml and apply; if that record is "
                f"wrong, `launchspec forget {elsewhere[0]}` first",
            )
        try:
            run = client.get_run(run_id)
        except NotFoundError as e:
            raise LaunchspecError(f"run {run_id} does not exist or is not visible") from e
        launched_at = str(run.get("created_at") or "")[:19] + "Z"
        planned = plan(PlanInputs(config, client, launch_at=launched_at, lock=lock))
        action = next((a for a in planned.plan.actions if a.key == key), None)
        if action is None or action.desired is None or action.desired.request is None:
            raise UsageError(f"no spec has the key {key!r}; import needs the spec it belongs to")
        entry = entry_for(action.desired, run_id)
        if str(run.get("checklist_id")) != entry.template_id:
            raise LaunchspecError(
                f"run {run_id} was launched from template {run.get('checklist_id')}, "
                f"but {key!r} uses {entry.template_id}"
            )
        fields = client.get_template(entry.template_id).get("prerun") or []
        labels = {str(f.get("id")): str(f.get("label")) for f in fields if isinstance(f, Mapping)}
        differences = run_differences(run, action.desired.request, labels)
        if differences and not force:
            raise LaunchspecError(
                f"run {run_id} does not match the spec of {key!r}:\n  " + "\n  ".join(differences),
                hint="import it anyway with `launchspec import --force`, or import the right run",
            )
        name = str(run.get("name") or entry.name)
        entry = replace(entry, launched_at=launched_at, adopted=True, name=name)
        write_lockfile(config.lockfile, lock.with_entry(key, entry))
        _settle_intents(config, key, "imported", run_id)
        return entry


def run_differences(
    run: Mapping[str, Any], request: LaunchRequest, labels: Mapping[str, str] | None = None
) -> list[str]:
    """How an existing run differs from what the spec would launch (runner/plan/adoption.py),
    one line each."""
    out = []
    for c in run_changes(run, request, labels):
        field = "name" if c.field == "name" else f"kick-off {c.field}"
        out.append(f"{field}: {c.new!r} in the spec, {c.old!r} on the run")
    return out


def forget(config: Config, key: str) -> LockEntry | None:
    """Drop `key` from the lockfile and its pending journal records; its run is untouched."""
    with exclusive(config.state_dir, 0):
        lock = _with_journal(config, read_lockfile(config.lockfile))
        entry = lock.entries.get(key)
        pending = _settle_intents(config, key, "forgotten", None)
        if entry is None and not pending:
            raise UsageError(f"{key!r} is neither in the lockfile nor pending")
        if entry is not None:
            write_lockfile(config.lockfile, _remember_run(lock.without(key), key, entry))
        return entry


def _remember_run(lock: Lockfile, key: str, entry: LockEntry) -> Lockfile:
    """The forgotten run still carries the key's marker: where the template's runs are read
    only back to a scan, the scan must name it, or the next plan would launch the key again
    instead of adopting it."""
    from dataclasses import replace

    from runner.remote.reconcile import marker_for
    from runner.state.scans import Scan

    scan = lock.scans.get(entry.template_id)
    if scan is None:
        return lock
    marker = marker_for(lock.lineage, key)
    ids = tuple(sorted({*scan.unrecorded.get(marker, ()), entry.run_id}))
    kept = Scan(scan.through, {**scan.unrecorded, marker: ids})
    return replace(lock, scans={**lock.scans, entry.template_id: kept})


def _with_journal(config: Config, lock: Lockfile) -> Lockfile:
    """The lockfile plus runs only the journal knows (a crash before the lockfile write)."""
    return with_recorded_launches(Journal(config.state_dir), lock)[0]


def _settle_intents(config: Config, key: str, how: str, run_id: str | None) -> int:
    """Close every open or launched journal record of `key`, so nothing re-adds it later."""
    journal = Journal(config.state_dir)
    pending = [i for i in journal.pending() if i.key == key]
    launched = [i for i, _ in journal.launched() if i.key == key]
    for intent in pending + launched:
        journal.resolved(intent, how, run_id)
    return len(pending)
