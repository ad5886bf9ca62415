"""The CLI's `plan`, `apply`, `import` and `forget` commands (thin: cores in project/keys)."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import click

from runner.cli.common import (
    HerePath,
    State,
    client_log,
    clock_options,
    colour,
    connect,
    on_terminal,
    sandbox_option,
    say_wait,
)
from runner.errors import LaunchspecError


def _as_typed(ctx: click.Context, target: str) -> str:
    """A spec file's path as typed in the folder the command was started in; keys as they are."""
    if not target.endswith((".yaml", ".yml")):
        return target
    return str(HerePath().convert(target, None, ctx))


# plan and apply narrow the same way: one declaration, one help text.
target_option = click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="KEY|ID|GLOB|PATH",
    callback=lambda ctx, param, value: tuple(_as_typed(ctx, t) for t in value),
    help="Only this launch key, the keys of this spec id or spec file, or the keys a glob "
    "matches ('onboarding-*', 'client-onboarding[a*]': only * and ? are wildcards), "
    "with their parents; repeatable. The plan says it is partial.",
)


@click.command(
    epilog="""\b
Examples:
  launchspec plan                          offline without TALLYFY_TOKEN; live with it
  launchspec plan --sandbox                against a local sandbox
  launchspec plan --out plan.json          save for `launchspec apply plan.json`
  launchspec plan --format markdown        for a pull-request comment
  launchspec plan --format short           one line per key (a long plan at a glance)
  launchspec plan --detailed-exitcode      exit 2 when apply would act, 3 to decide
  launchspec plan --target 'onboarding-*'  only some keys (or --target specs/x.yaml)

\b
Symbols: + launch  ~ update  ! edited after launch  -/+ replace (archive, relaunch)
  - orphaned/archive  ? pending/missing  <= adopt a run found in Tallyfy
  !! launched twice (duplicate)  != changed in Tallyfy  .. recurring, not yet due
  > OLD -> NEW moved (`moved:` in launchspec.yaml: recorded under NEW, nothing launched)""",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "short", "markdown", "json"]),
    default="text",
    help="Output format (short: one line per key).",
)
@click.option("--out", type=HerePath(dir_okay=False, path_type=Path), help="Save the plan (JSON).")
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 0 nothing to do, 1 error, 2 apply would change something, 3 an entry needs a "
    "decision (edited, orphaned, missing, pending, launched twice, changed in Tallyfy; apply "
    "may also change something).",
)
@click.option("--refresh", is_flag=True, help="Also read every recorded run from the API.")
@click.option(
    "--replace", multiple=True, metavar="KEY", help="Preview archiving and relaunching KEY."
)
@target_option
@click.option("--prune", is_flag=True, help="Preview archiving runs no spec asks for.")
@click.option("--offline", is_flag=True, help="Do not call the API even when a token is set.")
@click.option(
    "--strict",
    is_flag=True,
    help="Warnings are errors (a deadline in the past, a secret not set): exit 1.",
)
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
    targets: Sequence[str],
    prune: bool,
    offline: bool,
    strict: bool,
    use_sandbox: bool,
    backfill: int,
    now: datetime | None,
) -> None:
    """Show what apply would do: launches, updates, edits, orphans.

    Without an API token the plan is computed offline from the specs and the
    lockfile, and says what it could not check.
    """
    from runner.project import project
    from runner.state.fsutil import atomic_write
    from runner.views import github

    conn = None
    try:
        config = state.config()
        conn = None if offline else connect(state, config, use_sandbox, required=False)
        client = conn.client(log=client_log(state), on_wait=say_wait) if conn else None
        planned = project.plan(
            project.PlanInputs(
                config,
                client,
                replace=replace,
                targets=targets,
                prune=prune,
                refresh=refresh,
                now=now,
                backfill=backfill,
                strict=strict,
            )
        )
        p = planned.plan
        view = github.ViewOptions(
            fmt, colour(state), state.verbose > 0, config.max_launches, online=conn is not None
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
    if planned.warnings:
        from runner.views.report import format_diagnostics

        click.echo(format_diagnostics(planned.warnings, "text"), nl=False, err=True)
    if out is not None and texts.saved is not None:
        atomic_write(out, texts.saved.encode())
    click.echo(texts.stdout, nl=False)
    github.publish(p, texts, saved_to=out, env=os.environ)
    if fmt in ("text", "short") and out is not None:
        click.echo(f"Saved the plan to {out}; apply it with `launchspec apply {out}`.")
    if detailed_exitcode and (p.needs_decision or p.has_changes):
        # A decision first: CI that only knows Terraform's 2 still stops on it.
        sys.exit(3 if p.needs_decision else 2)


@click.command(
    epilog="""\b
Examples:
  launchspec apply --sandbox --yes      launch what is missing in a local sandbox
  launchspec apply plan.json            apply a saved, reviewed plan (refused if stale)
  launchspec apply --replace KEY        archive KEY's run and launch it anew
  launchspec apply --prune              archive runs no spec asks for any more

Exit status: 0 everything applied, 1 something was not (the summary says what).""",
)
@click.argument("planfile", required=False, type=HerePath(dir_okay=False, path_type=Path))
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
@target_option
@click.option("--prune", is_flag=True, help="Archive runs that no spec asks for any more.")
@click.option(
    "--lock-timeout",
    type=float,
    default=0.0,
    show_default=True,
    help="Seconds to wait for another apply (here, or holding the shared lease) to finish.",
)
@click.option(
    "--no-lease",
    is_flag=True,
    help="Do not take the shared lease on the git remote: only this checkout's lock protects "
    "the apply (two machines could then launch the same specs).",
)
@click.option(
    "--dedupe",
    is_flag=True,
    help="Archive duplicate runs of a key (two or more carrying its marker), keeping the "
    "oldest (then the smallest id), and record the survivor.",
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
    targets: Sequence[str],
    prune: bool,
    lock_timeout: float,
    no_lease: bool,
    dedupe: bool,
    use_sandbox: bool,
    backfill: int,
    now: datetime | None,
) -> None:
    """Launch what is missing, exactly once, and record each run in the lockfile.

    Before the first write, apply takes a lease shared by every machine that applies this
    project: a ref on the git remote (`refs/launchspec/lease`; `.../leases/FOLDER-HASH` for a
    project in a folder of its repository), renewed while it runs; losing it stops launches
    (`launchspec lease show` says who holds it). With
    no git remote it says so and relies on this checkout's lock. After launching it reads
    the markers back: a key with two runs is a duplicate (exit 1); --dedupe settles them.
    """
    from runner.cli.apply_screen import ApplyView
    from runner.project import project

    config = state.config()
    conn = connect(state, config, use_sandbox, required=True)
    view = ApplyView(colour=colour(state), yes=yes, tty=on_terminal(), lock_timeout=lock_timeout)
    options = project.ApplyOptions(
        replace=replace,
        targets=targets,
        prune=prune,
        concurrency=concurrency,
        max_launches=max_launches,
        lock_timeout=lock_timeout,
        no_lease=no_lease,
        dedupe=dedupe,
        plan_file=planfile,
        backfill=backfill,
        now=now,
    )
    try:
        with view.signals() as stop:
            applied = project.apply(
                config,
                conn.client(
                    log=client_log(state),
                    max_concurrency=concurrency,
                    sleep=view.sleep,
                    on_wait=view.waited,
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


@click.command("import", epilog="Example:\n\n  launchspec import onboarding-globex 3f1c…e2")
@click.argument("key")
@click.argument("run_id")
@click.option(
    "--force", is_flag=True, help="Import even when the run's name or kick-off values differ."
)
@sandbox_option
@click.pass_obj
def import_(state: State, key: str, run_id: str, force: bool, use_sandbox: bool) -> None:
    """Record an existing run as the launch of KEY (after checking it fits the spec).

    The run must be of the spec's template; its name and kick-off values must match what the
    spec would launch (the differences are listed) unless --force. A run already recorded
    under another key is refused.
    """
    from runner.project import keys

    config = state.config()
    conn = connect(state, config, use_sandbox, required=True)
    try:
        entry = keys.import_run(config, conn.client(on_wait=say_wait), key, run_id, force)
    finally:
        conn.close()
    click.echo(f"recorded {key} as run {entry.run_id}")


@click.command(epilog="Example:\n\n  launchspec forget onboarding-globex")
@click.argument("key")
@click.pass_obj
def forget(state: State, key: str) -> None:
    """Drop KEY from the lockfile (and its pending records); its run is not touched."""
    from runner.project import keys

    entry = keys.forget(state.config(), key)
    if entry is not None:
        click.echo(f"forgot {key} (run {entry.run_id} is left as it is in Tallyfy)")
    else:
        click.echo(f"forgot the pending launch of {key}")


COMMANDS = [plan, apply, import_, forget]
