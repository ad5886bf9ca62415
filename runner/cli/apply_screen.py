"""The CLI's apply screen: confirmation, progress lines, signals, and the closing summary."""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING

import click

from runner.apply.events import FAILING, Event
from runner.errors import LaunchspecError, UsageError
from runner.plan.plan import Plan
from runner.views.planview import format_text, secrets_of
from runner.views.progress import Progress, bar, duration, line

if TYPE_CHECKING:
    from runner.project.project import Applied
    from runner.specs.config import Config

STYLE = {
    "launched": "green",
    "adopted": "green",
    "updated": "yellow",
    "moved": "yellow",
    "archived": "red",
    "dropped": "yellow",
    "failed": "red",
    "unknown": "magenta",
    "skipped": "yellow",
    "duplicate": "red",
    "deduped": "yellow",
}


# How an earlier, interrupted launch was settled, in words a person reads at once.
SETTLED = {
    "recovered": "an earlier launch's run id was recovered from the journal",
    "read-back": "an earlier launch whose answer was lost was found on the server",
    "not-launched": "an earlier launch whose answer was lost never happened; launching it now",
    "ambiguous": "several runs match an earlier launch; a person must choose",
    "young": "an earlier launch may still appear on the server; waited for it",
}
RECORDED = ("recovered", "read-back")  # settled with a run id written to the lockfile


