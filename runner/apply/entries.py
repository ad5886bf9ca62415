"""Lockfile entries for launches: what is recorded, with secrets redacted."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from runner.plan.launched import launched_values
from runner.plan.plan import Change, Desired, canonical_digest
from runner.resolve.request import SECRET
from runner.state.lockfile import LockEntry


def entry_for(d: Desired, run_id: str) -> LockEntry:
    """The lockfile entry recording `d` as launched as `run_id`."""
    assert d.request is not None
    fixed, fields = d.source_digests()
    redacted = {k: redact(v, d.request.secret_values) for k, v in d.request.updatable.items()}
    return LockEntry(
        run_id=run_id,
        template_id=d.request.template_id,
        launched_at=_iso(d.rendered.launch_at),
        name=str(redact(d.rendered.name, d.request.secret_values)),
        digest=d.request.digest,
        fields_digest=d.fields_digest(),
        source_digest=fixed,
        source_fields_digest=fields,
        fields=redacted,
        parent=d.rendered.parent,
        spec_file=d.rendered.spec.file,
        launched=launched_values(d.rendered),
    )


def adopted_entry(d: Desired, run_id: str, differences: Sequence[Change]) -> LockEntry:
    """The entry recording a run found on the server as `d`'s launch. A run that differs from
    the spec is recorded as it is, so the next plan shows it edited (and a name to update):
    its digests are not the spec's, and what it was launched with holds the run's values."""
    entry = replace(entry_for(d, run_id), adopted=True)
    if not differences:
        return entry
    launched = dict(entry.launched)
    prerun = dict(launched.get("prerun") or {})
    fields, name = dict(entry.fields), entry.name
    for c in differences:
        if c.field == "name":
            name = fields["name"] = str(redact(c.old, d.request.secret_values if d.request else ()))
        elif c.field in prerun and prerun[c.field] != SECRET:
            prerun[c.field] = c.old
    differs = canonical_digest(["adopted, differing from the spec", run_id])
    name_differs = any(c.field == "name" for c in differences)
    return replace(
        entry,
        name=name,
        fields=fields,
        digest=differs,
        source_digest=differs,
        fields_digest="" if name_differs else entry.fields_digest,
        source_fields_digest="" if name_differs else entry.source_fields_digest,
        launched={**launched, "prerun": prerun},
    )


def entry_json(entry: LockEntry) -> dict[str, Any]:
    doc = entry.to_json()
    doc.pop("run_id")
    return doc


def intent_entry(d: Desired, entry: LockEntry) -> dict[str, Any]:
    """The entry a launch's journal intent keeps, and whether the template names the run
    itself (then a read-back cannot match the run by the name sent)."""
    doc = entry_json(entry)
    if d.request is not None and d.request.auto_named:
        doc["auto_named"] = True
    return doc


def redact(value: Any, secrets: tuple[str, ...]) -> Any:
    if isinstance(value, str):
        for secret in secrets:
            if secret:
                value = value.replace(secret, "(secret)")
    return value


def _iso(at: Any) -> str:
    if at is None:
        return ""
    return str(at.strftime("%Y-%m-%dT%H:%M:%SZ"))


def held_name(run: Mapping[str, Any], entry: LockEntry, d: Desired) -> str:
    """The name the server gave the run (a template's auto-naming may replace the one sent),
    unless it holds a secret: the lockfile keeps the redacted name then."""
    held = str(run.get("name") or "")
    secrets = d.request.secret_values if d.request else ()
    if not held or any(s and s in held for s in secrets):
        return entry.name
    return held
