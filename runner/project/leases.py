"""`launchspec lease show` and `lease break`: the shared lease as a person sees and clears it."""

from __future__ import annotations

from dataclasses import dataclass, field

from runner.errors import UsageError
from runner.specs.config import Config
from runner.state.holder import SYSTEM, Clock, Holder, LeaseError, skew, stamp
from runner.state.leasegit import Git, legacy_ref_for


@dataclass
class Found:
    """One lease ref on the remote and what it says."""

    ref: str
    sha: str = ""  # "" when the ref does not exist
    holder: Holder | None = None
    problem: str = ""  # why its commit cannot be judged (garbage in it)
    warnings: list[str] = field(default_factory=list)
    state: str = "nobody holds it"


def _git(config: Config) -> Git:
    if config.lease_remote is None:
        raise UsageError("the shared lease is off in launchspec.yaml (lease: false)")
    git = Git(config.root, config.lease_remote)
    if not git.has_remote():
        raise UsageError(f"no git remote {config.lease_remote!r} here, so no shared lease")
    return git


def show(config: Config, clock: Clock = SYSTEM) -> list[Found]:
    """This project's lease (and one under the name earlier versions used, when there is)."""
    git = _git(config)
    legacy = legacy_ref_for(git.prefix)
    refs = [git.ref] + ([legacy] if legacy != git.ref else [])
    heads = git.heads(*refs)
    found = []
    for ref in refs:
        if ref != git.ref and ref not in heads:
            continue
        found.append(_judge(git, ref, heads.get(ref, ""), config.lease_ttl, clock.time()))
    return found


def _judge(git: Git, ref: str, sha: str, ttl: float, now: float) -> Found:
    seen = Found(ref, sha)
    if not sha:
        return seen
    try:
        holder = seen.holder = git.holder(ref, sha)
    except LeaseError as e:
        seen.problem, seen.state = e.message, "cannot be judged: `launchspec lease break` it"
        return seen
    seen.warnings = skew(holder, now, ttl)
    if holder.until == 0:
        seen.state = "released (free to take)"
    elif holder.until < now:
        seen.state = f"expired {now - holder.until:.0f} s ago, at {stamp(holder.until)}"
    else:
        seen.state = f"held, expires in {holder.until - now:.0f} s unless renewed"
    return seen


def break_lease(config: Config, ref: str, sha: str) -> bool:
    """Remove lease commit `sha` from `ref` on the remote; False when the ref has moved since
    (somebody took or renewed it: look again)."""
    return _git(config).swap(sha, None, ref=ref) is not None
