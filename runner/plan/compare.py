"""Whether a launched key still matches its spec: the fixed part, the updatable fields, and
what changed in each (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runner.plan.desired import UPDATABLE_SOURCE, Change, Desired, canonical_digest
from runner.plan.launched import fixed_changes, launched_values
from runner.plan.launched import reason as edited_reason
from runner.resolve.request import UPDATABLE_FIELDS
from runner.state.lockfile import LockEntry

EDITED_REASON = "kick-off values or tasks changed after launch"


def edits_of(d: Desired, entry: LockEntry) -> tuple[tuple[Change, ...], str]:
    """What changed in the fixed part, launched -> now, and the reason that names it; an entry
    recorded before the lockfile kept what was launched has only a digest to go by."""
    if not entry.launched:
        return (), EDITED_REASON
    found = list(fixed_changes(entry.launched, launched_values(d.rendered)))
    if not found:  # the same as written, resolved differently (a template or a person changed)
        return (), EDITED_REASON
    edits = tuple(Change(name, old, new) for _, name, old, new in found)
    return edits, edited_reason([part for part, *_ in found])


def compare(d: Desired, entry: LockEntry, offline: bool) -> tuple[bool, bool]:
    if d.request is not None and not offline:
        fixed_same = d.request.digest == entry.digest or recorded_with_secrets(d, entry)
        return fixed_same, d.fields_digest() == entry.fields_digest
    fixed, fields = d.source_digests()
    return fixed == entry.source_digest, fields == entry.source_fields_digest


def recorded_with_secrets(d: Desired, entry: LockEntry) -> bool:
    """An entry recorded before digests left secrets out: its digest covers their values."""
    if d.request is None or not d.rendered.secret_values:
        return False
    fixed = {k: v for k, v in d.request.body.items() if k not in UPDATABLE_FIELDS}
    return canonical_digest(fixed) == entry.digest


def field_changes(d: Desired, entry: LockEntry) -> list[Change]:
    if d.request is None:
        r = d.rendered
        new: Mapping[str, Any] = {n: getattr(r, n) for n in UPDATABLE_SOURCE}
    else:
        new = d.request.updatable
    old = entry.fields
    return [
        Change(name, old.get(name), new.get(name))
        for name in sorted(set(old) | set(new))
        if old.get(name) != new.get(name)
    ]
