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
Three-way, per key, against BASE (the version both sides started from): a key one side
removed (pruned, forgotten) stays removed, a key one side added or changed is kept, and a
run either side archived is never kept. Where both launched a key (two different runs),
the earlier launch is kept (then the smaller run id) and the other run shows on
`launchspec plan --refresh` as a duplicate, for `launchspec apply --dedupe` to archive.
Exit 0 when merged, 1 when the two are of different lineages or organisations (git then
reports a conflict).""",
)
@click.argument("base", type=HerePath(dir_okay=False, path_type=Path))
@click.argument("ours", type=HerePath(exists=True, dir_okay=False, path_type=Path))
@click.argument("theirs", type=HerePath(exists=True, dir_okay=False, path_type=Path))
def merge(base: Path, ours: Path, theirs: Path) -> None:
    """Merge lockfile THEIRS into OURS, in place (git passes %O %A %B)."""
    from runner.project.sharing import merge_files

    done = merge_files(base, ours, theirs)
    said = f"merged the lockfile: {done.taken} keys from the other side"
    if done.removed:
        said += f", {done.removed} removed there"
    click.echo(said, err=True)
    for c in done.conflicts:
        click.echo(
            f"{c.key}: launched on both sides (runs {c.kept} and {c.other}); kept {c.kept}, "
            f"the other shows on `launchspec plan --refresh` as a duplicate for "
            "`launchspec apply --dedupe`",
            err=True,
        )


COMMANDS = (lockfile,)
