"""What every CLI command shares: global options, the API connection, common flags."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, Literal, overload

import click

from runner.errors import UsageError

if TYPE_CHECKING:
    from runner.client.client import TallyfyClient
    from runner.client.connection import Connection
    from runner.specs.config import Config


class State:
    """Options shared by every sub-command; `here` is the folder the command was started in
    (a folder inside the project `root`, or the root itself)."""

    def __init__(
        self, root: Path, debug: bool, verbose: int, color: bool | None, prefix: Path | None = None
    ):
        self.root = root
        self.debug = debug
        self.verbose = verbose
        self.color = color
        self.here = prefix or root

    def config(self) -> Config:
        from runner.specs.config import load_config

        return load_config(self.root)


def project_root(start: Path) -> Path:
    """The nearest folder from `start` upward holding launchspec.yaml; else the top of the git
    repository `start` is in (the configuration is optional; one above the repository belongs
    to something else); else `start`."""
    from runner.specs.config import CONFIG_FILE

    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file() or (folder / ".git").exists():
            return folder
    return start


class HerePath(click.Path):
    """A path argument as typed in the folder the command was started in, though the command
    runs at the project root (found upward from there)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        state = ctx.find_object(State) if ctx is not None else None
        text = os.fspath(value) if isinstance(value, str | os.PathLike) else None
        if state is not None and text and text != "-" and not os.path.isabs(text):
            value = os.path.relpath(state.here / text, state.root)
        return super().convert(value, param, ctx)


@overload
def connect(state: State, config: Config, sandbox: bool, required: Literal[True]) -> Connection: ...
@overload
def connect(state: State, config: Config, sandbox: bool, required: bool) -> Connection | None: ...
def connect(state: State, config: Config, sandbox: bool, required: bool) -> Connection | None:
    """A Connection from --sandbox or the environment; None when offline is allowed."""
    from runner.client.connection import from_environment, start_sandbox

    if sandbox:
        if state.verbose:
            click.echo("starting the embedded sandbox…", err=True)
        return start_sandbox(config)
    conn = from_environment(config)
    if conn is None and required:
        raise UsageError(
            "this command talks to the Tallyfy API: set TALLYFY_TOKEN and TALLYFY_ORG_ID",
            hint="or try it against a local sandbox with --sandbox",
        )
    return conn


def client_log(state: State) -> Callable[[str], None] | None:
    if state.verbose < 2:
        return None
    return lambda line: click.echo(f"http: {line}", err=True)


def say_wait(text: str) -> None:
    """A wait of the client (429, retry), on stderr: stdout stays the command's output."""
    click.echo(f"wait: {text}", err=True)


def on_terminal() -> bool:
    """A person watches: both streams are a terminal, outside CI, and not a dumb terminal."""
    plain = os.environ.get("CI") or os.environ.get("TERM") == "dumb"
    return sys.stdout.isatty() and sys.stderr.isatty() and not plain


sandbox_option = click.option(
    "--sandbox",
    "use_sandbox",
    is_flag=True,
    help="Start the embedded sandbox (state under .launchspec/) and use it instead of Tallyfy.",
)


def _parse_now(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    """`--now` / LAUNCHSPEC_NOW: an ISO 8601 time, UTC when it names no offset."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def clock_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """`--backfill N`, and the hidden clock `--now` / LAUNCHSPEC_NOW (for tests and demos)."""
    f = click.option("--now", envvar="LAUNCHSPEC_NOW", hidden=True, callback=_parse_now)(f)
    return click.option(
        "--backfill",
        type=click.IntRange(0),
        default=0,
        metavar="N",
        help="Also launch up to N missed earlier periods of recurring (every:) specs.",
    )(f)


def colour(state: State) -> bool:
    if state.color is not None:
        return state.color
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


@contextmanager
def client_for(
    state: State, use_sandbox: bool, required: bool, offline: bool = False, **options: Any
) -> Iterator[TallyfyClient | None]:
    """An API client (None when offline, or allowed to be and no token is set); closed after."""
    if offline:
        yield None
        return
    conn = connect(state, state.config(), use_sandbox, required)
    try:
        options.setdefault("on_wait", say_wait)
        yield conn.client(log=client_log(state), **options) if conn else None
    finally:
        if conn:
            conn.close()


@contextmanager
def live_client(state: State, use_sandbox: bool, **options: Any) -> Iterator[TallyfyClient]:
    """An API client for a command that needs one (no token is a usage error); closed after."""
    conn = connect(state, state.config(), use_sandbox, required=True)
    try:
        options.setdefault("on_wait", say_wait)
        yield conn.client(log=client_log(state), **options)
    finally:
        conn.close()


@contextmanager
def stop_requested() -> Iterator[threading.Event]:
    """An event set by the first SIGINT or SIGTERM, so a loop stops between steps; a second
    signal aborts at once. A KeyboardInterrupt raised mid-read could leave a lock of the HTTP
    pool held and hang the exit; an event cannot."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    import signal  # here: only commands that loop (status --watch) handle signals

    def handler(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    old = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for s, h in old.items():
            signal.signal(s, h)
