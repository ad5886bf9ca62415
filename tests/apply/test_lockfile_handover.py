"""The lockfile handed over through the lease (issue 20): removals survive it, and another
project's lockfile is never taken. Fresh clones of one bare remote, against the sandbox."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from runner.remote.reconcile import marker_for
from runner.state.leasegit import ref_for
from runner.state.lockfile import Lockfile, read_lockfile, write_lockfile
from tests.chaos.harness import MONTH_END, Server, cli_env, write_specs
from tests.support.cli import Result, run_cli
from tests.support.sandbox import SandboxProcess, list_runs


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=cwd,
                          check=True, capture_output=True, text=True).stdout  # fmt: skip


def _specs(root: Path, numbers: Sequence[int], prefix: str = "twin") -> None:
    """Specs PREFIX-NNN for the given numbers only (the others deleted)."""
    write_specs(root, max(numbers) + 1, prefix)
    path = root / "specs" / f"{prefix}.yaml"
    docs = path.read_text().split("---\n")
    path.write_text("---\n".join(docs[n] for n in numbers))


def _repo(tmp_path: Path, folders: dict[str, int], lockfile_org: str | None) -> Path:
    """A bare remote holding one commit: per folder, that many specs (and, with
    `lockfile_org`, an empty lockfile); returns the remote."""
    remote, seed = tmp_path / "remote.git", tmp_path / "seed"
    _git(tmp_path, "init", "--quiet", "--bare", str(remote))
    _git(tmp_path, "init", "--quiet", "-b", "main", str(seed))
    for folder, count in folders.items():
        _specs(seed / folder, range(count), folder or "twin")
        if lockfile_org:
            write_lockfile(seed / folder / "launchspec.lock.json", Lockfile.new(lockfile_org))
    _git(seed, "add", ".")
    _git(seed, "commit", "--quiet", "-m", "specs")
    _git(seed, "push", "--quiet", str(remote), "main")
    return remote


def _clone(tmp_path: Path, remote: Path, name: str) -> Path:
    _git(tmp_path, "clone", "--quiet", "-b", "main", str(remote), str(tmp_path / name))
    return tmp_path / name


def _ok(result: Result) -> str:
    assert result.code == 0, result.text
    return result.text


def _runs_by_name(sb: SandboxProcess) -> dict[str, Counter[str]]:
    """Per run name, how many runs are active and how many archived."""
    out: dict[str, Counter[str]] = {}
    for status, runs in (("active", list_runs(sb)), ("archived", list_runs(sb, status="archived"))):
        for run in runs:
            out.setdefault(str(run["name"]), Counter())[status] += 1
    return out


@pytest.mark.timeout(120)
def test_a_key_pruned_on_one_clone_stays_pruned_when_another_hands_the_lockfile_back(
    tmp_path: Path, sandbox_factory: Callable[..., SandboxProcess]
) -> None:
    """Issue 20, item 4: A prunes twin-002; B, whose lockfile still holds it, applies a new
    key; A applies again. twin-002 used to come back as orphaned, and be archived again."""
    server = Server(sandbox_factory("--admin"))
    env = cli_env(server.sb)
    remote = _repo(tmp_path, {"": 3}, server.sb.org)
    a, b = _clone(tmp_path, remote, "a"), _clone(tmp_path, remote, "b")
    _ok(run_cli(a, "apply", "--yes", env=env))
    assert "took 3 launches from the shared lease" in _ok(run_cli(b, "apply", "--yes", env=env))

    _specs(a, [0, 1])
    assert "1 archived" in _ok(run_cli(a, "apply", "--yes", "--prune", env=env))
    _specs(b, [0, 1, 3])  # B has the spec change, not A's lockfile
    said = _ok(run_cli(b, "apply", "--yes", env=env))
    assert "1 key removed by another apply" in said and "twin-002" not in said, said
    _specs(a, [0, 1, 3])
    again = _ok(run_cli(a, "apply", "--yes", "--prune", env=env))
    assert "twin-002" not in again, again

    keys = ["twin-000", "twin-001", "twin-003"]
    for clone in (a, b):
        assert sorted(read_lockfile(clone / "launchspec.lock.json").entries) == keys
    runs = _runs_by_name(server.sb)
    assert {n: dict(c) for n, c in runs.items()} == {
        "Twin close 000": {"active": 1}, "Twin close 001": {"active": 1},
        "Twin close 002": {"archived": 1}, "Twin close 003": {"active": 1},
    }  # fmt: skip


@pytest.mark.timeout(120)
def test_another_folders_lockfile_is_never_taken_from_the_lease(
    tmp_path: Path, sandbox_factory: Callable[..., SandboxProcess]
) -> None:
    """Issue 20, item 3: the lease of folder `people` carries the lockfile of folder
    `finance` (as when two folders' lease refs collided, before each got a hash of its
    own). `people` used to take its five launches, and `apply --prune` there archived all
    of them."""
    server = Server(sandbox_factory("--admin"))
    env = cli_env(server.sb)
    remote = _repo(tmp_path, {"finance": 5, "people": 2}, None)
    repo = _clone(tmp_path, remote, "repo")
    _ok(run_cli(repo / "finance", "apply", "--yes", env=env))

    def cross() -> None:
        sha = _git(remote, "rev-parse", ref_for("finance/")).strip()
        _git(remote, "update-ref", ref_for("people/"), sha)

    cross()  # people has no lockfile yet: must not adopt finance's
    said = _ok(run_cli(repo / "people", "apply", "--yes", env=env))
    assert "took" not in said, said
    assert "project folder 'finance', not of 'people': not adopted" in said, said
    cross()  # people has a lockfile of its own now: must not merge finance's
    said = _ok(run_cli(repo / "people", "apply", "--yes", "--prune", env=env))
    assert "two histories, not merged" in said and "archived" not in said, said

    people = read_lockfile(repo / "people" / "launchspec.lock.json")
    assert sorted(people.entries) == ["people-000", "people-001"]
    assert people.project == "people"
    runs = _runs_by_name(server.sb)
    assert all(c == Counter(active=1) for c in runs.values()), runs
    assert len(runs) == 7


@pytest.mark.timeout(120)
def test_a_fresh_clone_without_a_lockfile_adopts_its_own_folders_lease(
    tmp_path: Path, sandbox_factory: Callable[..., SandboxProcess]
) -> None:
    """The one case where a lockfile of another lineage is taken: this folder has none yet,
    and the lease of this very folder carries one of this organisation."""
    server = Server(sandbox_factory("--admin"))
    env = cli_env(server.sb)
    remote = _repo(tmp_path, {"ops": 3}, None)
    a, b = _clone(tmp_path, remote, "a"), _clone(tmp_path, remote, "b")
    _ok(run_cli(a / "ops", "apply", "--yes", env=env))
    said = _ok(run_cli(b / "ops", "apply", "--yes", env=env))
    assert "took 3 launches from the shared lease" in said and "launched" not in said, said
    lock_a, lock_b = (read_lockfile(c / "ops" / "launchspec.lock.json") for c in (a, b))
    assert lock_a.lineage == lock_b.lineage and lock_b.entries == lock_a.entries
    assert len(list_runs(server.sb)) == 3


@pytest.mark.timeout(120)
def test_a_key_launched_on_two_clones_is_kept_once_reported_and_shown_as_a_duplicate(
    tmp_path: Path, sandbox_factory: Callable[..., SandboxProcess]
) -> None:
    """Both sides hold a different live run for one key: git's merge driver (clone B) and the
    lease hand-over (clone C) each keep the earlier launch, name both runs, and
    `plan --refresh` shows the key launched more than once; nothing is archived."""
    server = Server(sandbox_factory("--admin"))
    env = cli_env(server.sb)
    remote = _repo(tmp_path, {"": 1}, server.sb.org)
    a, b, c = (_clone(tmp_path, remote, name) for name in "abc")
    _ok(run_cli(a, "apply", "--yes", env=env))
    _git(a, "commit", "--quiet", "-am", "a applied")
    _git(a, "push", "--quiet", "origin", "main")
    mine = read_lockfile(a / "launchspec.lock.json")
    first = mine.entries["twin-000"]
    other = str(server.launch({
        "checklist_id": MONTH_END, "name": first.name,
        "summary": marker_for(mine.lineage, "twin-000"),
        "prerun": {"de2e7cb6223698268b40e953d3692403": "2026-01",
                   "bb45365012ec3bf9d8a3a9105ee7c16a": {"id": 42, "text": "Acme GmbH"}},
    })["id"])  # fmt: skip
    later = (datetime.strptime(first.launched_at, "%Y-%m-%dT%H:%M:%SZ") + timedelta(minutes=1))
    theirs = replace(first, run_id=other, launched_at=later.strftime("%Y-%m-%dT%H:%M:%SZ"))
    for clone in (b, c):  # as if each had launched it, a minute after A
        write_lockfile(clone / "launchspec.lock.json", mine.with_entry("twin-000", theirs))

    (b / ".gitattributes").write_text("launchspec.lock.json merge=launchspec\n")
    _git(b, "config", "merge.launchspec.driver",
         f"{sys.executable} -m runner lockfile merge %O %A %B")
    _git(b, "add", ".")
    _git(b, "commit", "--quiet", "-m", "b applied")
    pulled = subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "pull",
                             "--no-rebase", "--no-edit", "origin", "main"], cwd=b,
                            capture_output=True, text=True)  # fmt: skip
    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    assert f"twin-000: launched on both sides (runs {first.run_id} and {other})" in pulled.stderr
    said = _ok(run_cli(c, "apply", "--yes", env=env))
    assert f"twin-000 was launched on another machine too (runs {first.run_id} and {other})" \
        in said, said

    for clone in (b, c):
        assert read_lockfile(clone / "launchspec.lock.json").entries["twin-000"] == first
        shown = _ok(run_cli(clone, "plan", "--refresh", env=env))
        assert "launched more than once" in shown and other in shown, shown
    assert _runs_by_name(server.sb) == {first.name: Counter(active=2)}
