"""The command line: parse arguments, call project/apply, hand results to report, map errors."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path
from typing import NoReturn

import click

from runner import __version__
from runner.cli.common import HerePath, State, project_root
from runner.errors import LaunchspecError, SpecError, UsageError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
# Each command's module, imported when the command runs or is listed: a one-file validate (a
# pre-commit hook's, where start-up is most of the time) builds no other command's options.
LAZY = {
    "plan": "launch", "apply": "launch", "import": "launch", "forget": "launch",
    "templates": "templates", "new": "templates", "status": "templates", "doctor": "doctor",
    "init": "init", "lease": "lease", "lockfile": "lockfile",
}  # fmt: skip


class LazyGroup(click.Group):
    """A group whose commands in `LAZY` are added from their module on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY and cmd_name not in self.commands:
            module = importlib.import_module(f"runner.cli.{LAZY[cmd_name]}")
            for command in module.COMMANDS:
                self.add_command(command)
        return super().get_command(ctx, cmd_name)


def _fail(error: LaunchspecError, debug: bool, as_json: bool = False) -> NoReturn:
    if debug:
        import traceback

        traceback.print_exc()
    if as_json:  # a JSON consumer gets one document on stdout, errors included
        from runner.views.report import error_document

        found = error.diagnostics if isinstance(error, SpecError) else ()
        click.echo(error_document(error.message, error.hint, error.exit_code, found), nl=False)
    if isinstance(error, SpecError):
        from runner.views.report import format_diagnostics

        click.echo(format_diagnostics(error.diagnostics, "text"), err=True, nl=False)
    else:
        click.secho(f"error: {error}", fg="red", err=True)
    if error.hint:
        click.echo(f"hint: {error.hint}", err=True)
    sys.exit(error.exit_code)


@click.group(
    cls=LazyGroup,
    context_settings=CONTEXT,
    epilog="""\b
Examples:
  launchspec validate                 check every spec under specs/
  launchspec plan --sandbox           what apply would do, against a local sandbox
  launchspec apply --sandbox --yes    launch what is missing, record it in the lockfile
  launchspec -C ../ops-repo plan      run in another project root

Run `launchspec COMMAND --help` for each command's options.""",
)
@click.version_option(__version__, "-V", "--version", prog_name="launchspec")
@click.option(
    "-C",
    "root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    help="Run as if started in DIR (the project root is found upward from there).",
    metavar="DIR",
)
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.option("-v", "--verbose", count=True, help="Say more; repeat for more detail.")
@click.option(
    "--color/--no-color", default=None, help="Force colour on or off (default: on a terminal)."
)
@click.pass_context
def cli(ctx: click.Context, root: Path, debug: bool, verbose: int, color: bool | None) -> None:
    """launchspec keeps Tallyfy process launches as YAML specs in git.

    Write specs under specs/, review the plan in a pull request, and apply on
    merge: each spec launches its process exactly once, and the run ids are
    recorded in launchspec.lock.json.
    """
    if not root.is_dir():
        raise click.BadParameter(f"{root} is not a directory", param_hint="-C")
    if color is not None:
        ctx.color = color
    # "As if started in DIR", like git -C: relative paths in arguments resolve against DIR too.
    os.chdir(root)
    here = Path.cwd()
    # Like git, from any folder inside the project: the root is where launchspec.yaml is.
    # `init` makes a project where it is asked to, never in the one around it; `sandbox`
    # hands its arguments (paths among them) to a server process as typed, here.
    top = here if ctx.invoked_subcommand in ("init", "sandbox") else project_root(here)
    os.chdir(top)
    ctx.obj = State(root=top, debug=debug, verbose=verbose, color=color, prefix=here)


@cli.command(
    epilog="""\b
Examples:
  launchspec validate                         every spec the configuration names
  launchspec validate specs/onboarding.yaml   one file
  launchspec validate --format json specs/    machine-readable results

Exit status: 0 all valid, 1 problems found, 2 usage error.""",
)
@click.argument("paths", nargs=-1, type=HerePath(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default=None,
    help="Output format; `github` prints workflow annotations "
    "(default when GITHUB_ACTIONS=true, else text).",
)
@click.pass_obj
def validate(state: State, paths: Sequence[Path], fmt: str | None) -> None:
    """Check specs offline: YAML, schema, ids, parents and template names.

    Every problem is reported in one run, one line each, as FILE:LINE:COL.
    """
    from runner.project.validation import validate as validate_specs
    from runner.views.report import format_diagnostics

    fmt = fmt or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    result = validate_specs(state.config(), paths)
    output = format_diagnostics(result.diagnostics, fmt, files=result.files)
    click.echo(output, nl=False)
    if any(d.severity == "error" for d in result.diagnostics):
        sys.exit(1)


@cli.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def sandbox(args: Sequence[str]) -> None:
    """Run a local Tallyfy-compatible API server (see `launchspec sandbox --help`)."""
    # A separate, isolated interpreter: the runner never imports the sandbox, and -I keeps a
    # `runner/` folder in the current directory (a specs repo's, say) off the import path.
    os.execv(sys.executable, [sys.executable, "-I", "-m", "runner.sandbox", *args])


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point: run the CLI and turn launchspec errors into exit statuses.

    Everything written to the terminal passes through the redaction of registered secrets."""
    from runner.cli.redacting import redacted_terminal

    with redacted_terminal():
        _main(argv)


def _wants_json(args: Sequence[str]) -> bool:
    return "--format=json" in args or any(
        a == "--format" and b == "json" for a, b in pairwise(args)
    )


def _main(argv: Sequence[str] | None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        cli.main(args=args, prog_name="launchspec", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as e:
        e.show()
        sys.exit(2 if isinstance(e, click.UsageError) else e.exit_code)
    except UsageError as e:
        _fail(e, debug, _wants_json(args))
    except LaunchspecError as e:
        _fail(e, debug, _wants_json(args))
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except OSError as e:
        # A full disk or an unreadable file: say which, without a traceback. Launched run ids
        # are already in the journal, fsync'd before this could happen.
        if debug:
            import traceback

            traceback.print_exc()
        click.secho(f"error: {e}", fg="red", err=True)
        sys.exit(1)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
