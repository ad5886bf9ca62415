"""Two clones of one repository apply the same new specs at once: exactly once across machines."""

from __future__ import annotations

import json
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from runner.state.leasegit import ref_for
from runner.state.lockfile import Lockfile, write_lockfile
from tests.chaos.harness import ApplyProcess, Server, cli_env, write_specs
from tests.support.cli import run_cli
from tests.support.sandbox import SandboxProcess

SPECS = 40


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout


def _two_clones(tmp_path: Path, org: str, config: str = "") -> tuple[Path, Path]:
    """A repository with SPECS new specs and a committed lockfile, cloned twice."""
    remote, seed = tmp_path / "remote.git", tmp_path / "seed"
    _git(tmp_path, "init", "--quiet", "--bare", str(remote))
    _git(tmp_path, "init", "--quiet", "-b", "main", str(seed))
    write_specs(seed, SPECS, prefix="twin")
    (seed / "launchspec.yaml").write_text("limits: {settle_seconds: 1, max_launches: 100}\n"
                                          + config)
    write_lockfile(seed / "launchspec.lock.json", Lockfile.new(org))
    _git(seed, "add", ".")
    _git(seed, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "--quiet", "-m", "specs")
    _git(seed, "push", "--quiet", str(remote), "main")
    a, b = tmp_path / "a", tmp_path / "b"
    for clone in (a, b):
        _git(tmp_path, "clone", "--quiet", "-b", "main", str(remote), str(clone))
    return a, b


def _both_planned_before_either_launches(
    server: Server, a: Path, b: Path, env: dict[str, str], *args: str
) -> tuple[ApplyProcess, ApplyProcess]:
    """Both clones apply at once, each launching one at a time; the sandbox holds launches until
    each has sent one, so both planned before either launch committed: the race is forced,
    not hoped for (on a loaded machine one process may well finish before the other starts)."""
    server.set_faults(hold_launches=True)
    first = ApplyProcess.start(a, env, "--concurrency", "1", *args)
    second = ApplyProcess.start(b, env, "--concurrency", "1", *args)
    server.wait_held(2, first, second)
    server.set_faults(hold_launches=False)
    first.finish(timeout=180)
    second.finish(timeout=180)
    return first, second


def _active(server: Server) -> list[str]:
    return [r["name"] for r in server.runs()]


@pytest.mark.slow
def test_with_the_lease_each_spec_launches_once_and_lockfiles_agree(
    tmp_path: Path, sandbox_factory: Callable[..., SandboxProcess]
) -> None:
    """The second apply reaches the lease while the first holds it (its launches held at the
    sandbox until then), so it waits, and then launches nothing the first launched."""
    server = Server(sandbox_factory("--admin", "--latency-ms", "50", "--fault-seed", "1"))
    a, b = _two_clones(tmp_path, server.sb.org)
    env = cli_env(server.sb)
    server.set_faults(hold_launches=True)
    first = ApplyProcess.start(a, env, "--lock-timeout", "120")
    server.wait_held(1, first)
    second = ApplyProcess.start(b, env, "--lock-timeout", "120")
    assert second.wait_for("shared lease", timeout=120, stderr=True), second.text
    server.set_faults(hold_launches=False)
    assert first.finish(timeout=180) == 0, first.text
    assert second.finish(timeout=180) == 0, second.text
    names = _active(server)
    assert len(names) == len(set(names)) == SPECS
    lock_a, lock_b = (c / "launchspec.lock.json" for c in (a, b))
    assert lock_a.read_bytes() == lock_b.read_bytes()


