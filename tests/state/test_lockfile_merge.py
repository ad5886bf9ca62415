"""Two applies' lockfiles merge without a JSON conflict: by hand, and as git's merge driver."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from runner.errors import LockfileError
from runner.state.lockfile import LockEntry, Lockfile, read_lockfile, write_lockfile
from runner.state.merge import Conflict, merge3


def _entry(run: str, at: str = "2026-12-01T09:00:00Z") -> LockEntry:
    return LockEntry(run_id=run, template_id="f" * 32, launched_at=at, name="n", digest="d")


BASE = Lockfile.new("o" * 32)


def test_union_and_the_earlier_launch_wins() -> None:
    ours = replace(BASE, serial=3, entries={"a": _entry("1" * 32), "both": _entry("b" * 32)})
    theirs = replace(BASE, serial=4, entries={
        "c": _entry("3" * 32), "both": _entry("a" * 32, "2026-12-01T08:59:00Z")})
    out = merge3(None, ours, theirs)
    assert set(out.lock.entries) == {"a", "both", "c"}
    assert out.lock.entries["both"].run_id == "a" * 32  # launched a minute earlier
    assert out.conflicts == (Conflict("both", "a" * 32, "b" * 32),)
    assert out.lock.serial == 5
    swapped = merge3(None, theirs, ours)  # every machine computes the same entries
    assert swapped.lock.entries == out.lock.entries


def test_different_lineages_do_not_merge_even_when_one_is_empty() -> None:
    other = Lockfile.new("o" * 32)
    ours = replace(BASE, entries={"a": _entry("1" * 32)})
    for mine, theirs in ((ours, replace(other, entries={"b": _entry("2" * 32)})),
                         (replace(BASE), replace(other, entries={"b": _entry("2" * 32)})),
                         (ours, other)):
        with pytest.raises(LockfileError) as caught:
            merge3(None, mine, theirs)
        assert BASE.lineage in caught.value.message and other.lineage in caught.value.message


def test_different_organisations_do_not_merge() -> None:
    theirs = replace(BASE, organization="p" * 32, entries={"b": _entry("2" * 32)})
    with pytest.raises(LockfileError) as caught:
        merge3(None, BASE, theirs)
    assert "o" * 32 in caught.value.message and "p" * 32 in caught.value.message


def test_a_key_removed_on_one_side_stays_removed_and_an_added_one_is_kept() -> None:
    base = replace(BASE, serial=2, entries={"a": _entry("1" * 32), "b": _entry("2" * 32)})
    forgot = base.without("b")  # serial 3
    added = base.with_entry("c", _entry("3" * 32))  # serial 3
    for out in (merge3(base, forgot, added), merge3(base, added, forgot)):
        assert set(out.lock.entries) == {"a", "c"}
        assert out.lock.serial == 4
        assert not out.conflicts


def test_an_archived_run_never_comes_back_even_without_a_base() -> None:
    old = replace(BASE, entries={"a": _entry("1" * 32), "b": _entry("2" * 32)})
    pruned = old.with_archived("b", "2" * 32, drop=True)
    for out in (merge3(None, old, pruned), merge3(None, pruned, old)):
        assert set(out.lock.entries) == {"a"}
        assert out.lock.archived == {"b": ("2" * 32,)}


def test_a_replaced_run_gives_way_to_the_new_one() -> None:
    base = replace(BASE, entries={"a": _entry("1" * 32)})
    replaced = base.with_archived("a", "1" * 32, drop=False).with_entry("a", _entry("9" * 32))
    for out in (merge3(None, base, replaced), merge3(base, base, replaced)):
        assert out.lock.entries["a"].run_id == "9" * 32 and not out.conflicts


def test_merging_a_lockfile_with_itself_changes_nothing() -> None:
    lock = replace(BASE, serial=7, entries={"a": _entry("1" * 32)})
    assert merge3(None, lock, lock).lock == lock
    assert merge3(replace(BASE), lock, lock).lock == lock


def _git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=cwd,
                          check=check, capture_output=True, text=True)


Edit = Callable[[Lockfile], Lockfile]


def _merge_branches(tmp_path: Path, base: Lockfile, laptop: Edit, ci: Edit) -> tuple[Path, str]:
    """A repository whose lockfile is `base`, changed by `laptop` on one branch and by `ci` on
    main, then `git merge laptop` into main with the merge driver: (lockfile, merge output)."""
    repo = tmp_path / "repo"
    _git(tmp_path, "init", "--quiet", "-b", "main", str(repo))
    lock = repo / "launchspec.lock.json"
    write_lockfile(lock, base)
    (repo / ".gitattributes").write_text("launchspec.lock.json merge=launchspec\n")
    _git(repo, "config", "merge.launchspec.driver",
         f"{sys.executable} -m runner lockfile merge %O %A %B")
    _git(repo, "add", ".")
    _git(repo, "commit", "--quiet", "-m", "base")
    _git(repo, "checkout", "--quiet", "-b", "laptop")
    write_lockfile(lock, laptop(read_lockfile(lock)))
    _git(repo, "commit", "--quiet", "-am", "laptop apply")
    _git(repo, "checkout", "--quiet", "main")
    write_lockfile(lock, ci(read_lockfile(lock)))
    _git(repo, "commit", "--quiet", "-am", "ci apply")
    merged = _git(repo, "merge", "--no-edit", "laptop", check=False)
    return lock, f"exit {merged.returncode}\n{merged.stdout}{merged.stderr}"


def test_git_merges_two_branches_lockfiles_with_the_driver(tmp_path: Path) -> None:
    base = replace(BASE, serial=1, entries={"a": _entry("1" * 32)})
    lock, said = _merge_branches(tmp_path, base, lambda x: x.with_entry("b", _entry("2" * 32)),
                                 lambda x: x.with_entry("c", _entry("3" * 32)))
    assert said.startswith("exit 0"), said
    assert set(read_lockfile(lock).entries) == {"a", "b", "c"}
    assert read_lockfile(lock).serial == 3
    assert "<<<<<<<" not in lock.read_text()


def test_git_merge_keeps_a_prune_and_a_forget_made_on_one_branch(tmp_path: Path) -> None:
    """Issue 20, item 4: one branch prunes (and forgets) keys, the other adds one; the merge
    used to bring every key back, with a serial equal to both sides'."""
    base = replace(BASE, serial=4, entries={k: _entry(k * 32) for k in "abc"})
    laptop = lambda x: x.with_archived("b", "b" * 32, drop=True).without("c")  # noqa: E731
    lock, said = _merge_branches(tmp_path, base, laptop,
                                 lambda x: x.with_entry("d", _entry("d" * 32)))
    assert said.startswith("exit 0"), said
    merged = read_lockfile(lock)
    assert set(merged.entries) == {"a", "d"}
    assert merged.archived == {"b": ("b" * 32,)}
    assert merged.serial > 6  # the laptop's serial is 6, main's 5


