"""Command line of the sandbox: parse flags, bind the socket, serve with uvicorn, print ready."""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import signal
import socket
import sys
from pathlib import Path

import uvicorn

from runner.sandbox.app import build_app
from runner.sandbox.context import DEFAULT_TOKEN, Context
from runner.sandbox.faults import FaultConfig, Faults, Stats
from runner.sandbox.seed import SeedError, load_seed
from runner.sandbox.store import Store

__all__ = ["DEFAULT_TOKEN", "main"]


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="launchspec sandbox",
        description="A local Tallyfy-compatible API server for tests and demos. When ready it "
        "prints one line: `sandbox ready url=... org=... token=... faults=...`.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 picks one)")
    p.add_argument("--db", type=Path, help="SQLite file keeping state across restarts "
                   "(default: in memory)")
    p.add_argument("--seed", type=Path, help="seed YAML (default: the packaged default seed)")
    p.add_argument("--org", help="organisation id (default: the seed's)")
    p.add_argument("--token", default=DEFAULT_TOKEN,
                   help=f"accepted bearer token (default: {DEFAULT_TOKEN})")
    faults = p.add_argument_group("faults (API routes only)")
    faults.add_argument("--latency-ms", type=int, default=0, help="delay added to every answer")
    faults.add_argument("--error-rate", type=float, default=0.0,
                        help="share of requests answered 500/502/503 without doing anything")
    faults.add_argument("--throttle", type=int, default=0,
                        help="at most N requests a minute, then 429 with Retry-After")
    faults.add_argument("--cut-after-commit", type=float, default=0.0,
                        help="share of launches committed, then the connection is cut")
    faults.add_argument("--error-after-commit", type=float, default=0.0,
                        help="share of launches committed, then answered 422 all the same")
    faults.add_argument("--fault-seed", type=int,
                        help="seed of the fault generator (default: random, shown when ready)")
    p.add_argument("--admin", action="store_true",
                   help="serve GET /_sandbox/stats and PUT /_sandbox/faults")
    p.add_argument("--log-level", default="warning", help="uvicorn log level (stderr)")
    p.add_argument("--access-log", action="store_true", help="log every request to stderr")
    return p


def _check(p: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    for name in ("error_rate", "cut_after_commit", "error_after_commit"):
        if not 0 <= getattr(args, name) <= 1:
            p.error(f"--{name.replace('_', '-')} must be between 0 and 1")
    for name in ("latency_ms", "throttle"):
        if getattr(args, name) < 0:
            p.error(f"--{name.replace('_', '-')} must not be negative")


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


def main(argv: list[str]) -> int:
    """Run the sandbox until SIGINT/SIGTERM; returns the exit status."""
    p = parser()
    args = p.parse_args(argv)
    _check(p, args)
    try:
        seed = load_seed(args.seed)
    except SeedError as exc:
        print(f"sandbox: {exc}", file=sys.stderr)
        return 2
    org = args.org or seed.org_id
    fault_seed = args.fault_seed if args.fault_seed is not None else random.randrange(1, 10**6)
    config = FaultConfig(args.latency_ms, args.error_rate, args.throttle,
                         args.cut_after_commit, fault_seed, args.error_after_commit)
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
    server.ready_line = (f"sandbox ready url=http://{host}:{sock.getsockname()[1]}/api "
                         f"org={org} token={args.token} faults={config.describe()}")
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
