"""Chaos harness: generated specs, a sandbox read and re-faulted at will, apply processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import weakref
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from runner.client.client import tls_context
from runner.state.lockfile import Lockfile, parse_lockfile
from runner.state.provenance import markers_in
from tests.support.sandbox import SandboxProcess, api_headers, list_runs

MONTH_END = "7bd3db0bb939aef446ffc68c3e8e653f"  # Month-end Close in the default seed
ENTITIES = ("Acme Inc.", "Acme GmbH", "Acme KK")
# The sandbox commits a launch before it cuts the connection and drops requests whose client
# has gone, so a lost launch never shows up late: no need for the default minute of settling.
SANDBOX_CONFIG = "limits: {settle_seconds: 1}\n"
NO_FAULTS = {"error_rate": 0.0, "throttle": 0, "cut_after_commit": 0.0, "latency_ms": 0}


def write_specs(root: Path, count: int, prefix: str = "chaos") -> dict[str, str]:
    """`count` Month-end Close specs in one file; returns {key: rendered name}."""
    docs, names = [], {}
    for i in range(count):
        key, name = f"{prefix}-{i:03d}", f"{prefix.title()} close {i:03d}"
        names[key] = name
        docs.append(
            f"id: {key}\ntemplate: {MONTH_END}\nname: \"{name}\"\n"
            f"prerun:\n  Period: \"2026-{i % 12 + 1:02d}\"\n  Entity: {ENTITIES[i % 3]}\n"
        )
    (root / "specs").mkdir(parents=True, exist_ok=True)
    (root / "specs" / f"{prefix}.yaml").write_text("---\n".join(docs))
    (root / "launchspec.yaml").write_text(SANDBOX_CONFIG)
    return names


def cli_env(sb: SandboxProcess) -> dict[str, str]:
    """The environment an apply subprocess runs with: the sandbox's, no stray TALLYFY_*."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("TALLYFY_", "GITHUB_"))}
    return {**base, **sb.env(), "PYTHONUNBUFFERED": "1"}


class Server:
    """A sandbox started with `--admin`, read by the test with its faults paused."""

    def __init__(self, sb: SandboxProcess):
        self.sb = sb
        self.faults: dict[str, Any] = dict(NO_FAULTS)
        self.own_requests = 0  # the test's own reads, left out of the figures
        self._http = httpx.Client(timeout=10, headers=api_headers(sb), verify=tls_context())
        weakref.finalize(self, self._http.close)  # closed with the Server, not left to the GC

    @property
    def root(self) -> str:
        return self.sb.url.rsplit("/api", 1)[0]

    def set_faults(self, **faults: Any) -> None:
        self.faults.update(faults)
        self._put(self.faults)

    def _put(self, faults: dict[str, Any]) -> None:
        self._http.put(f"{self.root}/_sandbox/faults", json=faults).raise_for_status()

    @contextmanager
    def calm(self) -> Iterator[None]:
        """Faults off while the test itself reads; the next set_faults turns them back on."""
        self._put(NO_FAULTS)
        try:
            yield
        finally:
            self._put(self.faults)

    def stats(self) -> dict[str, Any]:
        body: dict[str, Any] = self._http.get(f"{self.root}/_sandbox/stats").json()
        return body

    def wait_held(self, count: int, *watched: ApplyProcess, timeout: float = 120) -> None:
        """Wait until `count` launches wait at the sandbox (faults `hold_launches`): the
        barrier is reached by construction, not by hoping that processes overlap. Fails if a
        watched process ends first, or after `timeout` (generous: a loaded machine is slow)."""
        deadline = time.monotonic() + timeout
        while self.stats()["launches_held"] < count:
            ended = [p for p in watched if p.proc.poll() is not None]
            assert not ended and time.monotonic() < deadline, (
                f"{count} launches were not held within {timeout} s:\n"
                + "\n".join(p.text for p in watched))
            time.sleep(0.01)

    def runs(self) -> list[dict[str, Any]]:
        """Every run on the server (all pages), read with faults paused."""
        with self.calm():
            return self._all_runs()

    def _all_runs(self) -> list[dict[str, Any]]:
        return list_runs(self.sb, self._http, on_page=self._count_own)

    def _count_own(self) -> None:
        self.own_requests += 1

    def launch(self, body: dict[str, Any]) -> dict[str, Any]:
        """Launch a run by hand (as a person or another tool would), faults paused."""
        with self.calm():
            self.own_requests += 1
            r = self._http.post(f"{self.sb.url}/organizations/{self.sb.org}/runs", json=body)
            r.raise_for_status()
            run: dict[str, Any] = r.json()["data"]
            return run

    def close(self) -> None:
        self._http.close()


def markers(run: dict[str, Any]) -> list[str]:
    return markers_in(run.get("summary"))


def duplicates(runs: list[dict[str, Any]]) -> dict[str, int]:
    """Names (and markers) carried by more than one run."""
    seen = Counter(r["name"] for r in runs) + Counter(m for r in runs for m in markers(r))
    return {name: n for name, n in seen.items() if n > 1}


def read_lock(root: Path) -> Lockfile | None:
    """The lockfile, parsed the way launchspec parses it (None before the first write)."""
    path = root / "launchspec.lock.json"
    return parse_lockfile(path.read_bytes(), str(path)) if path.exists() else None


@dataclass
class ApplyProcess:
    """One `launchspec apply` subprocess whose output is collected as it comes."""

    proc: subprocess.Popen[str]
    started: float
    out: list[str] = field(default_factory=list)
    err: list[str] = field(default_factory=list)
    _threads: list[threading.Thread] = field(default_factory=list)

    @classmethod
    def start(cls, root: Path, env: dict[str, str], *args: str) -> ApplyProcess:
        argv = [sys.executable, "-m", "runner", "-C", str(root), "apply", "--yes", *args]
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, text=True, env=env)
        self = cls(proc, time.monotonic())
        for stream, sink in ((proc.stdout, self.out), (proc.stderr, self.err)):
            t = threading.Thread(target=_drain, args=(stream, sink), daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def wait_for(self, text: str, timeout: float, *, stderr: bool = False) -> bool:
        """Wait until `text` appears in stdout (or stderr) or the process ends; True if it
        appeared."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text in line for line in list(self.err if stderr else self.out)):
                return True
            if self.proc.poll() is not None:
                return False
            time.sleep(0.005)
        return False

    def signal(self, sig: int) -> bool:
        """Send `sig` if still running; True if it was delivered."""
        if self.proc.poll() is not None:
            return False
        os.kill(self.proc.pid, sig)
        return True

    def finish(self, timeout: float) -> int:
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
            raise AssertionError(f"apply did not end within {timeout}s:\n{self.text}") from None
        for t in self._threads:
            t.join(timeout=5)
        return code

    @property
    def text(self) -> str:
        return "".join(self.out) + "".join(self.err)


def _drain(stream: Any, sink: list[str]) -> None:
    for line in stream:
        sink.append(line)
    stream.close()


def lock_json(root: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((root / "launchspec.lock.json").read_text())
    return doc
