"""Chaos: applies killed at seeded moments against a faulty sandbox never launch twice or lose ids.

The sandbox answers 15% of requests with a 5xx, cuts 10% of committed launches before the
answer arrives, delays every answer, and throttles each killed apply after a seeded number of
requests (its throttle is a per-minute window, so a 429 asks for a wait of up to a minute: the
kill lands during that wait, which is the case to test). Run with `-s` to see the figures.
"""

from __future__ import annotations

import random
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from runner.state.journal import Journal
from tests.chaos.harness import (
    ApplyProcess,
    Server,
    cli_env,
    duplicates,
    markers,
    read_lock,
    write_specs,
)
from tests.support.sandbox import SandboxProcess

SEED = 20261204
SPECS = 100
KILLS = 10
FAULTS = {"error_rate": 0.15, "cut_after_commit": 0.10, "latency_ms": 20}
RESUME = "run `launchspec apply` again to resume"


@dataclass
class Figures:
    """What one chaos round did, for the printout and docs/guarantees.md."""

    kills: int = 0
    signals: dict[str, int] = field(default_factory=dict)
    applies: int = 0
    checks: int = 0

    def report(self, title: str, root: Path, server: Server, names: dict[str, str]) -> str:
        stats = server.stats()
        runs = [r for r in server.runs() if r["name"] in names.values()]
        faults = stats["faults"]
        total = stats["requests"]["total"] - server.own_requests
        lock = read_lock(root)
        recorded = {e.run_id for e in lock.entries.values()} if lock else set()
        lost = sum(1 for r in runs if r["id"] not in recorded)
        return (
            f"{title}: kills={self.kills} signals={self.signals} applies={self.applies} "
            f"checks={self.checks} requests={total} faults 5xx={faults['error_rate']} "
            f"429={faults['throttle']} cut={faults['cut_after_commit']} "
            f"POSTs={stats['requests']['by_method'].get('POST', 0)} "
            f"launches={stats['launches_committed']} runs={len(runs)} "
            f"duplicates={sum(n - 1 for n in duplicates(runs).values())} lost={lost}"
        )


@pytest.fixture
def chaos(
    tmp_path: Path, sandbox_factory: Callable[..., SandboxProcess]
) -> Iterator[tuple[Path, Server, dict[str, str]]]:
    sb = sandbox_factory("--admin", "--fault-seed", str(SEED))
    server = Server(sb)
    server.set_faults(**FAULTS)
    root = tmp_path / "project"
    yield root, server, write_specs(root, SPECS)
    server.close()


def check_consistent(root: Path, server: Server, names: dict[str, str]) -> dict[str, str]:
    """After any stop: the lockfile parses and names only runs that exist; no run twice."""
    lock = read_lock(root)
    runs = server.runs()
    assert not duplicates(runs), f"launched twice: {duplicates(runs)}"
    on_server = {r["id"]: r for r in runs}
    recorded = {k: e.run_id for k, e in lock.entries.items()} if lock else {}
    for key, run_id in recorded.items():
        assert run_id in on_server, f"{key}: lockfile names run {run_id}, not on the server"
        assert on_server[run_id]["name"] == names[key], f"{key}: recorded the wrong run"
    return recorded


def accounted_for(root: Path, server: Server, recorded: dict[str, str]) -> None:
    """Every run on the server is in the lockfile or behind a pending (journalled) intent."""
    pending = {i.marker for i in Journal(root / ".launchspec").pending()}
    for run in server.runs():
        if run["id"] not in recorded.values():
            assert set(markers(run)) & pending, f"run {run['id']} is neither recorded nor pending"


def run_to_end(root: Path, env: dict[str, str], figures: Figures, tries: int = 6) -> str:
    """Apply until it exits 0 (bounded); returns the output of every attempt."""
    texts = []
    for _ in range(tries):
        p = ApplyProcess.start(root, env, "--max-launches", "1000")
        code = p.finish(timeout=60)
        figures.applies += 1
        texts.append(p.text)
        if code == 0:
            return "\n".join(texts)
    raise AssertionError("apply did not converge:\n" + "\n".join(texts))


def check_final(root: Path, server: Server, names: dict[str, str]) -> None:
    recorded = check_consistent(root, server, names)
    runs = [r for r in server.runs() if r["name"] in names.values()]
    assert len(runs) == len(names), f"{len(runs)} runs for {len(names)} specs"
    assert recorded == {k: next(r["id"] for r in runs if r["name"] == n) for k, n in names.items()}


@pytest.mark.slow
def test_sigkill_at_random_moments(chaos: tuple[Path, Server, dict[str, str]]) -> None:
    root, server, names = chaos
    env, rng, figures = cli_env(server.sb), random.Random(SEED), Figures()
    for _ in range(KILLS * 3):
        if figures.kills == KILLS:
            break
        # Half the applies are throttled while reading (a burst of 429s), half mid-launch.
        server.set_faults(throttle=rng.choice((rng.randint(2, 6), rng.randint(15, 45))))
        p = ApplyProcess.start(root, env, "--max-launches", "1000")
        time.sleep(rng.uniform(0.35, 1.4))
        figures.kills += p.signal(signal.SIGKILL)
        p.finish(timeout=20)
        figures.applies += 1
        check_consistent(root, server, names)
        figures.checks += 1
    assert figures.kills == KILLS
    server.set_faults(throttle=0)
    run_to_end(root, env, figures)
    check_final(root, server, names)
    print("\n" + figures.report("chaos SIGKILL", root, server, names))


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_sigterm_and_sigint_finish_in_flight(
    tmp_path: Path, sandbox_factory: Callable[..., SandboxProcess], sig: signal.Signals
) -> None:
    sb = sandbox_factory("--admin", "--fault-seed", str(SEED + sig))
    server = Server(sb)
    server.set_faults(**{**FAULTS, "latency_ms": 60})
    root = tmp_path / "project"
    names = write_specs(root, 30, prefix="calm")
    env, figures = cli_env(sb), Figures()
    for _ in range(3):
        # The signal lands with launches in flight and others unstarted by construction: the
        # sandbox holds launches until it is sent (a signal at a random moment could land
        # after the last launch began, on a slow machine or a fast one).
        server.set_faults(hold_launches=True)
        p = ApplyProcess.start(root, env, "--max-launches", "1000", "--concurrency", "4")
        server.wait_held(1, p)
        assert p.signal(sig), p.text
        server.set_faults(hold_launches=False)
        code = p.finish(timeout=120)
        figures.applies += 1
        figures.signals[sig.name] = figures.signals.get(sig.name, 0) + 1
        assert_graceful_stop(p, code)
        # At least 18 of 30 are left, 4 at a time: a stop must leave some unstarted.
        assert "interrupted before it started" in p.text, p.text
        accounted_for(root, server, check_consistent(root, server, names))
        figures.checks += 1
    run_to_end(root, env, figures)
    check_final(root, server, names)
    print("\n" + figures.report(f"chaos {sig.name}", root, server, names))
    server.close()


def assert_graceful_stop(p: ApplyProcess, code: int) -> None:
    err = "".join(p.err)
    assert code == 1, p.text
    assert "finishing the launches in flight" in err, p.text
    assert RESUME in err, p.text
    assert "Traceback" not in p.text
