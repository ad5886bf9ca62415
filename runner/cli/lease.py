"""The CLI's `lease show` and `lease break`: see and clear the lease shared across machines."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from runner.cli.common import State

if TYPE_CHECKING:
    from runner.project.leases import Found


@click.group()
def lease() -> None:
    """The lease on the git remote that lets one machine at a time apply this project."""


@lease.command()
@click.pass_obj
def show(state: State) -> None:
    """Who holds the shared lease, since when, and until when."""
    from runner.project import leases

    for found in leases.show(state.config()):
        _say(found)


def _say(found: Found) -> None:
    click.echo(f"{found.ref}: {found.state}")
    if found.holder is not None:
        click.echo(f"  holder: {found.holder.describe()}")
        click.echo(f"  commit: {found.sha}")
    if found.problem:
        click.echo(f"  problem: {found.problem}")
    for said in found.warnings:
        click.echo(f"  warning: {said}")


@lease.command(
    "break",
    epilog="""\b
Only once the apply holding it is surely gone: a live holder whose lease is broken
stops launching at its next renewal, but may launch until then.""",
)
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation (CI).")
@click.pass_obj
def break_(state: State, yes: bool) -> None:
    """Remove the shared lease from the git remote, whoever holds it."""
    from runner.project import leases

    config = state.config()
    present = [f for f in leases.show(config) if f.sha]
    if not present:
        click.echo("nobody holds the shared lease: nothing to break")
        return
    for found in present:
        _say(found)
        if not yes and not click.confirm(f"break {found.ref}?", default=False, err=True):
            sys.exit(1)
        if leases.break_lease(config, found.ref, found.sha):
            click.echo(f"broke {found.ref}")
        else:
            click.echo(f"{found.ref} changed meanwhile: not broken; look again", err=True)
            sys.exit(1)


COMMANDS = (lease,)
