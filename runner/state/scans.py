"""What earlier commands read of each template's runs, so the next reads only what is newer.

An organisation's history grows without bound; reading every run of a template before each
launch made an apply's cost grow with it. A `Scan` records, per template, how far back the
runs were read (`through`, the server's own `created_at`, less a margin for clock skew and
late listings) and every run older than that which carries a launchspec marker the lockfile
does not hold (another lineage's, or this one's for a key not recorded): those are all the
older runs the pre-launch checks need. The next command reads newest first and stops there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

MARGIN_SECONDS = 600  # re-read this much before `through`: late listings, clock skew


@dataclass(frozen=True)
class Scan:
    """How far back one template's runs were read, and the marked runs older than that."""

    through: str  # ISO 8601 UTC: runs created at or after this are read again next time
    unrecorded: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # marker -> ids

    def to_json(self) -> dict[str, Any]:
        return {"through": self.through, "unrecorded": {k: list(v) for k, v in
                                                        sorted(self.unrecorded.items())}}

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Scan:
        unrecorded = {str(k): tuple(str(i) for i in v) for k, v in
                      (doc.get("unrecorded") or {}).items()}  # fmt: skip
        return cls(str(doc["through"]), unrecorded)


def through_for(created: Iterable[str]) -> str | None:
    """The `through` of a read that saw runs created at `created`: the newest, less the
    margin; None when it saw none."""
    newest = max((c for c in created if c), default=None)
    if newest is None:
        return None
    try:
        at = datetime.strptime(newest[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None
    return (at - timedelta(seconds=MARGIN_SECONDS)).strftime("%Y-%m-%dT%H:%M:%SZ")


def merge_scans(ours: Mapping[str, Scan], theirs: Mapping[str, Scan]) -> dict[str, Scan]:
    """Both sides' scans: where both read a template, the older `through` and every marked
    run either side kept (what one side never read, the other's record still covers)."""
    out = dict(theirs)
    for template, scan in ours.items():
        other = out.get(template)
        if other is None:
            out[template] = scan
            continue
        unrecorded = {k: tuple(sorted(set(v) | set(other.unrecorded.get(k, ()))))
                      for k, v in scan.unrecorded.items()}  # fmt: skip
        for k, v in other.unrecorded.items():
            unrecorded.setdefault(k, v)
        out[template] = Scan(min(scan.through, other.through), unrecorded)
    return out
