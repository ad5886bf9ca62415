"""The CLI's `templates pull|list|show`, `new` and `status` commands (thin: cores elsewhere)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import click

from runner.cli.common import (
    HerePath,
    State,
    client_for,
    live_client,
    sandbox_option,
    stop_requested,
)
from runner.errors import UsageError

Command = Callable[..., None]
MIN_WATCH = 2.0  # seconds between refreshes: every refresh reads each run and its tasks


def offline_option(f: Command) -> Command:
    return click.option(
        "--offline", is_flag=True, help="Read the snapshots even when a token is set."
    )(f)


def format_option(f: Command) -> Command:
    return click.option(
        "--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output."
    )(f)


@click.group(
    epilog="""\b
Examples:
  launchspec templates pull                 snapshot every template the specs use
  launchspec templates pull "Client Onboarding"
  launchspec templates list                 every template (API), or every snapshot
  launchspec templates show "Month-end Close"   kick-off fields and steps""",
)
def templates() -> None:
    """Snapshot templates into the repo, and list or show them.

    With TALLYFY_TOKEN the API is read; without it (or with --offline), the
    snapshots in templates/ are.
    """


@templates.command(epilog="Writes templates/<id>.json per template and templates/_directory.json.")
@click.argument("refs", nargs=-1, metavar="[TEMPLATE]...")
@sandbox_option
@click.pass_obj
def pull(state: State, refs: Sequence[str], use_sandbox: bool) -> None:
    """Snapshot TEMPLATEs (ids or titles; default: those the specs use) and the directory."""
    from runner.project import catalog

    with live_client(state, use_sandbox) as client:
        pulled = catalog.pull(state.config(), client, refs)
    for path, title, how in pulled.files:
        click.echo(f"{how:>9}  {path}  {title}")


@templates.command("list")
@format_option
@offline_option
@sandbox_option
@click.pass_obj
def list_(state: State, fmt: str, offline: bool, use_sandbox: bool) -> None:
    """List templates: title, id, status, how many kick-off fields and steps."""
    from runner.project import catalog
    from runner.views.templateview import format_list

    with client_for(state, use_sandbox, False, offline) as client:
        found, origin = catalog.templates(state.config(), client)
    click.echo(format_list(found, fmt, origin), nl=False)


@templates.command()
@click.argument("ref", metavar="TEMPLATE")
@format_option
@offline_option
@sandbox_option
@click.pass_obj
def show(state: State, ref: str, fmt: str, offline: bool, use_sandbox: bool) -> None:
    """Show TEMPLATE's kick-off fields and steps, with default owners and deadlines."""
    from runner.project import catalog
    from runner.views.templateview import format_show

    with client_for(state, use_sandbox, False, offline) as client:
        shown = catalog.show(state.config(), client, ref)
    text = format_show(shown.template, shown.fields, shown.steps, fmt, shown.origin)
    click.echo(text, nl=False)


@click.command(
    "new",
    epilog="""\b
Examples:
  launchspec new --template "Client Onboarding" --id onboarding-initech
  launchspec new -t 7bd3db0bb939aef446ffc68c3e8e653f --out -     print it instead""",
)
@click.option("--template", "-t", "ref", required=True, help="Template id or title.")
@click.option("--id", "key", help="The spec's id (default: from the template's title).")
@click.option(
    "--out",
    type=HerePath(dir_okay=False, path_type=Path, allow_dash=True),
    help="Where to write it (default: specs/ID.yaml; `-` for standard output).",
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@offline_option
@sandbox_option
@click.pass_obj
def new(
    state: State,
    ref: str,
    key: str | None,
    out: Path | None,
    force: bool,
    offline: bool,
    use_sandbox: bool,
) -> None:
    """Write a ready-to-edit spec for a template: every kick-off field and step listed."""
    from runner.project.scaffold import scaffold
    from runner.state.fsutil import atomic_write

    config = state.config()
    with client_for(state, use_sandbox, False, offline) as client:
        made = scaffold(config, client, ref, key, out)
    if made.path is None:
        click.echo(made.text, nl=False)
        return
    shown = os.path.relpath(made.path, state.root)
    if made.path.exists() and not force:
        raise UsageError(f"{shown} exists", hint="pass --force to overwrite it, or --out FILE")
    atomic_write(made.path, made.text.encode())
    click.echo(f"wrote {shown}: fill in the required kick-off fields, then `launchspec plan`")
    if not made.own_schema:
        click.echo(
            "note: its first line points editors at the schema inside the installed launchspec; "
            "`launchspec init` puts a copy in this project (schema/) for everyone who clones it"
        )


@click.command(
    "status",
    epilog="""\b
Examples:
  launchspec status                        every launch in the lockfile, live
  launchspec status --format json
  launchspec status --watch 30             refresh every 30 s until Ctrl-C
  launchspec status --watch 60 --count 10  ten refreshes, then stop""",
)
@format_option
@click.option(
    "--watch",
    type=click.FloatRange(min=MIN_WATCH),
    metavar="SECONDS",
    help=f"Refresh every SECONDS (at least {MIN_WATCH:g}) until Ctrl-C.",
)
@click.option("--count", type=click.IntRange(min=1), help="With --watch: stop after N refreshes.")
@sandbox_option
@click.pass_obj
def status(
    state: State, fmt: str, watch: float | None, count: int | None, use_sandbox: bool
) -> None:
    """Show each launched run's live state: progress, next task, overdue tasks, flags."""
    from runner.project import status as core

    config = state.config()
    shown = 0
    view = core.format_json if fmt == "json" else core.format_text
    with live_client(state, use_sandbox) as client, stop_requested() as stop:
        while True:
            now = datetime.now(UTC).replace(microsecond=0)
            found = core.current(config, client, now)
            if watch and shown and fmt == "text" and sys.stdout.isatty():
                click.clear()
            click.echo(view(found, now), nl=False)
            shown += 1
            if not watch or (count is not None and shown >= count):
                return
            if stop.wait(watch):
                break
    click.echo("stopped watching", err=True)


COMMANDS = (templates, new, status)
