"""Shared-lease test helpers: a bare remote with clones, and clocks that tests move by hand."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from runner.state.holder import Clock

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


# The tests run with no git identity of the machine's (tests/conftest.py): commits made by
# hand say who made them.
AUTHOR = ("-c", "user.name=test", "-c", "user.email=test@invalid")


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *AUTHOR, *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout  # fmt: skip


def bare_with_clones(tmp_path: Path, *names: str) -> tuple[Path, list[Path]]:
    """A bare remote and a clone of it per name."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", str(remote))
    clones = [tmp_path / name for name in names]
    for clone in clones:
        git(tmp_path, "clone", "--quiet", str(remote), str(clone))
    return remote, clones


def push_lease(clone: Path, ref: str, message: str | dict[str, object]) -> str:
    """Put a lease commit with `message` (written by hand: anything at all) on the remote."""
    text = message if isinstance(message, str) else json.dumps(message)
    commit = git(clone, "commit-tree", EMPTY_TREE, "-m", text).strip()
    git(clone, "push", "--quiet", "--force", "origin", f"{commit}:{ref}")
    return commit


class World:
    """Time for every machine of a test, moved only by the test (or by a machine's sleep).

    Each machine's clock is the world's time plus its own skew; `sleep` moves the world and then
    runs `on_tick` (every lease's renewals, `repeat`), so a waiting apply sees the world go on
    and no thread waits real time."""

    def __init__(self) -> None:
        self.start = time.time()
        self.elapsed = 0.0
        self.on_tick: list[Callable[[], None]] = []

    def advance(self, seconds: float) -> None:
        self.elapsed += seconds
        for tick in list(self.on_tick):
            tick()

    def clock(self, skew: float = 0.0) -> Clock:
        return Clock(
            time=lambda: self.start + self.elapsed + skew,
            monotonic=lambda: 1000.0 + self.elapsed,
            sleep=self.advance,
            repeat=self.repeat,
        )

    def repeat(self, interval: float, job: Callable[[], bool]) -> Callable[[], None]:
        """Run `job` each `interval` of world time, as the world moves, until it says False."""
        due, alive = [self.elapsed + interval], [True]

        def tick() -> None:
            while alive[0] and self.elapsed >= due[0]:
                due[0] += interval
                alive[0] = job()

        def cancel() -> None:
            alive[0] = False

        self.on_tick.append(tick)
        return cancel
