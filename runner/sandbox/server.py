"""Command line of the sandbox: parse flags, bind the socket, serve with uvicorn, print ready."""

from __future__ import annotations

import asyncio
import logging
import random
import signal
import socket
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import click
import uvicorn

from runner.sandbox.app import build_app
from runner.sandbox.context import DEFAULT_TOKEN, Context
from runner.sandbox.faults import FaultConfig, Faults, Stats
from runner.sandbox.seed import SeedError, load_seed
from runner.sandbox.store import Store

__all__ = ["DEFAULT_TOKEN", "main"]


SHARE = click.FloatRange(0, 1)
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.command(
    context_settings=CONTEXT,
    epilog="""\b
Examples:
  launchspec sandbox                          serve on 127.0.0.1:8765, state in memory
  launchspec sandbox --db sandbox.db          keep runs across restarts
  launchspec sandbox --port 0 --error-rate 0.2 --throttle 600    a flaky, busy server

\b
When it listens it prints `sandbox ready url=... org=... token=... faults=...`, then the
lines to paste into another shell to use it:
  export TALLYFY_API_URL=http://127.0.0.1:8765/api
  export TALLYFY_ORG_ID=...
  export TALLYFY_TOKEN=lsbx-test-token-not-a-secret    (a fixed test value, not a secret)
Ctrl-C stops it. `launchspec plan --sandbox` starts one of its own instead.""",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", type=int, default=8765, show_default=True, help="Port; 0 picks one.")
@click.option(
    "--db", type=click.Path(dir_okay=False, path_type=Path),
    help="SQLite file keeping state across restarts (default: in memory).",
)
@click.option(
    "--seed", type=click.Path(dir_okay=False, path_type=Path),
    help="Seed YAML: users, groups, tags, folders, templates (default: the packaged one).",
)
@click.option("--org", help="Organisation id (default: the seed's).")
@click.option(
    "--token", default=DEFAULT_TOKEN, show_default=True, help="The bearer token it accepts."
)
@click.option(
    "--latency-ms", type=click.IntRange(0), default=0, help="Fault: delay added to every answer."
)
@click.option(
    "--error-rate", type=SHARE, default=0.0,
    help="Fault: share of requests answered 500/502/503 without doing anything.",
)
@click.option(
    "--throttle", type=click.IntRange(0), default=0, metavar="N",
    help="Fault: at most N requests a minute, then 429 with Retry-After.",
)
@click.option(
    "--cut-after-commit", type=SHARE, default=0.0,
    help="Fault: share of launches committed, then the connection is cut.",
)
@click.option(
    "--error-after-commit", type=SHARE, default=0.0,
    help="Fault: share of launches committed, then answered 422 all the same.",
)
@click.option(
    "--ignore-sort", is_flag=True, help="Fault: list runs oldest first whatever `sort` asks."
)
@click.option("--ignore-q", is_flag=True, help="Fault: do not filter runs by `q` (name).")
@click.option(
    "--html-summaries", is_flag=True,
    help="Fault: keep run summaries as HTML paragraphs, as Tallyfy's rich-text editor saves them.",
)
@click.option(
    "--fault-seed", type=int, help="Seed of the fault generator (default: random, shown)."
)
@click.option("--admin", is_flag=True, help="Serve GET /_sandbox/stats and PUT /_sandbox/faults.")
@click.option("--log-level", default="warning", show_default=True, help="uvicorn log level.")
@click.option("--access-log", is_flag=True, help="Log every request to stderr.")
def command(**options: Any) -> None:
    """Run a local Tallyfy-compatible API server (for trying launchspec, tests and demos).

    Faults apply to the API routes only. Fault rates are shares between 0 and 1.
    """
    sys.exit(serve(SimpleNamespace(**options)))


def main(argv: list[str]) -> int:
    """Parse `argv` and run the sandbox until SIGINT/SIGTERM; returns the exit status."""
    try:
        command.main(args=argv, prog_name="launchspec sandbox", standalone_mode=True)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 1
    return 0


def exports(url: str, org: str, token: str) -> list[str]:
    """The shell lines that point launchspec at this sandbox; the token only when it is the
    fixed test value (a token of one's own is not repeated on the screen)."""
    own = "# export TALLYFY_TOKEN=<the --token value>"
    return [
        "# to use this sandbox from another shell, paste:",
        f"export TALLYFY_API_URL={url}",
        f"export TALLYFY_ORG_ID={org}",
        f"export TALLYFY_TOKEN={token}" if token == DEFAULT_TOKEN else own,
    ]


class _ReadyServer(uvicorn.Server):
    """Prints the ready line once uvicorn accepts connections."""

    ready_line = ""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if not self.should_exit:
            print(self.ready_line, flush=True)


class _QuietCut(logging.Filter):
    """A cut connection is the fault we asked for, not an error worth a log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "without completing response" not in record.getMessage()


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets whose proto
    # says TCP, and without it Nagle plus delayed ACKs add 40 ms to every answer.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.setblocking(False)
    return sock


def serve(args: Any) -> int:
    """Run the sandbox with parsed `args` until SIGINT/SIGTERM; returns the exit status."""
    try:
        seed = load_seed(args.seed)
    except SeedError as exc:
        print(f"sandbox: {exc}", file=sys.stderr)
        return 2
    org = args.org or seed.org_id
    fault_seed = args.fault_seed if args.fault_seed is not None else random.randrange(1, 10**6)
    config = FaultConfig(args.latency_ms, args.error_rate, args.throttle,
                         args.cut_after_commit, fault_seed, args.error_after_commit,
                         ignore_sort=args.ignore_sort, ignore_q=args.ignore_q,
                         html_summaries=args.html_summaries)
    stats = Stats()
    store = Store(str(args.db) if args.db else None)
    ctx = Context(seed, store, org, args.token, Faults(config, stats), stats, args.admin)
    try:
        sock = _bind(args.host, args.port)
    except OSError as exc:
        print(f"sandbox: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    host = f"[{args.host}]" if ":" in args.host else args.host
    uv_config = uvicorn.Config(build_app(ctx), lifespan="off", log_level=args.log_level,
                               access_log=args.access_log, server_header=False)
    server = _ReadyServer(uv_config)
    url = f"http://{host}:{sock.getsockname()[1]}/api"
    server.ready_line = "\n".join([
        f"sandbox ready url={url} org={org} token={args.token} faults={config.describe()}",
        *exports(url, org, args.token),
    ])
    logging.getLogger("uvicorn.error").addFilter(_QuietCut())
    # uvicorn re-raises the stopping signal after shutdown; these no-op handlers absorb it
    # so that SIGINT/SIGTERM end with status 0.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: None)
    try:
        asyncio.run(server.serve(sockets=[sock]))
    finally:
        store.close()
        sock.close()
    return 0
