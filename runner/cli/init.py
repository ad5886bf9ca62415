"""The CLI's `init` command (thin: the core is project/starter)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from runner.cli.common import HerePath, State


@click.command(
    epilog="""\b
Examples:
  launchspec init                 start a project in the current folder
  launchspec init ops-launches    in a new folder
  launchspec init --force         overwrite files init wrote before (or that differ)

\b
Writes launchspec.yaml, .gitignore (adds .launchspec/), schema/*.schema.json (editors
read it through the first line of each spec), specs/example.yaml, and the GitHub
workflows .github/workflows/launchspec-plan.yml (plan on pull requests) and
launchspec-apply.yml (apply on merge).""",
)
@click.argument("directory", required=False, type=HerePath(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite files that exist with other content.")
@click.pass_obj
def init(state: State, directory: Path | None, force: bool) -> None:
    """Start a launchspec project: configuration, schema, an example spec, workflows.

    Nothing is overwritten without --force: when a file exists with other content, init
    names it and writes nothing.
    """
    from runner.project.starter import init_project

    root = state.root / directory if directory else state.root

    def shown(name: str) -> str:
        return os.path.relpath(root / name, state.root)

    for written in init_project(root, force, shown):
        says = {"new": "wrote", "overwritten": "overwrote", "updated": "added .launchspec/ to"}
        click.echo(f"{says.get(written.how, written.how)} {shown(written.path)}")
    where = f"-C {directory} " if directory else ""
    click.echo(
        f"\nNext: `launchspec {where}plan --sandbox` shows what the example would launch, "
        "against a local sandbox. Then point specs/example.yaml at one of your templates "
        f"(`launchspec {where}templates list` with TALLYFY_TOKEN set), and "
        f"`launchspec {where}validate` and `launchspec {where}plan`."
    )


COMMANDS = (init,)
