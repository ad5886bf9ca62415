"""The git plumbing of the shared lease: its ref's name, and bounded reads and swaps of it.

A ref update with an expected old value (`git push --force-with-lease=REF:OLD`) is a
compare-and-swap on every git server. Every git call here is bounded in time (its whole
process group is killed at the bound, so a hung ssh or credential helper cannot hold it), and
a refused push says git's own reason.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
from pathlib import Path

from runner.state.holder import Holder, LeaseError, parse

REF = "refs/launchspec/lease"  # a project at the top of its repository
LEASES = "refs/launchspec/leases"  # + one component naming the folder, below the top
# The lease commit's author: CI runners often have no git identity configured.
IDENTITY = {
    "GIT_AUTHOR_NAME": "launchspec",
    "GIT_AUTHOR_EMAIL": "launchspec@invalid",
    "GIT_COMMITTER_NAME": "launchspec",
    "GIT_COMMITTER_EMAIL": "launchspec@invalid",
}
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
CARRIED = "launchspec.lock.json"  # the holder's lockfile rides in the lease commit
GIT_TIMEOUT = 20.0  # seconds for one git call at most
SHORTEST_CALL = 10.0  # seconds a call to the remote may always take while taking the lease
SLUG = 48  # characters of the folder's readable part at most

OFFLINE_HINT = (
    "the lease on the git remote keeps two machines from launching the same specs; if the "
    "remote cannot be reached, apply from where it can, or pass --no-lease to rely on this "
    "checkout's lock alone"
)


def ref_for(prefix: str) -> str:
    """The lease ref of the project at `prefix` in its repository ("" at the top).

    One component below `leases/` (a ref cannot sit beside a folder of refs of its own name,
    so `ops` and `ops/emea` must not nest): a readable ASCII slug of the path, then a hash of
    its exact text, so that no two folders share a ref (`people ops`, `people-ops`, any two
    non-ASCII names)."""
    path = prefix.strip("/")
    if not path:
        return REF
    slug = re.sub(r"[^A-Za-z0-9_]+", "-", path).strip("-")[:SLUG].strip("-") or "folder"
    digest = hashlib.sha256(path.encode("utf-8", "surrogateescape")).hexdigest()[:12]
    return f"{LEASES}/{slug}-{digest}"


def legacy_ref_for(prefix: str) -> str:
    """The ref earlier versions used for the folder (shared by some folders, nested)."""
    parts = [re.sub(r"[^A-Za-z0-9_-]+", "-", p).strip("-") or "_" for p in
             prefix.strip("/").split("/") if p]  # fmt: skip
    return f"{LEASES}/{'/'.join(parts)}" if parts else REF


def rejection(output: str) -> str | None:
    """Why git refused a push, from its porcelain line and the remote's error lines (None: it
    did not say)."""
    lines = [line.strip() for line in output.splitlines()]
    said = [line.removeprefix("remote: ").strip() for line in lines
            if line.startswith(("remote: error:", "error:", "fatal:"))
            and "failed to push some refs" not in line]  # fmt: skip
    for line in lines:
        found = re.match(r"!\s+\S+\s+\[(?:remote )?rejected\]\s*\((.*)\)", line)
        if found:
            return "; ".join([found.group(1), *said])
    return "; ".join(said) or None


def moved(why: str) -> bool:
    """A refusal that means another push to the ref went first (look again), not a fault."""
    races = ("but expected", "reference already exists", ".lock': File exists")
    return why.startswith("stale info") or any(race in why for race in races)


class Git:
    """The git plumbing a lease needs, run in the project's repository."""

    def __init__(self, root: Path, remote: str, timeout: float = GIT_TIMEOUT) -> None:
        self.root = root
        self.remote = remote
        self.timeout = timeout
        self._prefix: str | None = None

    @property
    def prefix(self) -> str:
        """The project's folder in its repository ("" at the top)."""
        if self._prefix is None:
            shown = self.run("rev-parse", "--show-prefix", check=False).stdout
            self._prefix = shown.strip()
        return self._prefix

    @property
    def ref(self) -> str:
        """The lease's ref: one per project folder, so that folders with their own lockfiles
        (docs/scaling.md) neither wait for nor inherit each other."""
        return ref_for(self.prefix)

    def run(
        self, *args: str, check: bool = True, data: bytes | None = None, limit: float | None = None
    ) -> subprocess.CompletedProcess[str]:
        """git ARGS, killed (with whatever it started) after `limit` or the per-call bound."""
        env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "true", **IDENTITY}
        bound = max(0.5, min(self.timeout, self.timeout if limit is None else limit))
        try:
            proc = subprocess.Popen(
                ["git", *args], cwd=self.root, env=env, start_new_session=True,
                stdin=subprocess.PIPE if data is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            )  # fmt: skip
        except OSError as e:
            raise LeaseError(f"git {args[0]} failed: {e}", hint=OFFLINE_HINT) from None
        try:
            out, err = proc.communicate(data, timeout=bound)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise LeaseError(
                f"git {args[0]} did not finish within {bound:.0f} s", hint=OFFLINE_HINT
            ) from None
        done = subprocess.CompletedProcess(
            proc.args, proc.returncode, out.decode(errors="replace"), err.decode(errors="replace")
        )
        if check and done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["no message"])[-1]
            said = rejection(done.stderr) or last
            raise LeaseError(f"git {args[0]} failed: {said}", hint=OFFLINE_HINT)
        return done

    def has_remote(self) -> bool:
        inside = self.run("rev-parse", "--git-dir", check=False).returncode == 0
        return inside and self.remote in self.run("remote", check=False).stdout.split()

    def heads(self, *refs: str, limit: float | None = None) -> dict[str, str]:
        """The commits `refs` point at on the remote (absent refs are left out)."""
        out = self.run("ls-remote", self.remote, *refs, limit=limit).stdout
        pairs = (line.split("\t", 1) for line in out.splitlines() if "\t" in line)
        return {name: sha for sha, name in pairs if name in refs}

    def current(self, limit: float | None = None) -> tuple[str, Holder | None]:
        """The lease commit on the remote and its holder ("" and None when nobody holds it)."""
        sha = self.heads(self.ref, limit=limit).get(self.ref, "")
        return (sha, self.holder(self.ref, sha, limit)) if sha else ("", None)

    def holder(self, ref: str, sha: str, limit: float | None = None) -> Holder:
        """The holder lease commit `sha` (the tip of `ref` on the remote) names."""
        if self.run("cat-file", "-e", f"{sha}^{{commit}}", check=False).returncode != 0:
            self.run("fetch", "--quiet", "--no-tags", self.remote, f"+{ref}:{ref}", limit=limit)
        return parse(self.run("log", "-1", "--format=%B", sha).stdout, sha)

    def carried(self, sha: str) -> bytes | None:
        """The lockfile a lease commit carries (its holder's, as of its last renewal)."""
        if not sha:
            return None
        proc = self.run("cat-file", "blob", f"{sha}:{CARRIED}", check=False)
        return proc.stdout.encode() if proc.returncode == 0 else None

    def _tree(self, lockfile: bytes | None) -> str:
        if lockfile is None:
            return EMPTY_TREE
        blob = self.run("hash-object", "-w", "--stdin", data=lockfile).stdout.strip()
        entry = f"100644 blob {blob}\t{CARRIED}\n".encode()
        return self.run("mktree", data=entry).stdout.strip()

    def swap(
        self, old: str, holder: Holder | None, lockfile: bytes | None = None,
        limit: float | None = None, ref: str | None = None,
    ) -> str | None:  # fmt: skip
        """Compare-and-swap the remote ref from `old` ("" = absent) to a lease for `holder`
        carrying `lockfile` (None = delete the ref). The new commit, or None when the ref was
        not `old` any more; LeaseError, with git's reason, when the remote refused otherwise."""
        ref = ref or self.ref
        new = ""
        if holder is not None:
            tree = self._tree(lockfile)
            new = self.run("commit-tree", tree, "-m", holder.message()).stdout.strip()
        proc = self.run(
            "push", "--quiet", "--porcelain", f"--force-with-lease={ref}:{old}",
            self.remote, f"{new}:{ref}", check=False, limit=limit,
        )  # fmt: skip
        if proc.returncode == 0:
            return new
        why = rejection(proc.stdout + "\n" + proc.stderr) or "git gave no reason"
        if moved(why):
            return None  # the ref moved: another machine went first
        raise LeaseError(f"git push of the lease to {ref} was refused: {why}", hint=OFFLINE_HINT)
