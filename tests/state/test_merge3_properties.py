"""Properties of the three-way lockfile merge (hypothesis): two sides edit one base as prunes,
forgets, replaces, updates and new launches do, and the merge keeps what each side did."""

from __future__ import annotations

from dataclasses import dataclass, replace

from hypothesis import given, settings
from hypothesis import strategies as st

from runner.state.lockfile import LockEntry, Lockfile
from runner.state.merge import merge3

KEYS = [f"k{i}" for i in range(6)]
OPS = ("launch", "forget", "prune", "replace", "update")


def _entry(run: str, name: str = "n") -> LockEntry:
    return LockEntry(run_id=run, template_id="t", launched_at="2026-12-01T09:00:00Z", name=name,
                     digest="d")  # fmt: skip


@dataclass
class Side:
    lock: Lockfile
    touched: set[str]  # keys this side changed
    removed: set[str]  # keys this side last left without an entry
    added: set[str]  # keys this side launched that the base did not hold


def _edit(base: Lockfile, side: str, edits: list[tuple[str, str]]) -> Side:
    lock = base
    touched: set[str] = set()
    removed: set[str] = set()
    added: set[str] = set()
    for n, (op, key) in enumerate(edits):
        entry = lock.entries.get(key)
        if op == "launch" and entry is None:
            lock = lock.with_entry(key, _entry(f"{side}{n}"))
            added |= {key} - set(base.entries)
        elif op == "forget" and entry is not None:
            lock = lock.without(key)
        elif op == "prune" and entry is not None:
            lock = lock.with_archived(key, entry.run_id, drop=True)
        elif op == "replace" and entry is not None:
            lock = lock.with_archived(key, entry.run_id, drop=False)
            lock = lock.with_entry(key, _entry(f"{side}{n}"))
        elif op == "update" and entry is not None:
            lock = lock.with_entry(key, replace(entry, name=f"{side}{n}"))
        else:
            continue
        touched.add(key)
        removed = (removed | {key}) if key not in lock.entries else (removed - {key})
    return Side(lock, touched, removed, added & set(lock.entries))


edits = st.lists(st.tuples(st.sampled_from(OPS), st.sampled_from(KEYS)), max_size=8)


@st.composite
def cases(draw: st.DrawFn) -> tuple[Lockfile, Side, Side]:
    held = draw(st.sets(st.sampled_from(KEYS)))
    base = Lockfile(lineage="L", serial=draw(st.integers(0, 5)), organization="o",
                    entries={k: _entry(f"b{k}") for k in sorted(held)})  # fmt: skip
    return base, _edit(base, "o", draw(edits)), _edit(base, "t", draw(edits))


SETTINGS = settings(max_examples=150, derandomize=True, deadline=None)


@SETTINGS
@given(cases())
def test_what_one_side_alone_removed_or_added_survives(case: tuple[Lockfile, Side, Side]) -> None:
    base, ours, theirs = case
    out = merge3(base, ours.lock, theirs.lock).lock
    for one, other in ((ours, theirs), (theirs, ours)):
        for key in one.removed - other.touched:
            assert key not in out.entries, key
        for key in one.added - other.touched:
            assert out.entries[key] == one.lock.entries[key], key


@SETTINGS
@given(cases())
def test_no_archived_run_is_ever_an_entry(case: tuple[Lockfile, Side, Side]) -> None:
    base, ours, theirs = case
    for b in (base, None):
        out = merge3(b, ours.lock, theirs.lock).lock
        for key, entry in out.entries.items():
            assert entry.run_id not in out.archived.get(key, ()), key


@SETTINGS
@given(cases())
def test_the_merge_is_symmetric_up_to_the_serial(case: tuple[Lockfile, Side, Side]) -> None:
    base, ours, theirs = case
    one = merge3(base, ours.lock, theirs.lock)
    two = merge3(base, theirs.lock, ours.lock)
    assert replace(one.lock, serial=0) == replace(two.lock, serial=0)
    assert one.lock.serial == two.lock.serial
    assert {c.key for c in one.conflicts} == {c.key for c in two.conflicts}


@SETTINGS
@given(cases())
def test_the_serial_grows_past_both_sides_unless_the_merge_is_one_of_them(
    case: tuple[Lockfile, Side, Side],
) -> None:
    base, ours, theirs = case
    out = merge3(base, ours.lock, theirs.lock).lock
    top = max(ours.lock.serial, theirs.lock.serial)
    bare = replace(out, serial=0)
    if bare in (replace(s.lock, serial=0) for s in (ours, theirs) if s.lock.serial == top):
        assert out.serial == top
    else:
        assert out.serial == top + 1


@SETTINGS
@given(cases())
def test_merging_a_side_with_itself_gives_it_back(case: tuple[Lockfile, Side, Side]) -> None:
    base, ours, _ = case
    assert merge3(base, ours.lock, ours.lock).lock == ours.lock
    assert merge3(None, ours.lock, ours.lock).lock == ours.lock
    assert merge3(base, ours.lock, base).lock == ours.lock  # the other side changed nothing
