"""Who holds the shared lease: read from a lease commit, checked, and shown safely.

Everything in a lease commit was written by another machine, or by hand: its times are
checked (finite, within reason) before any is compared, and its text is shown with control
characters removed and never at the start of a workflow command (`::error::`).
"""

from __future__ import annotations

import json
import math
import os
import re
import socket
import time as _time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from runner.errors import LockfileError

LATEST = 2.0**33  # 2242: a lease time past this is not a clock, it is garbage
SHOWN = 200  # characters of a holder's field shown at most
SKEW_NOTICED = 1.0  # seconds of disagreement between clocks that are worth a warning


class LeaseError(LockfileError):
    """The shared lease cannot be read or written (the remote is unreachable, say)."""


BREAK_HINT = (
    "`launchspec lease show` says who holds it; once that apply is surely gone, "
    "`launchspec lease break` removes it"
)


@dataclass(frozen=True)
class Clock:
    """Wall time (compared with other machines' leases) and monotonic time (this process's
    deadlines); injected by tests, so that no test sleeps for time to pass."""

    time: Callable[[], float] = _time.time
    monotonic: Callable[[], float] = _time.monotonic
    sleep: Callable[[float], None] = _time.sleep
    # Run a function every so many seconds of this clock until it returns False; returns a
    # cancel. None: a thread waiting real time (tests hand one that runs as their time moves).
    repeat: Callable[[float, Callable[[], bool]], Callable[[], None]] | None = None


SYSTEM = Clock()


@dataclass(frozen=True)
class Holder:
    """Who holds the lease, since when, until when (until 0: released)."""

    who: str
    since: float
    until: float
    run_url: str = ""
    ttl: float = field(default=0.0)  # 0: written by a version that did not say

    def describe(self) -> str:
        where = f", {shown(self.run_url)}" if self.run_url else ""
        return f"{shown(self.who)}{where}, since {stamp(self.since)}"

    def message(self) -> str:
        return json.dumps(self.__dict__, sort_keys=True)


def me(ttl: float, clock: Clock = SYSTEM, since: float | None = None) -> Holder:
    """This process as a holder: host and pid, and the GitHub Actions run when under Actions."""
    env = os.environ
    url = ""
    if env.get("GITHUB_RUN_ID") and env.get("GITHUB_REPOSITORY"):
        server = env.get("GITHUB_SERVER_URL", "https://github.com")
        url = f"{server}/{env['GITHUB_REPOSITORY']}/actions/runs/{env['GITHUB_RUN_ID']}"
    now = clock.time()
    who = f"pid {os.getpid()} on {socket.gethostname()}"
    return Holder(who, now if since is None else since, now + ttl, url, ttl)


def parse(message: str, sha: str) -> Holder:
    """The holder a lease commit's message names; LeaseError when it names none sensibly."""
    try:
        data = json.loads(message)
        holder = Holder(
            str(data["who"]), float(data["since"]), float(data["until"]),
            str(data.get("run_url", "")), float(data.get("ttl", 0.0)),
        )  # fmt: skip
    except (ValueError, KeyError, TypeError, AttributeError, OverflowError):
        raise LeaseError(
            f"the lease commit {sha[:12]} on the remote is not a launchspec lease "
            f"({shown(message, 80)!r})",
            hint=BREAK_HINT,
        ) from None
    bad = [
        f"{name}={value!r}"
        for name, value in (("since", holder.since), ("until", holder.until), ("ttl", holder.ttl))
        if not (math.isfinite(value) and 0 <= value < LATEST)
    ]
    if bad:
        raise LeaseError(
            f"the lease commit {sha[:12]} on the remote holds impossible times "
            f"({', '.join(bad)}; held by {shown(holder.who, 80)}): it cannot be judged live "
            "or expired",
            hint=BREAK_HINT,
        )
    return holder


def skew(holder: Holder, now: float, ttl: float) -> list[str]:
    """What a lease's times say about the holder's clock, as warnings with the figures."""
    said = []
    ahead = holder.since - now
    if holder.until and ahead > SKEW_NOTICED:
        said.append(
            f"the lease held by {shown(holder.who, 80)} began {ahead:.0f} s in this machine's "
            "future: the two clocks disagree by at least that much"
        )
    allowed = holder.ttl or ttl
    left = holder.until - now
    if left > allowed + SKEW_NOTICED:
        said.append(
            f"the lease held by {shown(holder.who, 80)} expires {left:.0f} s from now, more "
            f"than its ttl of {allowed:.0f} s allows: its clock is {left - allowed:.0f} s or "
            "more ahead of this machine's"
        )
    return said


def stamp(when: float) -> str:
    """A lease time as UTC, whatever it holds."""
    try:
        return _time.strftime("%Y-%m-%d %H:%M:%S UTC", _time.gmtime(when))
    except (OverflowError, ValueError, OSError):
        return f"(an impossible time: {when!r})"


def shown(text: str, limit: int = SHOWN) -> str:
    """`text` fit for a terminal and a workflow log: no control or format characters (escape
    sequences, hyperlinks, bidi overrides, new lines), no `::` to start a workflow command."""
    kept = "".join(" " if unicodedata.category(c)[0] in "CZ" and c != " " else c for c in text)
    kept = re.sub(r":(?=:)", ": ", " ".join(kept.split()))
    return kept if len(kept) <= limit else kept[: limit - 1] + "…"
