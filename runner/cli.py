"""The command line: parse arguments, call project/apply, hand results to report, map errors."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import click

from runner import __version__
from runner.errors import LaunchspecError, SpecError, UsageError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class State:
    """Options shared by every sub-command."""

    def __init__(self, root: Path, debug: bool, verbose: int, color: bool | None):
        self.root = root
        self.debug = debug
        self.verbose = verbose
        self.color = color

    def config(self) -> Any:
        from runner.config import load_config

        return load_config(self.root)


def _fail(error: LaunchspecError, debug: bool) -> NoReturn:
    if debug:
        import traceback

        traceback.print_exc()
    if isinstance(error, SpecError):
        from runner.report import format_diagnostics

        click.echo(format_diagnostics(error.diagnostics, "text"), err=True, nl=False)
    else:
        click.secho(f"error: {error}", fg="red", err=True)
    if error.hint:
        click.echo(f"hint: {error.hint}", err=True)
    sys.exit(error.exit_code)


@click.group(
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
    help="Run as if started in DIR (the project root).",
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
    ctx.obj = State(root=Path.cwd(), debug=debug, verbose=verbose, color=color)


@cli.command(
    epilog="""\b
Examples:
  launchspec validate                         every spec the configuration names
  launchspec validate specs/onboarding.yaml   one file
  launchspec validate --format json specs/    machine-readable results

Exit status: 0 all valid, 1 problems found, 2 usage error.""",
)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
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
    from runner import project
    from runner.report import format_diagnostics

    fmt = fmt or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    result = project.validate(state.config(), paths)
    output = format_diagnostics(result.diagnostics, fmt, files=result.files)
    click.echo(output, nl=False)
    if any(d.severity == "error" for d in result.diagnostics):
        sys.exit(1)


def _connect(state: State, config: Any, sandbox: bool, required: bool) -> Any:
    """A Connection from --sandbox or the environment; None when offline is allowed."""
    from runner.connection import from_environment, start_sandbox

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


def _client_log(state: State) -> Any:
    if state.verbose < 2:
        return None
    return lambda line: click.echo(f"http: {line}", err=True)


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


@cli.command(
    epilog="""\b
Examples:
  launchspec plan                          offline without TALLYFY_TOKEN; live with it
  launchspec plan --sandbox                against a local sandbox
  launchspec plan --out plan.json          save for `launchspec apply plan.json`
  launchspec plan --format markdown        for a pull-request comment
  launchspec plan --detailed-exitcode      exit 2 when there is something to do

\b
Symbols: + launch  ~ update  ! edited after launch  - orphaned/archive  ? pending/missing""",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    help="Output format.",
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Save the plan (JSON)."
)
@click.option("--detailed-exitcode", is_flag=True, help="Exit 0 nothing to do, 2 changes, 1 error.")
@click.option("--refresh", is_flag=True, help="Also read every recorded run from the API.")
@click.option(
    "--replace", multiple=True, metavar="KEY", help="Preview archiving and relaunching KEY."
)
@click.option("--prune", is_flag=True, help="Preview archiving runs no spec asks for.")
@click.option("--offline", is_flag=True, help="Do not call the API even when a token is set.")
@sandbox_option
@clock_options
@click.pass_obj
def plan(
    state: State,
    fmt: str,
    out: Path | None,
    detailed_exitcode: bool,
    refresh: bool,
    replace: Sequence[str],
    prune: bool,
    offline: bool,
    use_sandbox: bool,
    backfill: int,
    now: datetime | None,
) -> None:
    """Show what apply would do: launches, updates, edits, orphans.

    Without an API token the plan is computed offline from the specs and the
    lockfile, and says what it could not check.
    """
    from runner import github, project
    from runner.fsutil import atomic_write

    conn = None
    try:
        config = state.config()
        conn = None if offline else _connect(state, config, use_sandbox, required=False)
        client = conn.client(log=_client_log(state)) if conn else None
        planned = project.plan(
            config,
            client,
            replace=replace,
            prune=prune,
            refresh=refresh,
            now=now,
            backfill=backfill,
        )
        p = planned.plan
        view = github.ViewOptions(
            fmt, _colour(state), state.verbose > 0, config.max_launches, online=conn is not None
        )
        texts = github.plan_texts(p, view, save=out is not None, env=os.environ)
    except LaunchspecError as e:
        if os.environ.get("GITHUB_ACTIONS") == "true":
            # stderr: stdout may be redirected into the comment file; Actions reads both
            click.echo(github.error_annotations(e), nl=False, err=True)
        raise
    finally:
        if conn:
            conn.close()
    if out is not None and texts.saved is not None:
        atomic_write(out, texts.saved.encode())
    click.echo(texts.stdout, nl=False)
    github.publish(p, texts, saved_to=out, env=os.environ)
    if fmt == "text" and out is not None:
        click.echo(f"Saved the plan to {out}; apply it with `launchspec apply {out}`.")
    if detailed_exitcode and p.has_changes:
        sys.exit(2)


def _colour(state: State) -> bool:
    if state.color is not None:
        return state.color
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


@cli.command(
    epilog="""\b
