"""Two applies at once on one project: no duplicate launch; the second waits or says why not."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.chaos.harness import ApplyProcess, Server, cli_env, duplicates, read_lock
from tests.support.cli import make_project
from tests.support.sandbox import SandboxProcess

SPECS = 5  # the single-launch examples make_project copies


@pytest.fixture
def slow(tmp_path: Path, sandbox_factory: Callable[..., SandboxProcess]) -> tuple[Path, Server]:
    """The example project and a sandbox that holds launches while the test says so."""
    server = Server(sandbox_factory("--admin", "--fault-seed", "2"))
    return make_project(tmp_path), server


def _first_mid_launch(root: Path, server: Server, *args: str) -> ApplyProcess:
    """The first apply, holding the lock, its launches held at the sandbox until the test
    lets them go: the two applies overlap by construction (on a loaded machine, two processes
    started together may well run one after the other)."""
    server.set_faults(hold_launches=True)
    first = ApplyProcess.start(root, cli_env(server.sb), *args)
    server.wait_held(1, first)
    return first


def _both(
    root: Path, server: Server, *args: str, second_waits: bool = False
) -> list[tuple[int, ApplyProcess]]:
    """The second apply starts while the first is mid-launch; the first goes on once the
    second has ended (or, with `second_waits`, once it says it is waiting)."""
    first = _first_mid_launch(root, server, *args)
    second = ApplyProcess.start(root, cli_env(server.sb), *args)
    deadline = time.monotonic() + 120
    waiting = "waiting for another launchspec apply"
    while second.proc.poll() is None and not (second_waits and waiting in second.text):
        # The first holds at most one launch per spec: more, and the second launched too.
        assert server.stats()["launches_held"] <= SPECS, f"both launched:\n{second.text}"
        assert time.monotonic() < deadline, second.text
        time.sleep(0.01)
    server.set_faults(hold_launches=False)
    return [(p.finish(timeout=120), p) for p in (first, second)]


def _check_once(root: Path, server: Server) -> None:
    runs = server.runs()
    assert len(runs) == SPECS and not duplicates(runs)
    lock = read_lock(root)
    assert lock is not None and {e.run_id for e in lock.entries.values()} == \
        {r["id"] for r in runs}


def test_second_apply_stops_and_says_why(slow: tuple[Path, Server]) -> None:
    root, server = slow
    results = _both(root, server)
    codes = sorted(code for code, _ in results)
    texts = "\n".join(p.text for _, p in results)
    assert codes == [0, 1], texts
    loser = next(p for code, p in results if code == 1)
    err = "".join(loser.err)
    assert "another launchspec apply holds the lock (pid " in err, err
    assert "--lock-timeout" in err and "Traceback" not in err
    _check_once(root, server)


def test_second_apply_waits_with_lock_timeout(slow: tuple[Path, Server]) -> None:
    root, server = slow
    results = _both(root, server, "--lock-timeout", "120", second_waits=True)
    texts = "\n".join(p.text for _, p in results)
    assert [code for code, _ in results] == [0, 0], texts
    waited = [p for _, p in results if "waiting for another launchspec apply" in p.text]
    assert len(waited) == 1, texts
    assert "(pid " in waited[0].text and "Apply complete: nothing to do" in waited[0].text
    _check_once(root, server)


def test_lock_timeout_expires_with_a_message(slow: tuple[Path, Server]) -> None:
    root, server = slow
    results = _both(root, server, "--lock-timeout", "0.3")
    texts = "\n".join(p.text for _, p in results)
    assert sorted(code for code, _ in results) == [0, 1], texts
    assert "gave up after 0.3s waiting for another launchspec apply (pid " in texts
    _check_once(root, server)
