"""`moved:` in launchspec.yaml: launch keys renamed without relaunching (Terraform's `moved`).

A move applies while its old key is recorded and its new one is not: the plan then shows
`OLD -> NEW moved`, and apply records the run under NEW. Once applied, the entry is a no-op
(kept or removed, as Terraform's blocks are), so the same configuration plans clean after.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from runner.errors import ConfigError
from runner.state.lockfile import Lockfile

HINT = "`moved:` in launchspec.yaml lists {from: OLD, to: NEW} pairs of launch keys"


def pending_moves(
    moved: Sequence[tuple[str, str]], lock: Lockfile, keys: Collection[str]
) -> dict[str, str]:
    """The moves still to apply, new key -> old key; ConfigError for one that cannot be."""
    out: dict[str, str] = {}
    for old, new in moved:
        said = f"moved: {old} -> {new}"
        if old == new or new in out or old in out.values():
            raise ConfigError(f"{said}: each key moves once, to another key", hint=HINT)
        if old not in lock.entries:
            continue  # applied already (or never launched): nothing to move
        if new in lock.entries:
            raise ConfigError(
                f"{said}: both keys are recorded (runs {lock.entries[old].run_id} and "
                f"{lock.entries[new].run_id})",
                hint="`launchspec forget` the one that is wrong, then plan again",
            )
        if new not in keys:
            raise ConfigError(f"{said}: no spec asks for {new}", hint=HINT)
        out[new] = old
    return out
