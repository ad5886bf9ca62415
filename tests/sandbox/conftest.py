"""Local fixtures: one default sandbox per test module, for tests that only read or add runs."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.sandbox.api import Api
from tests.support.sandbox import SandboxProcess, start_sandbox


@pytest.fixture(scope="module")
def module_sandbox() -> Iterator[SandboxProcess]:
    """A default sandbox shared by one module's tests (they must not depend on each other)."""
    sb = start_sandbox()
    yield sb
    sb.stop()


@pytest.fixture(scope="module")
def api(module_sandbox: SandboxProcess) -> Iterator[Api]:
    """A client with the required headers, bound to the module's sandbox."""
    with Api(module_sandbox) as client:
        yield client


@pytest.fixture
def stoppable() -> Iterator[Callable[..., SandboxProcess]]:
    """Like sandbox_factory, for tests that stop sandboxes themselves (SandboxProcess.stop()
    is not safe to call twice, so teardown skips the ones already stopped)."""
    started: list[SandboxProcess] = []

    def start(*args: str) -> SandboxProcess:
        sb = start_sandbox(*args)
        started.append(sb)
        return sb

    yield start
    for sb in started:
        if sb.proc.stdout is not None and not sb.proc.stdout.closed:
            sb.stop()
