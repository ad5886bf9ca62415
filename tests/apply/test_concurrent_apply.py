"""Two applies at once on one project: no duplicate launch; the second waits or says why not."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.chaos.harness import ApplyProcess, Server, cli_env, duplicates, read_lock
from tests.support.cli import make_project
from tests.support.sandbox import SandboxProcess


@pytest.fixture
def slow(tmp_path: Path, sandbox_factory: Callable[..., SandboxProcess]) -> tuple[Path, Server]:
    """The example project and a sandbox slow enough that the two applies overlap."""
    server = Server(sandbox_factory("--admin", "--latency-ms", "150", "--fault-seed", "2"))
    return make_project(tmp_path), server


def _both(root: Path, server: Server, *args: str) -> list[tuple[int, ApplyProcess]]:
    env = cli_env(server.sb)
    procs = [ApplyProcess.start(root, env, *args) for _ in range(2)]
    return [(p.finish(timeout=60), p) for p in procs]


def _check_once(root: Path, server: Server) -> None:
    runs = server.runs()
    assert len(runs) == 5 and not duplicates(runs)
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
    results = _both(root, server, "--lock-timeout", "60")
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
