"""The CLI's `lockfile merge`: a git merge driver that joins two applies' lockfiles."""

from __future__ import annotations

from pathlib import Path

import click

from runner.cli.common import HerePath


@click.group(
    epilog="""\b
Set it up once per clone (the .gitattributes line is committed):
  echo 'launchspec.lock.json merge=launchspec' >> .gitattributes
  git config merge.launchspec.driver 'launchspec lockfile merge %O %A %B'""",
)
def lockfile() -> None:
    """Work with launchspec.lock.json: merge two versions without a JSON conflict."""


@lockfile.command(
    epilog="""\b
Per key, a key only one side has is kept; where both name a key with different runs
(two machines launched it), the earlier launch is kept (then the smaller run id), and
the other run shows on `launchspec plan --refresh` as a duplicate, for
`launchspec apply --dedupe` to archive. Exit 0 when merged, 1 when the two are of
different lineages (git then reports a conflict).""",
)
@click.argument("base", type=HerePath(dir_okay=False, path_type=Path))
@click.argument("ours", type=HerePath(exists=True, dir_okay=False, path_type=Path))
@click.argument("theirs", type=HerePath(exists=True, dir_okay=False, path_type=Path))
def merge(base: Path, ours: Path, theirs: Path) -> None:
    """Merge lockfile THEIRS into OURS, in place (git passes %O %A %B)."""
    from runner.project.sharing import merge_files

    taken, clashes = merge_files(ours, theirs)
    said = f"merged the lockfile: {taken} keys from the other side"
    if clashes:
        said += f", {clashes} launched on both (run `launchspec plan --refresh`)"
    click.echo(said, err=True)


COMMANDS = (lockfile,)
