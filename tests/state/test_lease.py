"""The shared lease on a git remote (a real bare repository): one holder, renewal, expiry."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from runner.errors import LockBusyError
from runner.state.lease import REF, Git, Lease, LeaseError


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture
def clones(tmp_path: Path) -> tuple[Path, Path, Path]:
    remote = tmp_path / "remote.git"
    _git(tmp_path, "init", "--quiet", "--bare", str(remote))
    a, b = tmp_path / "a", tmp_path / "b"
    for clone in (a, b):
        _git(tmp_path, "clone", "--quiet", str(remote), str(clone))
    return remote, a, b


def test_one_holder_at_a_time_named_when_refused(clones: tuple[Path, Path, Path]) -> None:
    _, a, b = clones
    with Lease(Git(a, "origin"), ttl=30):
        with pytest.raises(LockBusyError) as caught, Lease(Git(b, "origin"), ttl=30):
            pass
        assert "holds the shared lease (pid" in caught.value.message
    with Lease(Git(b, "origin"), ttl=30):  # released: the other may take it at once
        pass


def test_the_lease_is_renewed_while_held(clones: tuple[Path, Path, Path]) -> None:
    _, a, b = clones
    with Lease(Git(a, "origin"), ttl=6):
        time.sleep(7)  # past one ttl: only renewal keeps it
        with pytest.raises(LockBusyError), Lease(Git(b, "origin"), ttl=6):
            pass


def test_an_expired_lease_is_taken_over(clones: tuple[Path, Path, Path]) -> None:
    _, a, b = clones
    git = Git(a, "origin")
    dead = json.dumps({"who": "pid 1 on gone", "since": 1.0, "until": time.time() - 1})
    commit = _git(a, "commit-tree", "4b825dc642cb6eb9a060e54bf8d69288fbee4904", "-m", dead)
    _git(a, "push", "--quiet", "origin", f"{commit.strip()}:{REF}")
    assert git.current()[1] is not None
    with Lease(Git(b, "origin"), ttl=30) as lease:
        assert lease.sha


def test_a_waiter_gets_the_lease_when_it_is_released(clones: tuple[Path, Path, Path]) -> None:
    _, a, b = clones
    waited: list[str] = []
    first = Lease(Git(a, "origin"), ttl=30)
    first.__enter__()
    import threading

    threading.Timer(1.5, first.__exit__, (None, None, None)).start()
    started = time.monotonic()
    with Lease(Git(b, "origin"), ttl=30, timeout=20, on_wait=waited.append):
        assert time.monotonic() - started >= 1.0
    assert waited and "shared lease" in waited[0]


def test_the_lockfile_rides_in_the_lease(clones: tuple[Path, Path, Path]) -> None:
    _, a, b = clones
    with Lease(Git(a, "origin"), ttl=30, lockfile=lambda: b'{"carried": true}\n'):
        pass
    with Lease(Git(b, "origin"), ttl=30) as lease:
        assert lease.inherited == b'{"carried": true}\n'


def test_an_unreachable_remote_is_an_error_not_a_silent_launch(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    _git(tmp_path, "init", "--quiet", str(repo))
    _git(repo, "remote", "add", "origin", str(tmp_path / "nowhere.git"))
    with pytest.raises(LeaseError) as caught, Lease(Git(repo, "origin"), ttl=30):
        pass
    assert "--no-lease" in (caught.value.hint or "")