Examples:
  launchspec apply --sandbox --yes      launch what is missing in a local sandbox
  launchspec apply plan.json            apply a saved, reviewed plan (refused if stale)
  launchspec apply --replace KEY        archive KEY's run and launch it anew
  launchspec apply --prune              archive runs no spec asks for any more

Exit status: 0 everything applied, 1 something was not (the summary says what).""",
)
@click.argument("planfile", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=8,
    show_default=True,
    help="Launches in flight at once.",
)
@click.option(
    "--max-launches",
    type=click.IntRange(0),
    default=None,
    help="Allow up to N launches (default: the configuration's limit, 25).",
)
@click.option("--replace", multiple=True, metavar="KEY", help="Archive KEY's run and relaunch.")
@click.option("--prune", is_flag=True, help="Archive runs that no spec asks for any more.")
@click.option(
    "--lock-timeout",
    type=float,
    default=0.0,
    show_default=True,
    help="Seconds to wait for another apply to finish.",
)
@sandbox_option
@clock_options
@click.pass_obj
def apply(
    state: State,
    planfile: Path | None,
    yes: bool,
    concurrency: int,
    max_launches: int | None,
    replace: Sequence[str],
    prune: bool,
    lock_timeout: float,
    use_sandbox: bool,
    backfill: int,
    now: datetime | None,
) -> None:
    """Launch what is missing, exactly once, and record each run in the lockfile."""
    from runner import project
    from runner.cli_apply import ApplyView

    config = state.config()
    conn = _connect(state, config, use_sandbox, required=True)
    view = ApplyView(colour=_colour(state), yes=yes)
    options = project.ApplyOptions(
        replace=replace,
        prune=prune,
        concurrency=concurrency,
        max_launches=max_launches,
        lock_timeout=lock_timeout,
        plan_file=planfile,
        backfill=backfill,
        now=now,
    )
    try:
        with view.signals() as stop:
            applied = project.apply(
                config,
                conn.client(
                    log=_client_log(state), max_concurrency=concurrency, sleep=view.sleep
                ),
                options,
                confirm=view.confirm,
                on_event=view.event,
                on_wait=view.waiting,
                on_note=view.note,
                stop=stop,
            )
    finally:
        conn.close()
    sys.exit(view.finish(applied, config))


@cli.command("import", epilog="Example:\n\n  launchspec import onboarding-globex 3f1c…e2")
@click.argument("key")
@click.argument("run_id")
@sandbox_option
@click.pass_obj
def import_(state: State, key: str, run_id: str, use_sandbox: bool) -> None:
    """Record an existing run as the launch of KEY (after checking it fits the spec)."""
    from runner import keys

    config = state.config()
    conn = _connect(state, config, use_sandbox, required=True)
    try:
        entry = keys.import_run(config, conn.client(), key, run_id)
    finally:
        conn.close()
    click.echo(f"recorded {key} as run {entry.run_id}")


@cli.command(epilog="Example:\n\n  launchspec forget onboarding-globex")
@click.argument("key")
@click.pass_obj
def forget(state: State, key: str) -> None:
    """Drop KEY from the lockfile (and its pending records); its run is not touched."""
    from runner import keys

    entry = keys.forget(state.config(), key)
    if entry is not None:
        click.echo(f"forgot {key} (run {entry.run_id} is left as it is in Tallyfy)")
    else:
        click.echo(f"forgot the pending launch of {key}")


@cli.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def sandbox(args: Sequence[str]) -> None:
    """Run a local Tallyfy-compatible API server (see `launchspec sandbox --help`)."""
    from runner.sandbox.server import main as sandbox_main

    sys.exit(sandbox_main(list(args)))


from runner.cli_templates import COMMANDS  # noqa: E402 - registered after the core commands

for _command in COMMANDS:
    cli.add_command(_command)


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point: run the CLI and turn launchspec errors into exit statuses."""
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
        _fail(e, debug)
    except LaunchspecError as e:
        _fail(e, debug)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
