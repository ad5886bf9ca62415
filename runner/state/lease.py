"""A lease on the git remote, shared by every machine that applies the project; it fails closed.

The local file lock covers one checkout. Two clones (a laptop and the apply workflow, or two
repositories on one organisation) share only the git remote. The lease is a commit on a ref
(runner/state/leasegit.py) whose message says who holds it and until when; it is renewed by
compare-and-swap while an apply runs, released at the end, and may be taken over once its
holder has stopped renewing it.

The holder's promise: no launch is sent after its deadline, the start of its last successful
renewal plus the ttl less the margin (`lease.margin_seconds`), measured on its own monotonic
clock; a renewal that fails or finds the lease gone stops launches at once. A taker's rules,
so that a clock that runs ahead cannot take a live lease (docs/guarantees.md):
  - nobody holds it, or its holder released it: take it;
  - it expired more than ttl + margin ago by this clock: take it;
  - it expired more than the margin ago: take it once it has been seen unchanged for longer
    than a renewal interval plus the margin (a live holder renews within the interval);
  - otherwise, take it only once it has been seen unchanged for a whole ttl: by then its
    holder, alive or not, is past its own deadline, whatever either clock says.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace

from runner.errors import LeaseLostError, LockBusyError
from runner.state.holder import (
    BREAK_HINT,
    SYSTEM,
    Clock,
    Holder,
    LeaseError,
    me,
    shown,
    skew,
    stamp,
)
from runner.state.leasegit import GIT_TIMEOUT, REF, SHORTEST_CALL, Git, legacy_ref_for, ref_for

__all__ = ["REF", "SYSTEM", "Clock", "Git", "Holder", "Lease", "LeaseError", "ref_for"]

LOST_HINT = (
    "launches stopped; those in flight were read back and recorded. Run `launchspec lease "
    "show` to see who holds the lease now, then `launchspec apply` again (it resumes)"
)


def default_margin(ttl: float) -> float:
    """The safety margin when the configuration names none: a quarter of the ttl."""
    return ttl / 4


class Lease:
    """The shared lease, held for the length of a `with` block and renewed meanwhile."""

    def __init__(
        self,
        git: Git,
        ttl: float = 120.0,
        timeout: float = 0.0,
        on_wait: Callable[[str], None] | None = None,
        on_lost: Callable[[str], None] | None = None,
        lockfile: Callable[[], bytes | None] = lambda: None,
        *,
        margin: float | None = None,
        clock: Clock = SYSTEM,
        on_warn: Callable[[str], None] | None = None,
        background: bool = True,
    ) -> None:
        self.git, self.ttl, self.timeout, self.clock = git, ttl, timeout, clock
        self.margin = default_margin(ttl) if margin is None else margin
        self.every = (ttl - self.margin) / 3  # three tries at renewal before the deadline
        self.on_wait, self.on_lost, self.on_warn = on_wait, on_lost, on_warn
        self.lockfile = lockfile  # this checkout's lockfile, now: carried on every renewal
        self.background = background  # False: nothing renews it (tests renew by hand)
        self.inherited: bytes | None = None  # the lockfile the previous holder left
        self.sha = ""
        self.deadline = 0.0  # monotonic: no launch is sent at or after it
        self.lost = ""  # why launches stopped ("" while the lease is ours)
        self._since = clock.time()
        self._warned: set[str] = set()
        self._mutex = threading.Lock()  # one push of our lease at a time
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None
        self._cancel: Callable[[], None] = lambda: None  # renewals on an injected clock

    def __enter__(self) -> Lease:
        self._take()
        if self.background and self.clock.repeat is not None:
            self._cancel = self.clock.repeat(self.every, self.renew)
        elif self.background:
            self._renewer = threading.Thread(target=self._renew, name="lease", daemon=True)
            self._renewer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._cancel()
        if self._renewer is not None:
            self._renewer.join(timeout=GIT_TIMEOUT)
        with self._mutex:
            sha, self.sha = self.sha, ""
        if sha:
            # Left for the next holder: the lease ref stays, expired, carrying the lockfile.
            released = replace(me(0, self.clock, self._since), until=0.0)
            try:
                if self.git.swap(sha, released, self.lockfile()) is None:
                    self.lost = self.lost or "it was taken over or removed before its release"
            except LeaseError as e:
                self.lost = self.lost or f"it could not be released ({e.message})"
                self._warn(f"the lease could not be released ({e.message}); it expires unless "
                           "renewed, and the next apply takes it over then")  # fmt: skip

    # -- holding ---------------------------------------------------------------------------
    def check(self) -> None:
        """Before every launch: LeaseLostError unless the lease is ours and within its deadline."""
        if not self.lost and self.clock.monotonic() >= self.deadline:
            late = self.clock.monotonic() - self.deadline + self.ttl - self.margin
            self._lose(f"the lease was last renewed {late:.0f} s ago, past its deadline (ttl "
                       f"{self.ttl:.0f} s less a margin of {self.margin:.0f} s)")  # fmt: skip
        if self.lost:
            raise LeaseLostError(f"the shared lease is no longer this apply's: {self.lost}",
                                 hint=LOST_HINT)  # fmt: skip

    def renew(self) -> bool:
        """Push a fresh lease over ours (compare-and-swap: it proves the lease is still ours).
        A failure of any kind stops launches at once; False then."""
        with self._mutex:
            if self.lost or not self.sha:
                return False
            started = self.clock.monotonic()
            try:
                renewed = self.git.swap(
                    self.sha, me(self.ttl, self.clock, self._since), self.lockfile(),
                    limit=self.deadline - started,
                )  # fmt: skip
            except LeaseError as e:
                self._lose(f"it could not be renewed ({e.message})")
                return False
            if renewed is None:
                self._lose("it was taken over or removed on the remote")
                return False
            self.sha, self.deadline = renewed, started + self.ttl - self.margin
            return True

    def confirm(self) -> None:
        """After a pause and before launches begin: renew now (proving the lease is still ours
        on the remote), then check."""
        self.renew()
        self.check()

    def _renew(self) -> None:
        while not self._stop.wait(self.every):
            if not self.renew():
                return

    def _lose(self, why: str) -> None:
        if self.lost:
            return
        self.lost = why
        if self.on_lost:
            self.on_lost(why)

    def _warn(self, text: str) -> None:
        if text not in self._warned and self.on_warn:
            self._warned.add(text)
            self.on_warn(text)

    # -- taking ----------------------------------------------------------------------------
    def _take(self) -> None:
        clock = self.clock
        give_up = clock.monotonic() + self.timeout
        seen: tuple[str, float, Holder | None] = ("", clock.monotonic(), None)
        told, misses = False, 0
        self._refuse_legacy()
        while True:
            old, holder = self.git.current(limit=self._bound(give_up))
            now, at = clock.time(), clock.monotonic()
            if old != seen[0]:
                self._renewed_while_expired(seen[2], holder, now)
                seen = (old, at, holder)
            for said in skew(holder, now, self.ttl) if holder else ():
                self._warn(said)
            if self._free(holder, now, at - seen[1]):
                inherited = self.git.carried(old)
                started = clock.monotonic()
                taken = self.git.swap(old, me(self.ttl, clock, self._since), inherited,
                                      limit=self._bound(give_up))  # fmt: skip
                if taken:
                    self.sha, self.inherited = taken, inherited
                    self.deadline = started + self.ttl - self.margin
                    return
                misses += 1  # another machine moved first: look again, within the time allowed
                if clock.monotonic() < give_up or misses < 3:
                    continue
            if clock.monotonic() >= give_up:
                raise self._busy(holder, now, misses)
            if self.on_wait and not told and holder is not None:
                self.on_wait(f"the shared lease ({holder.describe()})")
                told = True
            clock.sleep(min(2.0, max(0.2, give_up - clock.monotonic())))

    def _bound(self, give_up: float) -> float:
        """A git call while taking lasts until --lock-timeout ends, but always long enough
        for one round trip to a distant server."""
        return max(SHORTEST_CALL, give_up - self.clock.monotonic())

    def _free(self, holder: Holder | None, now: float, watched: float) -> bool:
        if holder is None or holder.until == 0:
            return True
        expired_for = now - holder.until
        if expired_for > self.ttl + self.margin:
            return True
        if expired_for > self.margin and watched > self.every + self.margin:
            return True
        return watched > max(self.ttl, holder.ttl)

    def _renewed_while_expired(self, before: Holder | None, after: Holder | None,
                               now: float) -> None:  # fmt: skip
        if before is None or after is None or before.until == 0 or after.until == 0:
            return
        if (before.who, before.since) == (after.who, after.since) and now - before.until > 1:
            self._warn(f"the lease held by {shown(after.who, 80)} was renewed although by "
                       f"this machine's clock it had expired {now - before.until:.0f} s before: "
                       "this clock is at least that far ahead of the holder's")  # fmt: skip

    def _busy(self, holder: Holder | None, now: float, misses: int) -> LockBusyError:
        if holder is None:
            return LockBusyError(
                f"the shared lease changed under this apply {misses} times",
                hint="try again, or pass --lock-timeout SECONDS to wait",
            )
        watch = max(self.ttl, holder.ttl) + self.margin
        if holder.until < now:
            state = (f"it expired {now - holder.until:.0f} s ago by this machine's clock, and "
                     "is taken over once it is seen not renewed, within "
                     f"{watch:.0f} s")  # fmt: skip
            wait = f"pass --lock-timeout {watch:.0f} to wait for that"
        else:
            state = f"it expires {holder.until - now:.0f} s from now unless renewed"
            wait = "wait for it to finish, or pass --lock-timeout SECONDS to wait"
        return LockBusyError(
            f"another launchspec apply holds the shared lease ({holder.describe()}; {state})",
            hint=f"{wait}; {BREAK_HINT}",
        )

    def _refuse_legacy(self) -> None:
        """A live lease under the name earlier versions gave this folder's ref is still a
        holder: refused, not ignored."""
        legacy = legacy_ref_for(self.git.prefix)
        if legacy == self.git.ref:
            return
        sha = self.git.heads(legacy).get(legacy)
        if not sha:
            return
        try:
            holder = self.git.holder(legacy, sha)
        except LeaseError:
            return  # not a lease this version can judge: the new ref is what counts
        if holder.until > self.clock.time() - self.margin:
            raise LockBusyError(
                f"an earlier launchspec holds this folder's lease under its old name {legacy} "
                f"({holder.describe()}; until {stamp(holder.until)})",
                hint="let that apply finish (the old name is not used once it has expired)",
            )
