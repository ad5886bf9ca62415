"""Shared fixtures: sandbox servers over real HTTP, example folders."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.sandbox import SandboxPool, SandboxProcess, start_sandbox

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True, scope="session")
def _own_cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Caches go to a folder of the test run, never the user's (subprocesses inherit it)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
        yield


@pytest.fixture(scope="session")
def sandbox_pool() -> Iterator[SandboxPool]:
    """Sandbox servers shared by the whole run, one per set of flags, reset between tests."""
    pool = SandboxPool()
    yield pool
    pool.close()


@pytest.fixture
def sandbox_factory(sandbox_pool: SandboxPool) -> Iterator[Callable[..., SandboxProcess]]:
    """Sandboxes with any flags, each empty and with its flags' faults as if just started."""
    taken: list[SandboxProcess] = []

    def take(*args: str) -> SandboxProcess:
        sb = sandbox_pool.take(*args)
        taken.append(sb)
        return sb

    yield take
    for sb in taken:
        sandbox_pool.give_back(sb)


@pytest.fixture
def sandbox(sandbox_factory: Callable[..., SandboxProcess]) -> SandboxProcess:
    """A sandbox with the default seed and no faults, as if just started."""
    return sandbox_factory()


@pytest.fixture
def sandbox_process() -> Iterator[Callable[..., SandboxProcess]]:
    """New sandbox processes of the test's own (for tests of starting, stopping, restarting
    one, or of what it does without --admin); each is stopped after the test."""
    started: list[SandboxProcess] = []

    def start(*args: str) -> SandboxProcess:
        sb = start_sandbox(*args)
        started.append(sb)
        return sb

    yield start
    for sb in started:
        sb.stop()
