"""A lease on the git remote, shared by every machine that applies the project.

The local file lock covers one checkout. Two clones (a laptop and the apply workflow, or two
repositories on one organisation) share only the git remote, and a ref update with an
expected old value (`git push --force-with-lease=REF:OLD`) is a compare-and-swap on every git
server. The lease is a commit on `refs/launchspec/lease` whose message says who holds it and
until when; it is renewed while an apply runs, released at the end, and may be taken over
once it has expired (its holder died). Clocks are assumed to agree within a few seconds.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from runner.errors import LockBusyError, LockfileError

REF = "refs/launchspec/lease"  # a project at the top of its repository
LEASES = "refs/launchspec/leases"  # + the folder, for a project below the top
# The lease commit's author: CI runners often have no git identity configured.
IDENTITY = {
    "GIT_AUTHOR_NAME": "launchspec",
    "GIT_AUTHOR_EMAIL": "launchspec@invalid",
    "GIT_COMMITTER_NAME": "launchspec",
    "GIT_COMMITTER_EMAIL": "launchspec@invalid",
}
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
CARRIED = "launchspec.lock.json"  # the holder's lockfile rides in the lease commit
GIT_TIMEOUT = 30.0


def ref_for(prefix: str) -> str:
    """The lease ref of the project at `prefix` in its repository ("" at the top)."""
    parts = [re.sub(r"[^A-Za-z0-9_-]+", "-", p).strip("-") or "_" for p in
             prefix.strip("/").split("/") if p]  # fmt: skip
    return f"{LEASES}/{'/'.join(parts)}" if parts else REF


class LeaseError(LockfileError):
    """The shared lease cannot be read or written (the remote is unreachable, say)."""


@dataclass(frozen=True)
class Holder:
    """Who holds the lease, since when, until when."""

    who: str
    since: float
    until: float
    run_url: str = ""

    def describe(self) -> str:
        since = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(self.since))
        where = f", {self.run_url}" if self.run_url else ""
        return f"{self.who}{where}, since {since}"


def me(ttl: float, since: float | None = None) -> Holder:
    """This process as a holder: host and pid, and the GitHub Actions run when under Actions."""
    env = os.environ
    url = ""
    if env.get("GITHUB_RUN_ID") and env.get("GITHUB_REPOSITORY"):
        server = env.get("GITHUB_SERVER_URL", "https://github.com")
        url = f"{server}/{env['GITHUB_REPOSITORY']}/actions/runs/{env['GITHUB_RUN_ID']}"
    now = time.time()
    return Holder(f"pid {os.getpid()} on {socket.gethostname()}", since or now, now + ttl, url)


class Git:
    """The git plumbing a lease needs, run in the project's repository."""

    def __init__(self, root: Path, remote: str) -> None:
        self.root = root
        self.remote = remote
        self._ref: str | None = None

    @property
    def ref(self) -> str:
        """The lease's ref: one per project folder, so that folders with their own lockfiles
        (docs/scaling.md) neither wait for nor inherit each other."""
        if self._ref is None:
            prefix = self.run("rev-parse", "--show-prefix", check=False).stdout.strip()
            self._ref = ref_for(prefix)
        return self._ref

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "true", **IDENTITY}
        try:
            proc = subprocess.run(
                ["git", *args], cwd=self.root, capture_output=True, text=True,
                timeout=GIT_TIMEOUT, env=env, stdin=subprocess.DEVNULL,
            )  # fmt: skip
        except (OSError, subprocess.TimeoutExpired) as e:
            raise LeaseError(f"git {args[0]} failed: {e}", hint=OFFLINE_HINT) from None
        if check and proc.returncode != 0:
            said = proc.stderr.strip().splitlines()[-1:] or ["no message"]
            raise LeaseError(f"git {args[0]} failed: {said[0]}", hint=OFFLINE_HINT)
        return proc

    def has_remote(self) -> bool:
        inside = self.run("rev-parse", "--git-dir", check=False).returncode == 0
        return inside and self.remote in self.run("remote", check=False).stdout.split()

    def current(self) -> tuple[str, Holder | None]:
        """The lease commit on the remote and its holder ("" and None when nobody holds it)."""
        ref = self.ref
        out = self.run("ls-remote", self.remote, ref).stdout.split()
        if not out:
            return "", None
        sha = out[0]
        self.run("fetch", "--quiet", "--no-tags", self.remote, f"+{ref}:{ref}")
        message = self.run("log", "-1", "--format=%B", sha).stdout
        try:
            data = json.loads(message)
            return sha, Holder(str(data["who"]), float(data["since"]), float(data["until"]),
                               str(data.get("run_url", "")))  # fmt: skip
        except (ValueError, KeyError, TypeError):
            return sha, Holder("an unreadable lease", 0.0, 0.0)  # expired: may be taken

    def carried(self, sha: str) -> bytes | None:
        """The lockfile a lease commit carries (its holder's, as of its last renewal)."""
        if not sha:
            return None
        proc = self.run("cat-file", "blob", f"{sha}:{CARRIED}", check=False)
        return proc.stdout.encode() if proc.returncode == 0 else None

    def _tree(self, lockfile: bytes | None) -> str:
        if lockfile is None:
            return EMPTY_TREE
        blob = self.run_input(lockfile, "hash-object", "-w", "--stdin")
        return self.run_input(f"100644 blob {blob}\t{CARRIED}\n".encode(), "mktree")

    def run_input(self, data: bytes, *args: str) -> str:
        try:
            proc = subprocess.run(["git", *args], cwd=self.root, input=data, capture_output=True,
                                  timeout=GIT_TIMEOUT, env={**os.environ, **IDENTITY})  # fmt: skip
        except (OSError, subprocess.TimeoutExpired) as e:
            raise LeaseError(f"git {args[0]} failed: {e}", hint=OFFLINE_HINT) from None
        if proc.returncode != 0:
            raise LeaseError(f"git {args[0]} failed: {proc.stderr.decode().strip()}")
        return proc.stdout.decode().strip()

    def swap(self, old: str, holder: Holder | None, lockfile: bytes | None = None) -> str | None:
        """Compare-and-swap the remote ref from `old` ("" = absent) to a lease for `holder`
        carrying `lockfile` (None = delete the ref). The new commit, or None when the ref was
        not `old` any more."""
        new = ""
        if holder is not None:
            message = json.dumps(holder.__dict__, sort_keys=True)
            tree = self._tree(lockfile)
            new = self.run("commit-tree", tree, "-m", message).stdout.strip()
        proc = self.run(
            "push", "--quiet", "--porcelain", f"--force-with-lease={self.ref}:{old}",
            self.remote, f"{new}:{self.ref}", check=False,
        )  # fmt: skip
        if proc.returncode == 0:
            return new
        if "stale info" in proc.stdout + proc.stderr or "rejected" in proc.stdout + proc.stderr:
            return None
        said = (proc.stderr.strip().splitlines() or ["no message"])[-1]
        raise LeaseError(f"git push of the lease failed: {said}", hint=OFFLINE_HINT)


