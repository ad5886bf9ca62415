"""Which of apply's actions may start now: a child only after its parent, none after a stop.

Kept as queues and a map from parent to children, so that choosing the next action costs the
same whether the plan holds ten actions or fifty thousand.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from runner.plan.plan import Action


def _parent(action: Action) -> str | None:
    return action.desired.rendered.parent if action.desired else None


class Schedule:
    """The actions not yet started: ready ones in plan order, children waiting on parents."""

    def __init__(self, actions: Iterable[Action]):
        actions = list(actions)
        keys = {a.key for a in actions}
        self._ready: deque[Action] = deque()
        self._waiting: dict[str, list[Action]] = {}  # parent key -> its children in the plan
        for action in actions:
            parent = _parent(action)
            if parent is not None and parent in keys and parent != action.key:
                self._waiting.setdefault(parent, []).append(action)
            else:  # no parent, or one this plan does not act on (launched before)
                self._ready.append(action)

    def __bool__(self) -> bool:
        return bool(self._ready or self._waiting)

    def take(self, count: int) -> list[Action]:
        """Up to `count` actions that may start now, in plan order."""
        taken: list[Action] = []
        while self._ready and len(taken) < count:
            taken.append(self._ready.popleft())
        return taken

    def finished(self, key: str, ok: bool) -> list[tuple[Action, str]]:
        """Record that `key` ended; when it failed, its descendants are skipped: returned
        with the parent that failed them."""
        children = self._waiting.pop(key, [])
        if ok:
            self._ready.extend(children)
            return []
        skipped = [(child, key) for child in children]
        for child, _ in list(skipped):
            skipped.extend(self.finished(child.key, ok=False))
        return skipped

    def drain(self) -> list[Action]:
        """Every action not started (after a stop), ready ones first."""
        left = list(self._ready) + [a for group in self._waiting.values() for a in group]
        self._ready.clear()
        self._waiting.clear()
        return left
