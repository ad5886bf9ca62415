"""Applying from several machines: the shared lease around an apply, and what it says."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from runner.errors import LockfileError
from runner.specs.config import Config
from runner.state.lease import SYSTEM, Git, Lease, LeaseError
from runner.state.lockfile import parse_lockfile, read_lockfile, write_lockfile
from runner.state.merge import merged

ALONE = "only this checkout's lock protects this apply: another machine could launch the same specs"


@contextmanager
def shared_lease(
    config: Config,
    options: Any,
    on_wait: Callable[[str], None] | None,
    on_note: Callable[[str], None],
    stop: threading.Event,
) -> Iterator[Lease | None]:
    """Hold the lease on the git remote for the block, or say plainly why there is none.

    Off by choice (`--no-lease`, `lease: false`) or with no git remote, apply goes on with
    this checkout's lock and says so (None); a remote that exists but cannot be reached stops
    it. Losing the lease stops the apply's launches (Lease.check before each one).
    """
    if options.no_lease or config.lease_remote is None:
        on_note(f"the shared lease is off: {ALONE}")
        yield None
        return
    git = Git(config.root, config.lease_remote)
    try:
        found = git.has_remote()
    except LeaseError:
        found = False  # no git here at all
    if not found:
        on_note(f"no git remote {config.lease_remote!r}, so no shared lease: {ALONE}")
        yield None
        return

    def lost(why: str) -> None:
        on_note(f"the shared lease is lost: {why}; no more launches")
        stop.set()

    def current() -> bytes | None:
        path = config.lockfile
        return path.read_bytes() if path.exists() else None

    lease = Lease(
        git, config.lease_ttl, options.lock_timeout, on_wait, lost, current,
        margin=config.lease_margin, clock=options.lease_clock or SYSTEM,
        on_warn=lambda said: on_note(f"warning: {said}"),
    )  # fmt: skip
    with lease:
        inherit(config, lease.inherited, on_note)
        yield lease


def inherit(config: Config, carried: bytes | None, on_note: Callable[[str], None]) -> None:
    """Bring this checkout's lockfile up to what the previous holder of the lease left.

    The lease carries its holder's lockfile, so an apply that follows another on a different
    machine knows its runs before the lockfile reaches it through git.
    """
    if carried is None:
        return
    theirs = parse_lockfile(carried, "the lockfile carried by the shared lease")
    ours = read_lockfile(config.lockfile)
    both = merged(ours, theirs)
    if both is None:
        on_note("the shared lease carries a lockfile of another lineage: not merged")
    elif both != ours:
        write_lockfile(config.lockfile, both)
        taken = len(both.entries) - len(ours.entries)
        on_note(f"took {taken} launch{'' if taken == 1 else 'es'} from the shared lease")


def merge_files(ours: Path, theirs: Path) -> tuple[int, int]:
    """Merge lockfile `theirs` into `ours` in place (a git merge driver's job).

    Returns (keys taken from theirs, keys both named with different runs). Raises
    LockfileError when the two are of different lineages (nothing says which keys match).
    """
    mine = parse_lockfile(ours.read_bytes(), str(ours))
    other = parse_lockfile(theirs.read_bytes(), str(theirs))
    both = merged(mine, other)
    if both is None:
        raise LockfileError(
            f"{ours} and {theirs} are lockfiles of different lineages; not merged",
            hint="keep one of them, then `launchspec import KEY RUN_ID` the other's runs",
        )
    taken = sum(1 for k in other.entries if k not in mine.entries)
    clashes = sum(1 for k, e in other.entries.items() if k in mine.entries and mine.entries[k] != e)
    write_lockfile(ours, both)
    return taken, clashes
