"""The order apply starts actions in: parents first, children of a failure skipped, at any size."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from runner.apply.schedule import Schedule


def _action(key: str, parent: str | None = None) -> Any:
    rendered = SimpleNamespace(parent=parent)
    return SimpleNamespace(key=key, desired=SimpleNamespace(rendered=rendered))


def test_a_child_waits_for_its_parent_and_then_starts() -> None:
    schedule = Schedule([_action("kid", "mum"), _action("mum"), _action("solo")])
    assert [a.key for a in schedule.take(5)] == ["mum", "solo"]
    assert schedule.take(5) == [] and schedule  # the child still waits
    assert schedule.finished("mum", ok=True) == []
    assert [a.key for a in schedule.take(5)] == ["kid"]
    assert not schedule


def test_a_parent_not_in_the_plan_does_not_hold_its_child() -> None:
    schedule = Schedule([_action("kid", "launched-last-week")])
    assert [a.key for a in schedule.take(1)] == ["kid"]


def test_the_descendants_of_a_failure_are_skipped_naming_their_parent() -> None:
    schedule = Schedule([_action("a"), _action("b", "a"), _action("c", "b"), _action("d")])
    assert [a.key for a in schedule.take(1)] == ["a"]
    skipped = schedule.finished("a", ok=False)
    assert [(child.key, parent) for child, parent in skipped] == [("b", "a"), ("c", "b")]
    assert [a.key for a in schedule.take(5)] == ["d"]
    assert not schedule


def test_take_never_hands_out_more_than_asked_and_drain_empties() -> None:
    schedule = Schedule([_action(f"k{i}") for i in range(5)] + [_action("kid", "k0")])
    assert len(schedule.take(2)) == 2
    assert [a.key for a in schedule.drain()] == ["k2", "k3", "k4", "kid"]
    assert not schedule


def test_fifty_thousand_actions_each_start_once() -> None:
    """(The cost per action, constant here, is measured by bench/bench_scale.py, not timed.)"""
    actions = [_action(f"p{i}") for i in range(25_000)]
    actions += [_action(f"c{i}", f"p{i}") for i in range(25_000)]
    schedule = Schedule(actions)
    started: list[str] = []
    done: set[str | None] = {None}
    while schedule:
        batch = schedule.take(8)
        assert batch, "a schedule that is not empty always has something to start here"
        for action in batch:
            assert action.desired is not None, action.key
            assert action.desired.rendered.parent in done, action.key
        started += [a.key for a in batch]
        for action in batch:
            schedule.finished(action.key, ok=True)
            done.add(action.key)
    assert len(started) == 50_000 and set(started) == {a.key for a in actions}
