"""Sandbox servers in subprocesses, over real HTTP on 127.0.0.1: started, stopped, and kept
between tests in a pool, emptied through the admin API before each use."""

from __future__ import annotations

import os
import re
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from runner.client.client import tls_context

READY = re.compile(
    r"^sandbox ready url=(?P<url>\S+) org=(?P<org>\S+) token=(?P<token>\S+)(?P<rest>.*)$"
)


@dataclass
class SandboxProcess:
    """A running sandbox: its base URL, organisation, token, and the process."""

    url: str
    org: str
    token: str
    ready_line: str
    args: list[str]
    proc: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)
    pooled: tuple[str, ...] | None = None  # the pool's key, when the pool started it

    @property
    def port(self) -> int:
        return int(self.url.split(":")[2].split("/")[0])

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10) -> int:
        """Stop the server; returns its exit status (again when it was stopped already)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=timeout)
        if self.proc.stdout and not self.proc.stdout.closed:
            self.output.extend(self.proc.stdout.read().splitlines())
            self.proc.stdout.close()
        return self.proc.returncode

    def env(self) -> dict[str, str]:
        """Environment variables that point launchspec at this sandbox."""
        return {
            "TALLYFY_API_URL": self.url,
            "TALLYFY_ORG_ID": self.org,
            "TALLYFY_TOKEN": self.token,
        }


def start_sandbox(*args: str, timeout: float = 60, cwd: Path | None = None) -> SandboxProcess:
    """Run `python -m runner.sandbox --port 0 ARGS…` and wait for its ready line (a minute at
    most: a loaded machine may take seconds to start a Python server)."""
    argv = [sys.executable, "-m", "runner.sandbox", "--host", "127.0.0.1", "--port", "0", *args]
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=cwd,
        env=env,
    )
    assert proc.stdout is not None
    seen: list[str] = []
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not sel.select(timeout=max(0.0, deadline - time.monotonic())):
            break
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line.rstrip("\n"))
        match = READY.match(line.strip())
        if match:
            sel.close()
            return SandboxProcess(
                url=match["url"],
                org=match["org"],
                token=match["token"],
                ready_line=line.strip(),
                args=list(args),
                proc=proc,
                output=seen,
            )
    sel.close()
    proc.kill()
    proc.wait(timeout=10)
    rest = proc.stdout.read()
    proc.stdout.close()
    raise RuntimeError("sandbox did not become ready:\n" + "\n".join(seen) + rest)


# Flags that make a server of one test's own: a database or seed file in its tmp_path, a port.
UNSHARED = ("--db", "--seed", "--port", "--host")
# The sandbox's fault flags, as the admin API names them: set on a pooled server at each take.
FAULTS = {"latency_ms": "latency_ms", "error_rate": "error_rate", "throttle": "throttle",
          "cut_after_commit": "cut_after_commit", "error_after_commit": "error_after_commit",
          "ignore_sort": "ignore_sort", "ignore_q": "ignore_q",
          "html_summaries": "html_summaries", "fault_seed": "seed"}


@dataclass(frozen=True)
class Wanted:
    """What a test asks of a server: the flags it must start with, and the faults to set."""

    start: tuple[str, ...]
    faults: dict[str, Any]

    @classmethod
    def of(cls, args: tuple[str, ...]) -> Wanted:
        """Splits flags as the sandbox's own command line parses them; of the rest, only a
        token or an organisation of the test's own needs a server of its own."""
        from runner.sandbox.server import DEFAULT_TOKEN, command

        params = command.make_context("sandbox", list(args)).params
        faults = {FAULTS[k]: v for k, v in params.items() if k in FAULTS and v}
        own = {"token": params["token"] if params["token"] != DEFAULT_TOKEN else None,
               "org": params["org"]}
        start = tuple(f for name, v in own.items() if v for f in (f"--{name}", v))
        return cls(start, faults)


class SandboxPool:
    """Servers kept between tests, reset before a test takes one to how a server with the
    test's flags would start: empty, with those faults (a new server costs a second or more
    to start; a reset a millisecond). One server per token and organisation serves every
    set of faults.

    A pooled server runs with `--admin` whatever its flags (the reset needs it); a test of
    what a server does without `--admin`, of its ready line, or of stopping one, starts its
    own."""

    def __init__(self) -> None:
        self.idle: dict[tuple[str, ...], list[SandboxProcess]] = {}

    def take(self, *args: str) -> SandboxProcess:
        """A server with these flags, as if just started."""
        if any(a.split("=")[0] in UNSHARED for a in args):
            return start_sandbox(*args)
        wanted = Wanted.of(args)
        idle = self.idle.setdefault(wanted.start, [])
        while idle:
            sb = idle.pop()
            if sb.proc.poll() is None:
                break
            sb.stop()
        else:
            sb = start_sandbox(*wanted.start, "--admin")
        reset(sb, wanted.faults)
        sb.args = list(args)
        sb.pooled = wanted.start
        return sb

    def give_back(self, sb: SandboxProcess) -> None:
        """A server a test is done with: kept if it may be shared and still runs, else stopped."""
        if sb.pooled is not None and sb.proc.poll() is None:
            self.idle.setdefault(sb.pooled, []).append(sb)
        else:
            sb.stop()

    def close(self) -> None:
        """Stop every server, all at once: each takes a moment to shut down."""
        servers = [sb for idle in self.idle.values() for sb in idle]
        for sb in servers:
            if sb.proc.poll() is None:
                sb.proc.send_signal(signal.SIGTERM)
        for sb in servers:
            sb.stop()
        self.idle.clear()


def reset(sb: SandboxProcess, faults: dict[str, Any] | None = None) -> None:
    """Empty the server and restore the faults of its flags, or set `faults` as if it had
    started with them (`POST /_sandbox/reset`)."""
    root = sb.url.rsplit("/api", 1)[0]
    body = {} if faults is None else {"faults": faults}
    answer = httpx.post(f"{root}/_sandbox/reset", json=body, timeout=10, verify=tls_context())
    answer.raise_for_status()


def api_headers(sb: SandboxProcess) -> dict[str, str]:
    """The headers Tallyfy wants on every call, for a test's own reads."""
    return {"Authorization": f"Bearer {sb.token}", "X-Tallyfy-Client": "APIClient",
            "Accept": "application/json"}


def _get_page(client: httpx.Client, url: str, params: dict[str, str]) -> httpx.Response:
    """One GET, retried when a sandbox started with --error-rate answers 5xx (the test's own
    read must not fail on the faults meant for the runner)."""
    for _ in range(20):
        r = client.get(url, params=params)
        if r.status_code < 500:
            break
    r.raise_for_status()
    return r


def list_runs(
    sb: SandboxProcess,
    http: httpx.Client | None = None,
    on_page: Callable[[], None] = lambda: None,
    **params: str,
) -> list[dict[str, Any]]:
    """Every run the sandbox lists (all pages), read with plain httpx, not the runner's client."""
    client = http or httpx.Client(timeout=10, headers=api_headers(sb), verify=tls_context())
    runs: list[dict[str, Any]] = []
    page = 1
    try:
        while True:
            on_page()
            r = _get_page(client, f"{sb.url}/organizations/{sb.org}/runs",
                          {"per_page": "100", "page": str(page), **params})
            body = r.json()
            runs.extend(body["data"])
            pag = body["meta"]["pagination"]
            if pag["current_page"] >= pag["total_pages"]:
                return runs
            page += 1
    finally:
        if http is None:
            client.close()
