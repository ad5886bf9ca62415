"""The render budget: time and memory a spec's templates may use, enforced while they run.

Jinja compiles a template to Python; a loop in the template is a loop in that code. A tracer
that sees only frames compiled from templates checks, on each of their lines, the time left and
the size of what the template holds, so a loop or a growing string is stopped while it runs,
not after. Work inside one C call (a filter given a huge width) is bounded where it is called:
see the bounded filters in `limits.py`.
"""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

TEMPLATE_FILE = "<template>"
SECONDS = 1.0  # per spec, every templated string of it together
MEMORY_BYTES = 64 * 1024 * 1024  # growth of the process's peak while one spec renders
MAX_HELD = 100_000  # characters or items any one value a template holds may reach
RSS_EVERY = 256  # lines between two looks at the process's peak memory


class BudgetExceeded(Exception):
    """A template used more than its share of time or memory."""


class Budget:
    """What one spec may still spend; shared by all its templated strings."""

    def __init__(self, seconds: float = SECONDS, memory: int = MEMORY_BYTES) -> None:
        self.seconds = seconds
        self.memory = memory
        self.deadline = time.monotonic() + seconds
        self.peak_at_start = _peak_bytes()
        self._lines = 0

    def check(self, frame: FrameType) -> None:
        """Raise BudgetExceeded when time, a held value's size or memory is past the budget."""
        if time.monotonic() > self.deadline:
            raise BudgetExceeded(f"templates took longer than {self.seconds:g} s")
        for value in frame.f_locals.values():
            if isinstance(value, str | list | tuple | dict) and len(value) > MAX_HELD:
                raise BudgetExceeded(f"a value grew beyond {MAX_HELD} characters or items")
        self._lines += 1
        if self._lines % RSS_EVERY == 0 and _peak_bytes() - self.peak_at_start > self.memory:
            raise BudgetExceeded(f"templates used more than {self.memory // 2**20} MiB")


def _peak_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak) if sys.platform == "darwin" else int(peak) * 1024


@contextmanager
def enforced(budget: Budget | None) -> Iterator[None]:
    """Run the block with `budget` checked on every line of template code (this thread only)."""
    if budget is None:
        yield
        return
    if time.monotonic() > budget.deadline:
        raise BudgetExceeded(f"templates took longer than {budget.seconds:g} s")
    previous = sys.gettrace()
    sys.settrace(_tracer(budget))
    try:
        yield
    finally:
        sys.settrace(previous)


def _tracer(budget: Budget) -> Callable[[FrameType, str, Any], Any]:
    def local(frame: FrameType, event: str, arg: Any) -> Any:
        if event == "line":
            budget.check(frame)
        return local

    def global_(frame: FrameType, event: str, arg: Any) -> Any:
        # Only code compiled from a template is traced line by line: the rest runs at speed.
        return local if frame.f_code.co_filename == TEMPLATE_FILE else None

    return global_