def test_git_merge_of_one_key_launched_on_both_branches_is_reported(tmp_path: Path) -> None:
    base = replace(BASE, serial=1, entries={"a": _entry("1" * 32)})
    lock, said = _merge_branches(
        tmp_path, base, lambda x: x.with_entry("k", _entry("8" * 32, "2026-12-01T09:01:00Z")),
        lambda x: x.with_entry("k", _entry("9" * 32, "2026-12-01T09:02:00Z")))
    assert said.startswith("exit 0"), said
    assert read_lockfile(lock).entries["k"].run_id == "8" * 32  # the earlier launch
    assert "k: launched on both sides" in said and "9" * 32 in said and "--refresh" in said


def test_git_merge_of_two_lineages_is_a_conflict(tmp_path: Path) -> None:
    other = Lockfile.new("o" * 32)
    _, said = _merge_branches(tmp_path, replace(BASE), lambda x: other,
                                 lambda x: x.with_entry("k", _entry("9" * 32)))
    assert said.startswith("exit 1"), said
    assert other.lineage in said and BASE.lineage in said
    assert "CONFLICT" in said


def test_scans_merge_to_the_older_read_and_every_marked_run() -> None:
    from runner.state.scans import Scan

    base = Lockfile.new()
    ours = replace(base, entries={"a": _entry("r1")},
                   scans={"t": Scan("2026-12-01T10:00:00Z", {"launchspec-id: x/k": ("r7",)})})
    theirs = replace(base, entries={"b": _entry("r2")},
                     scans={"t": Scan("2026-12-01T09:00:00Z", {"launchspec-id: y/k": ("r8",)}),
                            "u": Scan("2026-12-02T00:00:00Z")})  # fmt: skip
    both = merge3(None, ours, theirs).lock
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
