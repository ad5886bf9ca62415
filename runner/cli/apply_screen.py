"""The CLI's apply screen: confirmation, progress lines, signals, and the closing summary."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

import click

from runner.apply.events import FAILING, Event
from runner.errors import LaunchspecError, UsageError
from runner.plan.plan import Plan
from runner.views.planview import format_text, secrets_of

STYLE = {
    "launched": "green",
    "adopted": "green",
    "updated": "yellow",
    "archived": "red",
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


class ApplyView:
    """Talks to the person (or CI log) while project.apply works."""

    def __init__(self, *, colour: bool, yes: bool):
        self.colour = colour
        self.yes = yes
        self.total = 0
        self.done = 0
        self.replacing: set[str] = set()
        self.secrets: list[str] = []
        self.stop = threading.Event()

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
        self.replacing = {a.key for a in plan.actions if a.kind == "replace"}
        if self.yes:
            return True
        if not sys.stdin.isatty():
            raise UsageError(
                "refusing to apply without confirmation: not on a terminal",
                hint="review the plan, then pass --yes",
            )
        if not click.confirm("Apply these changes?", default=False):
            raise LaunchspecError("Apply cancelled.", hint="nothing was launched or written")
        return True

    def sleep(self, seconds: float) -> None:
        """The client's waits (Retry-After, back-off) end early once a stop is asked for."""
        self.stop.wait(seconds)

    def note(self, text: str) -> None:
        click.echo(f"note: {text}", err=True)

    def waiting(self, holder: str) -> None:
        click.echo(f"waiting for another launchspec apply to finish ({holder})…", err=True)

    def event(self, e: Event) -> None:
        # A replacement is one step of the plan: its archive is said, its launch is counted.
        first_half = e.kind == "archived" and e.key in self.replacing
        self.done += 0 if first_half else 1
        head = f"[{self.done + first_half}/{self.total}] {e.kind} {e.key}"
        if self.colour:
            head = click.style(head, fg=STYLE.get(e.kind))
        run = f" run={e.run_id}" if e.run_id else ""
        message = f": {e.message}" if e.message else ""
        click.echo(self._redact(f"{head}{run}{message}"))

    def _redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "(secret)")
        return text

    def finish(self, applied: Any, config: Any) -> int:
        """Print the summary; return the exit status."""
        result = applied.result
        for s in applied.settled:
            click.echo(
                f"{s.key}: {SETTLED.get(s.how, s.how)}" + (f" (run {s.run_id})" if s.run_id else "")
            )
        counts = {k: len(result.of(k)) for k in STYLE}
        said = ", ".join(f"{n} {k}" for k, n in counts.items() if n) or "nothing to do"
        lock = result.lock or applied.planned.lock
        where = f"{config.lockfile.name} (serial {lock.serial})"
        took = f" in {result.seconds:.2f} s" if result.events else ""
        if result.ok:
            click.echo(f"Apply complete: {said}{took}. Lockfile: {where}.")
            return 0
        click.secho(f"Apply incomplete: {said}{took}. Lockfile: {where}.", fg="red", err=True)
        if result.interrupted:
            click.echo(
                "Interrupted: what was launched is recorded; run `launchspec apply` "
                "again to resume.",
                err=True,
            )
        for e in result.events:
            if e.kind in FAILING:
                click.echo(self._redact(f"  {e.kind} {e.key}: {e.message}"), err=True)
        return 1