OFFLINE_HINT = (
    "the lease on the git remote keeps two machines from launching the same specs; if the "
    "remote cannot be reached, apply from where it can, or pass --no-lease to rely on this "
    "checkout's lock alone"
)


class Lease:
    """The shared lease, held for the length of a `with` block and renewed meanwhile."""

    def __init__(
        self,
        git: Git,
        ttl: float = 120.0,
        timeout: float = 0.0,
        on_wait: Callable[[str], None] | None = None,
        on_lost: Callable[[], None] | None = None,
        lockfile: Callable[[], bytes | None] = lambda: None,
    ) -> None:
        self.git, self.ttl, self.timeout = git, ttl, timeout
        self.on_wait, self.on_lost = on_wait, on_lost
        self.lockfile = lockfile  # this checkout's lockfile, now: carried on every renewal
        self.inherited: bytes | None = None  # the lockfile the previous holder left
        self.sha = ""
        self._since = time.time()
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None

    def __enter__(self) -> Lease:
        self._take()
        self._renewer = threading.Thread(target=self._renew, name="lease", daemon=True)
        self._renewer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join(timeout=GIT_TIMEOUT)
        if self.sha:
            # Left for the next holder: the lease ref stays, expired, carrying the lockfile.
            released = replace(me(0, self._since), until=0.0)
            self.git.swap(self.sha, released, self.lockfile())

    def _take(self) -> None:
        give_up = time.monotonic() + self.timeout
        told = False
        while True:
            old, holder = self.git.current()
            if holder is None or holder.until < time.time():
                inherited = self.git.carried(old)
                taken = self.git.swap(old, me(self.ttl, self._since), inherited)
                if taken:
                    self.sha, self.inherited = taken, inherited
                    return
                continue  # another machine moved first: look again
            if time.monotonic() >= give_up:
                raise LockBusyError(
                    f"another launchspec apply holds the shared lease ({holder.describe()}; "
                    f"it expires {max(0, holder.until - time.time()):.0f} s from now unless "
                    "renewed)",
                    hint="wait for it to finish, or pass --lock-timeout SECONDS to wait",
                )
            if self.on_wait and not told:
                self.on_wait(f"the shared lease ({holder.describe()})")
                told = True
            time.sleep(min(2.0, max(0.2, give_up - time.monotonic())))

    def _renew(self) -> None:
        while not self._stop.wait(self.ttl / 3):
            try:
                renewed = self.git.swap(self.sha, me(self.ttl, self._since), self.lockfile())
            except LeaseError:
                continue  # a passing network fault: the lease lasts `ttl`, try again
            if renewed is None:
                self.sha = ""
                if self.on_lost:
                    self.on_lost()
                return
            self.sha = renewed
