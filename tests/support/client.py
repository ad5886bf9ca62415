"""A TallyfyClient on a sandbox over real HTTP, with its log lines and sleeps recorded."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import httpx

from runner.client.client import TallyfyClient, tls_context
from tests.support.sandbox import SandboxProcess

ONBOARDING = "efd12534ded06f20e21b33e8dacf1f15"  # Client Onboarding in the default seed
# Valid kick-off values for it: client name, start date, plan tier (dropdown).
PRERUN = {
    "b4c890d5160634ef2b484da2eedb1d71": "Globex Corp",
    "55dc96de2bfdda9557c0e8a1481c4076": "2026-12-01T00:00:00Z",
    "89dc6258a8e9ef206778bc562ac2b4aa": {"id": 3, "text": "Enterprise"},
}


class Harness:
    """A client on a sandbox, with its log lines and sleeps recorded (sleeps are skipped)."""

    def __init__(self, sb: SandboxProcess, on_sleep: Callable[[float], None] | None = None):
        self.sb = sb
        self.log: list[str] = []
        self.sleeps: list[float] = []
        self.on_sleep = on_sleep
        self.made: list[TallyfyClient] = []
        # the clients are closed with the harness (at the end of its test), not left to the GC
        weakref.finalize(self, _close_all, self.made)
        self.client = self.make(sb.url, sb.token)

    def make(self, url: str, token: str, **options: Any) -> TallyfyClient:
        made = TallyfyClient(url, self.sb.org, token, sleep=self._sleep, log=self.log.append,
                             timeout=10, **options)  # fmt: skip
        self.made.append(made)
        return made

    def _sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if self.on_sleep:
            self.on_sleep(seconds)

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        root = self.sb.url.removesuffix("/api")
        return httpx.request(method, f"{root}/_sandbox/{path}", json=body, timeout=10,
                             verify=tls_context()).json()

    def runs_stored(self) -> int:
        return int(self.admin("GET", "stats")["runs_stored"])

    def posts(self) -> int:
        return int(self.admin("GET", "stats")["requests"]["by_method"].get("POST", 0))

    def check_no_token(self, *texts: str) -> None:
        assert self.log
        for text in (*texts, *self.log, repr(self.client)):
            assert self.sb.token not in text


def _close_all(clients: list[TallyfyClient]) -> None:
    for client in clients:
        client.close()


def start(factory: Callable[..., SandboxProcess], *flags: str, **kw: Any) -> Harness:
    return Harness(factory("--admin", "--fault-seed", "7", *flags), **kw)
