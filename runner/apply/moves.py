"""Moving a run to another launch key (`moved:` in launchspec.yaml): nothing is launched.

The run's provenance marker is rewritten first, then the old key's journal records are
closed (none may bring the old key back), then the lockfile records the run under the new
key. The old entry is on disk already (apply writes recovered runs before it acts), so a
crash at any point leaves it recorded, and the next apply moves it again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from runner.apply.entries import entry_for
from runner.apply.ledger import Ledger
from runner.plan.plan import Action
from runner.remote.ports import Writer
from runner.remote.reconcile import marker_for, with_marker
from runner.state.journal import Journal
from runner.state.scans import Scan


def move_run(
    client: Writer, journal: Journal, ledger: Ledger, action: Action, provenance: bool
) -> tuple[str, str]:
    """Record the run of `action.moved_from` under `action.key`; (old key, run id)."""
    d, entry, old = action.desired, action.entry, action.moved_from
    assert d is not None and d.request is not None and entry is not None and old
    if provenance or action.changes:
        fields = dict(d.request.updatable)
        marker = marker_for(ledger.lock.lineage, d.key) if provenance else None
        fields["summary"] = with_marker(fields.get("summary"), marker)
        client.update_run(entry.run_id, fields)
    new = replace(  # what it was launched with stays recorded, as for an edited run
        entry_for(d, entry.run_id),
        template_id=entry.template_id,
        digest=entry.digest,
        source_digest=entry.source_digest,
        launched=entry.launched,
        launched_at=entry.launched_at,
        adopted=entry.adopted,
    )
    closing = [i for i in journal.pending() if i.key == old]
    closing += [i for i, _ in journal.launched() if i.key == old]
    for intent in closing:
        journal.resolved(intent, "moved")  # no run id: nothing for the old key to recover
    if closing:
        journal.sync()  # durable before the lockfile no longer names the old key
    ledger.moved(old, d.key, new)
    return old, entry.run_id


def without_old_markers(
    scans: Mapping[str, Scan], lineage: str, moved: Sequence[tuple[str, str]]
) -> dict[str, Scan]:
    """A moved run was read carrying its old key's marker, since rewritten: not unrecorded."""
    stale = {marker_for(lineage, old): run_id for old, run_id in moved}

    def kept(scan: Scan) -> Scan:
        unrecorded = {
            m: tuple(i for i in ids if i != stale.get(m)) for m, ids in scan.unrecorded.items()
        }
        return Scan(scan.through, {m: ids for m, ids in unrecorded.items() if ids})

    return {template: kept(scan) for template, scan in scans.items()}