class ApplyView:
    """Talks to the person (or CI log) while project.apply works."""

    def __init__(
        self,
        *,
        colour: bool,
        yes: bool,
        tty: bool = False,
        clock: Callable[[], float] = time.monotonic,
        every: float = 15.0,
        lock_timeout: float = 0.0,
    ):
        self.colour = colour
        self.yes = yes
        self.tty = tty  # a terminal: a bar redrawn in place; else a progress line `every` s
        self.clock = clock
        self.every = every
        self.lock_timeout = lock_timeout
        self.total = 0
        self.done = 0
        self.replacing: set[str] = set()
        self.secrets: list[str] = []
        self.stop = threading.Event()
        self.started: float | None = None
        self.last_line = 0.0
        self.drawn = False  # the bar is on the terminal's last line
        self.wait_until = 0.0  # the client waits until then (clock()): the bar says so
        self.output = threading.Lock()  # launches report from several threads

    @contextmanager
    def signals(self) -> Iterator[threading.Event]:
        """SIGINT/SIGTERM finish the launches in flight, record them, then stop."""
        if threading.current_thread() is not threading.main_thread():
            yield self.stop
            return

        def handler(signum: int, frame: FrameType | None) -> None:
            if self.stop.is_set():
                raise KeyboardInterrupt
            self.stop.set()
            name = signal.Signals(signum).name
            click.echo(
                f"\n{name}: finishing the launches in flight, then stopping "
                "(send it again to abort at once)",
                err=True,
            )

        old = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield self.stop
        finally:
            for s, h in old.items():
                signal.signal(s, h)

    def confirm(self, plan: Plan) -> bool:
        self.secrets = secrets_of(plan)
        click.echo(format_text(plan, colour=self.colour), nl=False)
        self.total = sum(1 for a in plan.actions if a.acts)
        self.replacing = {a.key for a in plan.actions if a.verb == "replace"}
        if self.yes:
            return self._start()
        if not sys.stdin.isatty():
            raise UsageError(
                "refusing to apply without confirmation: not on a terminal",
                hint="review the plan, then pass --yes",
            )
        if not click.confirm("Apply these changes?", default=False):
            raise LaunchspecError("Apply cancelled.", hint="nothing was launched or written")
        return self._start()

    def _start(self) -> bool:
        self.started = self.last_line = self.clock()
        return True

    def sleep(self, seconds: float) -> None:
        """The client's waits (Retry-After, back-off) end early once a stop is asked for."""
        self.stop.wait(seconds)

    def note(self, text: str) -> None:
        self._say(f"note: {text}")

    def waiting(self, holder: str) -> None:
        seconds = self.lock_timeout
        limit = f", up to {duration(seconds)} (--lock-timeout)" if seconds else ""
        self._say(f"waiting for another launchspec apply to finish ({holder}){limit}…")

    def waited(self, text: str) -> None:
        """The client waits (a 429's Retry-After, a retry): say what for and how long."""
        seconds = getattr(text, "seconds", None)  # runner.client.calls.Wait: how long
        if seconds is not None:
            self.wait_until = max(self.wait_until, self.clock() + float(seconds))
        self._say(f"wait: {text}")

    def _say(self, text: str) -> None:
        with self.output:
            self._clear()
            click.echo(self._redact(text), err=True)
            self._draw()

    def event(self, e: Event) -> None:
        if self.started is None:  # before the plan (--dedupe): said, not counted against it
            run = f" run={e.run_id}" if e.run_id else ""
            message = f": {e.message}" if e.message else ""
            click.echo(self._redact(f"{e.kind} {e.key}{run}{message}"))
            return
        with self.output:  # launches report from several threads: one counts and prints at once
            # A replacement is one step of the plan: its archive is said, its launch is counted.
            first_half = e.kind == "archived" and e.key in self.replacing
            self.done += 0 if first_half else 1
            head = f"[{self.done + first_half}/{self.total}] {e.kind} {e.key}"
            if self.colour:
                head = click.style(head, fg=STYLE.get(e.kind))
            run = f" run={e.run_id}" if e.run_id else ""
            message = f": {e.message}" if e.message else ""
            self._clear()
            click.echo(self._redact(f"{head}{run}{message}"))
            self._draw()
            if not self.tty and self.clock() - self.last_line >= self.every:
                self.last_line = self.clock()
                if self.done < self.total:
                    click.echo(line(self._progress()))

    def _progress(self) -> Progress:
        now = self.clock()
        waiting = max(0.0, self.wait_until - now)
        spent = now - (self.started or now)
        return Progress(min(self.done, self.total), self.total, spent, waiting)

    def _clear(self) -> None:
        if self.drawn:
            click.echo("\r\x1b[K", nl=False, err=True, color=True)  # erase the line
            self.drawn = False

    def _draw(self) -> None:
        if self.tty and self.started is not None and self.total:
            click.echo("\r" + bar(self._progress()), nl=False, err=True)
            self.drawn = True

    def finish_progress(self) -> None:
        """Wipe the bar, so the summary starts on a clean line."""
        with self.output:
            self._clear()

    def _redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "(secret)")
        return text

    def finish(self, applied: Applied, config: Config) -> int:
        """Print the summary; return the exit status."""
        self.finish_progress()
        result = applied.result
        for s in applied.settled:
            click.echo(
                f"{s.key}: {SETTLED.get(s.how, s.how)}" + (f" (run {s.run_id})" if s.run_id else "")
            )
        counts = {k: len(result.of(k)) for k in STYLE}
        counts["recorded from an earlier apply"] = sum(
            1 for s in applied.settled if s.how in RECORDED
        )
        said = ", ".join(f"{n} {k}" for k, n in counts.items() if n) or "nothing to do"
        lock = result.lock or applied.planned.lock
        where = f"{config.lockfile.name} (serial {lock.serial})"
        took = f" in {result.seconds:.2f} s" if result.events else ""
        if result.ok:
            click.echo(f"Apply complete: {said}{took}. Lockfile: {where}.")
            return 0
        click.secho(f"Apply incomplete: {said}{took}. Lockfile: {where}.", fg="red", err=True)
        if result.halt is not None:
            click.secho(f"error: {result.halt}", fg="red", err=True)
            click.echo(f"hint: {result.halt.hint}", err=True)
        elif result.interrupted:
            click.echo(
                "Interrupted: what was launched is recorded; run `launchspec apply` "
                "again to resume.",
                err=True,
            )
        for e in result.events:
            if e.kind in FAILING:
                click.echo(self._redact(f"  {e.kind} {e.key}: {e.message}"), err=True)
        return 1
