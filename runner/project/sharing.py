"""Applying from several machines: the shared lease around an apply, the lockfile it hands
over, and what it says."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from runner.errors import LockfileError
from runner.specs.config import Config
from runner.state.fsutil import atomic_write
from runner.state.lease import SYSTEM, Git, Lease, LeaseError
from runner.state.lockfile import Lockfile, parse_lockfile, read_lockfile, write_lockfile
from runner.state.merge import Merge, adoption_problem, merge3

ALONE = "only this checkout's lock protects this apply: another machine could launch the same specs"
CARRIED = "the lockfile carried by the shared lease"
# The lockfile as last synced with the lease (taken from it, or left in it): the base of the
# next hand-over's three-way merge. A copy, not a pointer: the lease commit it came from may
# be gone by then.
BASE_FILE = "lease-base.lock.json"


@contextmanager
def shared_lease(
    config: Config,
    options: Any,
    on_wait: Callable[[str], None] | None,
    on_note: Callable[[str], None],
    stop: threading.Event,
    organization: str | None = None,
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
    left: list[bytes | None] = [None]  # what the lease carries of this checkout's lockfile

    def lost(why: str) -> None:
        on_note(f"the shared lease is lost: {why}; no more launches")
        stop.set()

    def current() -> bytes | None:
        path = config.lockfile
        left[0] = path.read_bytes() if path.exists() else None
        return left[0]

    lease = Lease(
        git, config.lease_ttl, options.lock_timeout, on_wait, lost, current,
        margin=config.lease_margin, clock=options.lease_clock or SYSTEM,
        on_warn=lambda said: on_note(f"warning: {said}"),
    )  # fmt: skip
    with lease:
        inherit(config, lease.inherited, on_note, _folder(git), organization)
        yield lease
    if left[0] is not None and not lease.lost:
        save_base(config, left[0])  # released carrying it: the next holder starts from it


def folder_of(lease: Lease | None) -> str | None:
    """The project's folder in its repository ("" at the top); None without a lease."""
    return None if lease is None else _folder(lease.git)


def _folder(git: Git) -> str:
    return git.prefix.rstrip("/")


def inherit(
    config: Config,
    carried: bytes | None,
    on_note: Callable[[str], None],
    folder: str,
    organization: str | None = None,
) -> None:
    """Bring this checkout's lockfile up to what the previous holder of the lease left.

    The lease carries its holder's lockfile, so an apply that follows another on a different
    machine knows its runs before the lockfile reaches it through git. It is merged three-way
    against the lockfile as last synced with the lease; a folder with no lockfile yet adopts
    it only when it is this folder's and organisation's (`adoption_problem`).
    """
    ours = read_lockfile(config.lockfile) if config.lockfile.exists() else None
    if ours is not None and ours.project != folder:
        ours = replace(ours, project=folder)  # written below: the lease then says whose it is
        write_lockfile(config.lockfile, ours)
    if carried is None:
        return
    theirs = parse_lockfile(carried, CARRIED)
    if ours is None:
        problem = adoption_problem(organization, folder, theirs, CARRIED)
        if problem:
            on_note(f"{problem}; this folder starts a lockfile of its own ({ADOPT_HINT})")
            return
        write_lockfile(config.lockfile, theirs)
        save_base(config, carried)
        on_note(
            f"took {_launches(len(theirs.entries))} from the shared lease (lineage "
            f"{theirs.lineage}: this folder had no lockfile yet)"
        )
        return
    try:
        done = merge3(last_synced(config, ours.lineage), ours, theirs, CARRIED)
    except LockfileError as e:
        on_note(f"{e.message}; this apply goes on with this folder's own lockfile ({e.hint})")
        return
    if done.lock != ours:
        write_lockfile(config.lockfile, done.lock)
    save_base(config, carried)
    for said in _taken(done):
        on_note(said)


ADOPT_HINT = (
    "if that lockfile is this project's, pull it through git (the machine that applied "
    "commits it) before the next apply"
)


def _taken(done: Merge) -> list[str]:
    out = []
    if done.taken:
        out.append(f"took {_launches(done.taken)} from the shared lease")
    if done.removed:
        keys = f"{done.removed} key{'' if done.removed == 1 else 's'}"
        out.append(
            f"{keys} removed by another apply (pruned or forgotten), as the lockfile "
            "the shared lease carries says: removed here too"
        )
    for c in done.conflicts:
        out.append(
            f"{c.key} was launched on another machine too (runs {c.kept} and {c.other}): kept "
            f"{c.kept}; `launchspec plan --refresh` shows the duplicate, `launchspec apply "
            "--dedupe` archives it"
        )
    return out


def _launches(n: int) -> str:
    return f"{n} launch{'' if n == 1 else 'es'}"


def save_base(config: Config, data: bytes) -> None:
    """Remember `data` as the lockfile last synced with the lease."""
    atomic_write(config.state_dir / BASE_FILE, data)


def last_synced(config: Config, lineage: str) -> Lockfile | None:
    """The lockfile as last synced with the lease, if it is of `lineage` and readable."""
    path = config.state_dir / BASE_FILE
    try:
        base = parse_lockfile(path.read_bytes(), str(path))
    except (OSError, LockfileError):
        return None  # none yet (a fresh clone) or damaged: merge without a base
    return base if base.lineage == lineage else None


def merge_files(base: Path, ours: Path, theirs: Path) -> Merge:
    """Merge lockfile `theirs` into `ours` in place against their common version `base` (a
    git merge driver's job; git passes an empty file when there is none). Raises
    LockfileError when the two are of different lineages or organisations."""
    mine = parse_lockfile(ours.read_bytes(), str(ours))
    other = parse_lockfile(theirs.read_bytes(), str(theirs))
    common = None
    if base.exists() and base.stat().st_size:
        common = parse_lockfile(base.read_bytes(), str(base))
    done = merge3(common, mine, other, f"the lockfile being merged in ({theirs})")
    write_lockfile(ours, done.lock)
    return done
