"""Local fixtures: one default sandbox per test module, for tests that only read or add runs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.sandbox.api import Api
from tests.support.sandbox import SandboxPool, SandboxProcess


@pytest.fixture(scope="module")
def module_sandbox(sandbox_pool: SandboxPool) -> Iterator[SandboxProcess]:
    """A default sandbox shared by one module's tests (they must not depend on each other)."""
    sb = sandbox_pool.take()
    yield sb
    sandbox_pool.give_back(sb)


@pytest.fixture(scope="module")
def api(module_sandbox: SandboxProcess) -> Iterator[Api]:
    """A client with the required headers, bound to the module's sandbox."""
    with Api(module_sandbox) as client:
        yield client
