"""Limits on what a server may cost us: a command's deadline, one answer's time and size, waits."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

MIB = 1024 * 1024


@dataclass(frozen=True)
class Budgets:
    """Bounds that hold whatever the server does (trickles, floods, endless Retry-After).

    Defaults: a command ends within an hour (GitHub's job limit is six); one answer within two
    minutes and 32 MiB (a page of 100 runs is well under 1 MiB); at most ten minutes in all
    waiting for the rate limiter.
    """

    deadline_seconds: float = 3600.0
    response_seconds: float = 120.0
    max_response_bytes: int = 32 * MIB
    wait_budget_seconds: float = 600.0


def budgets_from(limits: dict[str, float]) -> Budgets:
    """Budgets from the configuration's `limits:` (defaults for what it does not say)."""
    base = Budgets()
    return Budgets(
        deadline_seconds=limits.get("deadline_seconds", base.deadline_seconds),
        response_seconds=limits.get("response_seconds", base.response_seconds),
        max_response_bytes=int(limits.get("max_response_mib", base.max_response_bytes / MIB) * MIB),
        wait_budget_seconds=limits.get("wait_budget_seconds", base.wait_budget_seconds),
    )


class AnswerTooSlow(Exception):
    """The answer did not finish arriving within its time."""


class AnswerTooLarge(Exception):
    """The answer was larger than allowed."""


def receive(
    response: httpx.Response,
    until: float,
    max_bytes: int,
    clock: Callable[[], float] = time.monotonic,
) -> bytes:
    """The whole body of a streamed `response`, or an exception once `until` or `max_bytes` is
    passed; checked while the body grows, so a trickle or a flood is stopped early."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise AnswerTooLarge(int(declared))
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise AnswerTooLarge(size)
        chunks.append(chunk)
        if clock() > until:
            raise AnswerTooSlow(size)
    return b"".join(chunks)


def describe(exc: Exception, budgets: Budgets) -> str:
    """Words for a budget that ran out, naming the setting that bounds it."""
    if isinstance(exc, AnswerTooLarge):
        limit = budgets.max_response_bytes / MIB
        return f"the answer is larger than {limit:g} MiB (limits.max_response_mib)"
    return (
        f"the answer took longer than {budgets.response_seconds:g} s to arrive "
        "(limits.response_seconds)"
    )
