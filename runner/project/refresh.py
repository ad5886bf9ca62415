"""`plan --refresh`: each recorded run read back (runner/remote/recorded.py): its state
(active, archived, missing), and what changed on it by hand (runner/plan/drift.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from runner.plan.drift import run_drift
from runner.plan.plan import Change, Desired
from runner.remote.ports import Reader
from runner.remote.recorded import as_written, read_runs, run_state, template_names
from runner.state.lockfile import Lockfile


@dataclass
class Live:
    """What the server holds for the lockfile's runs."""

    states: dict[str, str] = field(default_factory=dict)  # key -> active, archived, missing
    drift: dict[str, tuple[Change, ...]] = field(default_factory=dict)  # key -> changes by hand


def read_live(client: Reader, lock: Lockfile, desired: Sequence[Desired]) -> Live:
    """Each recorded run as the server holds it now, compared with what launchspec wrote."""
    wanted = {d.key: d for d in desired}
    entries = sorted(lock.entries.items())
    runs = read_runs(client, [e.run_id for _, e in entries])
    found = {e.template_id for (_, e), run in zip(entries, runs, strict=True) if run is not None}
    names = template_names(client, sorted(found))
    live = Live()
    for (key, entry), run in zip(entries, runs, strict=True):
        live.states[key] = "missing" if run is None else run_state(run)
        if run is None or live.states[key] != "active":
            continue
        labels, steps = names[entry.template_id]
        changes = run_drift(as_written(run), entry, wanted.get(key), labels, steps)
        if changes:
            live.drift[key] = changes
    return live