@pytest.mark.slow
def test_a_holder_killed_mid_apply_is_taken_over_after_expiry(
    tmp_path: Path, sandbox_factory: Callable[..., SandboxProcess]
) -> None:
    """Killed with two launches committed and unanswered (held at the sandbox: it cannot have
    finished and released its lease first, however slow the test): the other clone waits for
    the dead holder's lease to expire, adopts those two runs by their markers, launches the
    rest, and no spec runs twice."""
    server = Server(sandbox_factory("--admin", "--latency-ms", "50", "--fault-seed", "2"))
    a, b = _two_clones(tmp_path, server.sb.org, "lease: {ttl_seconds: 6}\n")
    env = cli_env(server.sb)
    server.set_faults(hold_answers=True)
    killed = ApplyProcess.start(a, env, "--concurrency", "2")
    server.wait_held(2, killed)
    killed.signal(signal.SIGKILL)
    killed.finish(timeout=60)
    server.set_faults(hold_answers=False)
    assert len(_active(server)) == 2  # launched by the dead holder, recorded nowhere
    other = ApplyProcess.start(b, env, "--lock-timeout", "120")
    assert other.finish(timeout=180) == 0, other.text
    # It waited for the dead holder's lease to expire (its own start may outlast a second).
    assert "waiting for another launchspec apply to finish (the shared lease" in other.text
    assert "2 adopted" in other.text, other.text
    names = _active(server)
    assert len(names) == len(set(names)) == SPECS, sorted(names)


@pytest.mark.slow
def test_without_the_lease_duplicates_are_reported_and_settled(
    tmp_path: Path, sandbox_factory: Callable[..., SandboxProcess]
) -> None:
    server = Server(sandbox_factory("--admin", "--fault-seed", "3"))
    a, b = _two_clones(tmp_path, server.sb.org)
    env = cli_env(server.sb)
    first, second = _both_planned_before_either_launches(server, a, b, env, "--no-lease")
    names = _active(server)
    assert len(names) == 2 * SPECS, "both planned before either launched: every spec twice"
    outputs = first.text + second.text
    assert "duplicate twin-" in outputs and 1 in (first.proc.returncode, second.proc.returncode)

    refreshed = run_cli(a, "plan", "--refresh", env=env)
    assert "launched more than once" in refreshed.out, refreshed.text
    assert "apply --dedupe" in refreshed.out

    deduped = run_cli(a, "apply", "--yes", "--dedupe", "--no-lease", env=env)
    assert deduped.code == 0, deduped.text
    names = _active(server)
    assert len(names) == len(set(names)) == SPECS
    again = run_cli(a, "plan", "--refresh", env=env)
    assert "launched more than once" not in again.out, again.text


def test_status_flags_a_key_launched_twice(
    tmp_path: Path, sandbox_factory: Callable[..., SandboxProcess]
) -> None:
    server = Server(sandbox_factory("--admin", "--fault-seed", "4"))
    a, b = _two_clones(tmp_path, server.sb.org)
    _both_planned_before_either_launches(server, a, b, cli_env(server.sb), "--no-lease")
    assert len(_active(server)) == 2 * SPECS  # the duplicates exist: status has them to find
    shown = run_cli(a, "status", env=cli_env(server.sb))
    assert "launched more than once" in shown.out, shown.text


def test_two_projects_in_one_repository_hold_their_own_leases(
    tmp_path: Path, sandbox_factory: Callable[..., SandboxProcess]
) -> None:
    """One lockfile per folder (docs/scaling.md): each folder's apply takes its own lease, and
    no folder inherits another's lockfile through it."""
    server = Server(sandbox_factory("--admin"))
    remote, seed = tmp_path / "remote.git", tmp_path / "seed"
    _git(tmp_path, "init", "--quiet", "--bare", str(remote))
    _git(tmp_path, "init", "--quiet", "-b", "main", str(seed))
    for folder in ("finance", "people ops"):
        write_specs(seed / folder, 2, prefix=folder.split()[0])
        (seed / folder / "launchspec.yaml").write_text("limits: {settle_seconds: 1}\n")
    _git(seed, "add", ".")
    _git(seed, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "--quiet", "-m", "specs")
    _git(seed, "remote", "add", "origin", str(remote))
    _git(seed, "push", "--quiet", "origin", "main")
    for folder in ("finance", "people ops"):
        result = run_cli(seed / folder, "apply", "--yes", env=cli_env(server.sb))
        assert result.code == 0, result.text
    refs = _git(remote, "for-each-ref", "--format=%(refname)", "refs/launchspec")
    assert refs.split() == [ref_for("finance/"), ref_for("people ops/")]
    assert refs.split()[1].startswith("refs/launchspec/leases/people-ops-")
    people = json.loads((seed / "people ops" / "launchspec.lock.json").read_text())
    assert sorted(people["launches"]) == ["people-000", "people-001"]
