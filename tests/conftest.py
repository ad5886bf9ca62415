"""Shared fixtures: sandbox servers over real HTTP, example folders."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.sandbox import SandboxProcess, start_sandbox

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def sandbox_factory() -> Iterator[Callable[..., SandboxProcess]]:
    """Start sandboxes with any flags; all are stopped after the test."""
    started: list[SandboxProcess] = []

    def start(*args: str) -> SandboxProcess:
        sb = start_sandbox(*args)
        started.append(sb)
        return sb

    yield start
    for sb in started:
        sb.stop()


@pytest.fixture
def sandbox(sandbox_factory: Callable[..., SandboxProcess]) -> SandboxProcess:
    """A fresh sandbox with the default seed and no faults."""
    return sandbox_factory()
