"""Shared fixtures: sandbox servers over real HTTP, example folders."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from tests.support.sandbox import SandboxPool, SandboxProcess, start_sandbox

REPO = Path(__file__).resolve().parent.parent


# Hypothesis draws the same examples on every CI run (a failure there replays anywhere), and
# keeps no example database there; read before the environment below drops CI.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")

def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Long tests (marked `slow` or `packaging`) run first: with the workers taking tests one
    at a time (scripts/test), the run then ends on short tests, not on one worker's long tail."""
    items.sort(key=lambda item: not (item.get_closest_marker("slow")
                                     or item.get_closest_marker("packaging")))


# What of the machine's environment the tests never see: where and how they run (Actions,
# CI, a git hook's GIT_DIR), stray credentials, and colour and terminal size preferences.
DROPPED = {"CI", "NO_COLOR", "FORCE_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "COLUMNS", "LINES",
           "PYTHONWARNINGS", "PYTHONSTARTUP"}
DROPPED_PREFIXES = ("TALLYFY_", "GITHUB_", "RUNNER_", "LAUNCHSPEC_", "GIT_", "LC_")


@pytest.fixture(autouse=True, scope="session")
def _machine_independent_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every test (and every process it starts) runs in the same environment on any machine:
    a home of the run's own (no ~/.gitconfig identity, caches or config of the user's), no
    system git config, a UTF-8 C locale, UTC, a plain xterm; the variables named above unset."""
    home = tmp_path_factory.mktemp("home")
    (home / ".gitconfig").write_text("")
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name in DROPPED or name.startswith(DROPPED_PREFIXES):
                patch.delenv(name)
        patch.setenv("HOME", str(home))
        for kind in ("CACHE", "CONFIG", "DATA", "STATE"):
            patch.setenv(f"XDG_{kind}_HOME", str(home / f".{kind.lower()}"))
        patch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
        patch.setenv("GIT_CONFIG_NOSYSTEM", "1")
        patch.setenv("LANG", "C.UTF-8")
        patch.setenv("TZ", "UTC")
        patch.setenv("TERM", "xterm")
        time.tzset()
        yield
    time.tzset()


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
