"""What a plan is computed from, as one value: what the specs want, what this checkout
recorded, what was read from the server, and the flags the plan was asked for with."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from runner.plan.desired import Change, Desired
from runner.state.lockfile import Lockfile


@dataclass(frozen=True)
class Wanted:
    """What the specs ask for, at the launch time they were rendered for."""

    launches: Sequence[Desired]
    launch_at: str
    inputs: Mapping[str, str] = field(default_factory=dict)  # file -> sha256 of its bytes
    moves: Mapping[str, str] = field(default_factory=dict)  # `moved:` still to apply, new -> old


@dataclass(frozen=True)
class Recorded:
    """What this checkout recorded: the lockfile, and the keys whose last launch the journal
    holds no outcome for."""

    lock: Lockfile
    pending: Collection[str] = frozenset()


@dataclass(frozen=True)
class Observed:
    """What was read from the server; None where it was not read (offline, or not asked)."""

    states: Mapping[str, str] | None = None  # key -> active, archived, missing
    drift: Mapping[str, tuple[Change, ...]] | None = None  # `--refresh`: changed by hand
    duplicates: Mapping[str, tuple[str, ...]] | None = None  # `--refresh`: runs of one key
    adoptable: Mapping[str, str] | None = None  # key -> the one run carrying its marker
    adopt_changes: Mapping[str, tuple[Change, ...]] | None = None  # how each differs


@dataclass(frozen=True)
class Flags:
    """How the plan was asked for."""

    replace: Collection[str] = frozenset()  # `--replace`: keys to archive and relaunch
    prune: bool = False  # `--prune`: archive the runs no spec asks for
    offline: bool = False  # resolved without the API: compare by what was rendered


@dataclass(frozen=True)
class PlanBasis:
    """Everything `make_plan` compares, and the notes the plan carries."""

    wanted: Wanted
    recorded: Recorded
    observed: Observed = field(default_factory=Observed)
    flags: Flags = field(default_factory=Flags)
    notes: Sequence[str] = ()
