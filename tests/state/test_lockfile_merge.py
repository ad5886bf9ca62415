"""Two applies' lockfiles merge without a JSON conflict: by hand, and as git's merge driver."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from runner.state.lockfile import LockEntry, Lockfile, read_lockfile, write_lockfile
from runner.state.merge import merged


def _entry(run: str, at: str = "2026-12-01T09:00:00Z") -> LockEntry:
    return LockEntry(run_id=run, template_id="f" * 32, launched_at=at, name="n", digest="d")


BASE = Lockfile.new("o" * 32)


def test_union_and_the_earlier_launch_wins() -> None:
    ours = replace(BASE, serial=3, entries={"a": _entry("1" * 32), "both": _entry("b" * 32)})
    theirs = replace(BASE, serial=4, entries={
        "c": _entry("3" * 32), "both": _entry("a" * 32, "2026-12-01T08:59:00Z")})
    out = merged(ours, theirs)
    assert out is not None
    assert set(out.entries) == {"a", "both", "c"}
    assert out.entries["both"].run_id == "a" * 32  # launched a minute earlier
    assert out.serial == 5
    swapped = merged(theirs, ours)  # every machine computes the same entries
    assert swapped is not None and swapped.entries == out.entries


def test_different_lineages_do_not_merge() -> None:
    other = Lockfile.new("o" * 32)
    ours = replace(BASE, entries={"a": _entry("1" * 32)})
    assert merged(ours, replace(other, entries={"b": _entry("2" * 32)})) is None


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=cwd,
                   check=True, capture_output=True, text=True)


def test_git_merges_two_branches_lockfiles_with_the_driver(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    _git(tmp_path, "init", "--quiet", "-b", "main", str(repo))
    lock = repo / "launchspec.lock.json"
    write_lockfile(lock, replace(BASE, serial=1, entries={"a": _entry("1" * 32)}))
    (repo / ".gitattributes").write_text("launchspec.lock.json merge=launchspec\n")
    _git(repo, "config", "merge.launchspec.driver",
         f"{sys.executable} -m runner lockfile merge %O %A %B")
    _git(repo, "add", ".")
    _git(repo, "commit", "--quiet", "-m", "base")
    _git(repo, "checkout", "--quiet", "-b", "laptop")
    write_lockfile(lock, replace(read_lockfile(lock), serial=2,
                                 entries={**read_lockfile(lock).entries, "b": _entry("2" * 32)}))
    _git(repo, "commit", "--quiet", "-am", "laptop apply")
    _git(repo, "checkout", "--quiet", "main")
    write_lockfile(lock, replace(read_lockfile(lock), serial=2,
                                 entries={**read_lockfile(lock).entries, "c": _entry("3" * 32)}))
    _git(repo, "commit", "--quiet", "-am", "ci apply")
    _git(repo, "merge", "--quiet", "--no-edit", "laptop")  # check=True: no conflict
    assert set(read_lockfile(lock).entries) == {"a", "b", "c"}
    assert "<<<<<<<" not in lock.read_text()


def test_scans_merge_to_the_older_read_and_every_marked_run() -> None:
    from runner.state.scans import Scan

    base = Lockfile.new()
    ours = replace(base, entries={"a": _entry("r1")},
                   scans={"t": Scan("2026-12-01T10:00:00Z", {"launchspec-id: x/k": ("r7",)})})
    theirs = replace(base, entries={"b": _entry("r2")},
                     scans={"t": Scan("2026-12-01T09:00:00Z", {"launchspec-id: y/k": ("r8",)}),
                            "u": Scan("2026-12-02T00:00:00Z")})  # fmt: skip
    both = merged(ours, theirs)
    assert both is not None
    assert both.scans["t"] == Scan(
        "2026-12-01T09:00:00Z", {"launchspec-id: x/k": ("r7",), "launchspec-id: y/k": ("r8",)}
    )
    assert both.scans["u"] == Scan("2026-12-02T00:00:00Z")


def test_scans_survive_a_write_and_a_read(tmp_path: Path) -> None:
    from runner.state.scans import Scan

    lock = replace(Lockfile.new(), entries={"a": _entry("r1")},
                   scans={"t": Scan("2026-12-01T10:00:00Z", {"launchspec-id: x/k": ("r7",)})})
    write_lockfile(tmp_path / "l.json", lock)
    assert read_lockfile(tmp_path / "l.json").scans == lock.scans
