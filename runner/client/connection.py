"""Where the API is and who we are: environment, configuration, or an embedded sandbox."""

from __future__ import annotations

import os
import re
import selectors
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from runner.errors import ConfigError, LaunchspecError
from runner.redaction import register
from runner.specs.config import Config

if TYPE_CHECKING:  # imported when a client is made: httpx is not needed before
    from runner.client.client import TallyfyClient

DEFAULT_API_URL = "https://go.tallyfy.com/api"
_READY = re.compile(r"^sandbox ready url=(\S+) org=(\S+) token=(\S+)")


@dataclass
class Connection:
    """Settings for the API client; `token` is never printed (see __repr__)."""

    url: str
    org_id: str
    token: str = field(repr=False)
    sandbox: subprocess.Popen[str] | None = field(default=None, repr=False)
    limits: dict[str, float] = field(default_factory=dict)  # the configuration's API limits
    clients: list[Any] = field(default_factory=list, repr=False)  # made here, closed by close()

    def client(self, **options: Any) -> TallyfyClient:
        from runner.client.budgets import budgets_from
        from runner.client.client import TallyfyClient

        options.setdefault("budgets", budgets_from(self.limits))
        made = TallyfyClient(self.url, self.org_id, self.token, **options)
        self.clients.append(made)
        return made

    def close(self) -> None:
        """Close the clients made here (their pooled connections) and stop the sandbox."""
        for made in self.clients:
            made.close()
        self.clients.clear()
        if self.sandbox is not None and self.sandbox.poll() is None:
            self.sandbox.terminate()
            try:
                self.sandbox.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.sandbox.kill()
                self.sandbox.wait(timeout=10)
        if self.sandbox is not None and self.sandbox.stdout is not None:
            self.sandbox.stdout.close()
        self.sandbox = None


def token_flaw(token: str) -> str | None:
    """What makes `token` unusable in an Authorization header, by kind (never the token)."""
    if "\n" in token or "\r" in token:
        return "contains a line break"
    if any(c.isspace() for c in token):
        return "contains a space"
    if any(ord(c) < 32 or ord(c) == 127 for c in token):
        return "contains a control character"
    if not token.isascii():
        return "contains a character that is not ASCII"
    return None


def from_environment(config: Config, env: dict[str, str] | None = None) -> Connection | None:
    """A connection from TALLYFY_* variables (and the config's org and URL), or None if no token."""
    env = dict(os.environ if env is None else env)
    token = env.get("TALLYFY_TOKEN", "").strip()
    if not token:
        return None
    register(token)
    flaw = token_flaw(token)
    if flaw:
        raise ConfigError(
            f"TALLYFY_TOKEN {flaw}; it was not sent anywhere",
            hint="copy the token again, without line breaks or spaces (it is one line of text)",
        )
    org = env.get("TALLYFY_ORG_ID") or config.org_id
    if not org:
        raise ConfigError(
            "TALLYFY_TOKEN is set but no organisation is named",
            hint="set TALLYFY_ORG_ID, or `organization:` in launchspec.yaml",
        )
    url = env.get("TALLYFY_API_URL") or config.api_url or DEFAULT_API_URL
    return Connection(url=url.rstrip("/"), org_id=org, token=token, limits=config.api_limits)


def start_sandbox(config: Config, timeout: float = 30) -> Connection:
    """Start the embedded sandbox (state kept under the state dir) and connect to it."""
    config.state_dir.mkdir(parents=True, exist_ok=True)
    db = config.state_dir / "sandbox.db"
    argv = [sys.executable, "-I", "-m", "runner.sandbox", "--port", "0", "--db", str(db)]
    log = open(config.state_dir / "sandbox.log", "a")  # noqa: SIM115 - lives with the process
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log, text=True)
    log.close()
    assert proc.stdout is not None
    line = _read_line(proc.stdout, timeout)
    match = _READY.match(line.strip()) if line else None
    if match:
        return Connection(
            url=match[1], org_id=match[2], token=match[3], sandbox=proc, limits=config.api_limits
        )
    proc.kill()
    raise LaunchspecError(
        "the embedded sandbox did not start",
        hint=f"see {Path(config.state_dir, 'sandbox.log')}; is `launchspec[sandbox]` installed?",
    )


def _read_line(stream: IO[str], timeout: float) -> str | None:
    """The first line of `stream`, or None if none comes within `timeout` seconds."""
    with selectors.DefaultSelector() as sel:
        sel.register(stream, selectors.EVENT_READ)
        if not sel.select(timeout):
            return None
    return stream.readline()
