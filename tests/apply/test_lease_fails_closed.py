"""The shared lease fails closed (issue 20): two clones of one repository share a bare remote and
a sandbox over real HTTP; whatever befalls the lease, each of the 40 specs runs once.

Applies run in-process; the lease's time is a World the test moves (tests/support/leases.py)."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from runner.apply.events import Event
from runner.client.client import TallyfyClient
from runner.errors import LeaseLostError
from runner.project import project
from runner.specs.config import load_config
from runner.state.holder import Clock
from runner.state.lockfile import Lockfile, write_lockfile
from tests.chaos.harness import Server, write_specs
from tests.support.leases import World, git
from tests.support.sandbox import SandboxProcess

SPECS = 40


def _clones(tmp_path: Path, org: str, config: str) -> tuple[Path, Path, Path]:
    """A repository with SPECS new specs, cloned twice; A reaches the remote through a link
    that the test can cut (the returned path)."""
    remote, seed = tmp_path / "remote.git", tmp_path / "seed"
    git(tmp_path, "init", "--quiet", "--bare", str(remote))
    git(tmp_path, "init", "--quiet", "-b", "main", str(seed))
    write_specs(seed, SPECS, prefix="twin")
    (seed / "launchspec.yaml").write_text("limits: {settle_seconds: 1, max_launches: 100}\n"
                                          + config)  # fmt: skip
    write_lockfile(seed / "launchspec.lock.json", Lockfile.new(org))
    git(seed, "add", ".")
    git(seed, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "--quiet", "-m", "specs")
    git(seed, "push", "--quiet", str(remote), "main")
    link = tmp_path / "a-path.git"
    os.symlink(remote, link)
    a, b = tmp_path / "a", tmp_path / "b"
    git(tmp_path, "clone", "--quiet", "-b", "main", str(link), str(a))
    git(tmp_path, "clone", "--quiet", "-b", "main", str(remote), str(b))
    return a, b, link


def _apply(
    root: Path, sb: SandboxProcess, clock: Clock, **options: Any
) -> tuple[project.Applied, list[str]]:
    notes: list[str] = options.pop("notes", [])
    hooks = {k: options.pop(k) for k in ("confirm", "on_event") if k in options}
    client = TallyfyClient(sb.url, sb.org, sb.token, timeout=10)
    try:
        applied = project.apply(
            load_config(root), client,
            project.ApplyOptions(lease_clock=clock, **options), on_note=notes.append, **hooks,
        )  # fmt: skip
    finally:
        client.close()
    return applied, notes


def _runs_per_key(server: Server) -> Counter[str]:
    return Counter(r["name"] for r in server.runs())


def _launched(applied: project.Applied) -> int:
    return len(applied.result.of("launched"))


def test_item_1_a_holder_cut_off_from_the_remote_stops_launching(
    tmp_path: Path, sandbox_factory: Callable[..., SandboxProcess]
) -> None:
    """A's path to the remote is cut after its first launch (ttl 6 s, concurrency 1): A sends
    nothing after its deadline, ends naming what happened, and B finishes the rest."""
    server = Server(sandbox_factory("--admin", "--latency-ms", "100", "--fault-seed", "11"))
    a, b, link = _clones(tmp_path, server.sb.org, "lease: {ttl_seconds: 6}\n")
    world = World()

    def cut_after_first(e: Event) -> None:
        if e.kind == "launched" and link.exists():
            link.unlink()  # the remote is gone for A
            world.advance(6)  # and time passes: A's deadline (ttl less margin) is behind it

    first, notes = _apply(a, server.sb, world.clock(), concurrency=1, on_event=cut_after_first)
    assert _launched(first) == 1
    halt = first.result.halt
    assert isinstance(halt, LeaseLostError) and not first.result.ok
    assert "launchspec lease show" in (halt.hint or "")
    assert any("the shared lease is lost" in n for n in notes), notes
    assert any("could not be released" in n for n in notes), notes

    second, _ = _apply(b, server.sb, world.clock(), lock_timeout=60)
    assert second.result.ok and _launched(second) == SPECS - 1
    per_key = _runs_per_key(server)
    assert len(per_key) == SPECS and set(per_key.values()) == {1}, per_key


def test_item_2_a_lease_deleted_by_hand_is_noticed_before_any_launch(
    tmp_path: Path, sandbox_factory: Callable[..., SandboxProcess]
) -> None:
    """The lease ref is deleted by hand while A waits to launch (at its confirmation, say); B
    applies as soon as A has launched anything, or after A. A launches nothing: 40 runs."""
    server = Server(sandbox_factory("--admin", "--latency-ms", "100", "--fault-seed", "12"))
    a, b, _ = _clones(tmp_path, server.sb.org, "")
    world = World()
    others: list[project.Applied] = []

    def delete_lease(plan: Any) -> bool:
        refs = git(b, "ls-remote", "origin", "refs/launchspec/*").split()
        assert len(refs) == 2
        git(b, "push", "--quiet", "origin", f":{refs[1]}")
        return True

    def b_applies(e: Event) -> None:
        if e.kind == "launched" and not others:
            others.append(_apply(b, server.sb, world.clock())[0])

    first, _ = _apply(a, server.sb, world.clock(), concurrency=2, confirm=delete_lease,
                      on_event=b_applies)  # fmt: skip
    if not others:
        others.append(_apply(b, server.sb, world.clock())[0])
    per_key = _runs_per_key(server)
    assert len(per_key) == SPECS and set(per_key.values()) == {1}, per_key
    assert _launched(first) == 0 and _launched(others[0]) == SPECS
    assert isinstance(first.result.halt, LeaseLostError)
    assert "removed" in first.result.halt.message


@pytest.mark.slow
def test_item_5_a_clock_ahead_by_more_than_the_ttl_does_not_take_a_live_lease(
    tmp_path: Path, sandbox_factory: Callable[..., SandboxProcess]
) -> None:
    """B's clock is 130 s ahead (ttl 120 s): while A applies and renews, B waits up to 300 s
    (of the test's time) for the lease, sees A's lease expired by its own clock yet renewed,
    says so, and launches nothing."""
    server = Server(sandbox_factory("--admin", "--fault-seed", "13"))
    a, b, _ = _clones(tmp_path, server.sb.org, "")
    world = World()
    tried: list[tuple[project.Applied | Exception, list[str]]] = []

    def b_tries(e: Event) -> None:
        if e.kind == "launched" and not tried:  # A holds the lease, renewing as time moves
            notes: list[str] = []
            try:
                tried.append(_apply(b, server.sb, world.clock(skew=130), lock_timeout=300,
                                    notes=notes))  # fmt: skip
            except Exception as refused:
                tried.append((refused, notes))

    first, _ = _apply(a, server.sb, world.clock(), concurrency=1, on_event=b_tries)
    assert first.result.ok and _launched(first) == SPECS
    refused, notes = tried[0]
    assert not isinstance(refused, project.Applied), "B took A's live lease"
    assert "holds the shared lease" in str(refused) and world.elapsed >= 300
    assert any("renewed although" in n and "ahead" in n for n in notes), notes
    per_key = _runs_per_key(server)
    assert len(per_key) == SPECS and set(per_key.values()) == {1}, per_key
