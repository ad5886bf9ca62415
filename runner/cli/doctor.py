"""The CLI's `doctor` command: a read-only check of the token, organisation and templates used."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from runner.cli.common import HerePath, State, live_client, sandbox_option
from runner.errors import UsageError


@click.command(
    epilog="""\b
Examples:
  launchspec doctor                      check the token, the organisation and every template
  launchspec doctor --format json        the same, as one JSON document
  launchspec doctor --record fixtures/   also write the answers, anonymised, as test fixtures

Exit status: 0 when every launch would be accepted (warnings allowed), 1 when a
launch would be refused or encoded wrongly, 2 on a usage error.""",
)
@click.option(
    "--record",
    "record",
    type=HerePath(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Write every answer to DIR, ids, names, e-mails and the token replaced by placeholders.",
)
@click.option("--force", is_flag=True, help="Record into DIR even when it holds files.")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output."
)
@sandbox_option
@click.pass_obj
def doctor(state: State, record: Path | None, force: bool, fmt: str, use_sandbox: bool) -> None:
    """Check, without changing anything, that Tallyfy would accept what the specs launch.

    Reads GET /me, the organisation's members and folders, and each template the
    specs use: the status fields that decide whether it can be launched, its kick-off
    field types and option shapes, its steps' owner limits, and the rate-limit
    headers. Then renders and resolves every spec against the live templates, as
    `plan` does. Run it first against a new organisation.
    """
    from runner.client.recording import recording_transport, write_fixtures
    from runner.project.doctor import doctor as run_doctor
    from runner.project.doctor import spec_refs
    from runner.views.doctorview import format_json, format_text

    config = state.config()
    if record is not None and not force:
        refuse_full(record)
    recorder = recording_transport()
    with live_client(state, use_sandbox, transport=recorder) as client:
        report = run_doctor(config, client, lambda: [x.headers for x in recorder.exchanges])
        if record is not None:
            write_fixtures(
                record,
                recorder.exchanges,
                base_url=client.base_url,
                org_id=client.org_id,
                secrets=[os.environ.get("TALLYFY_TOKEN", "")],
                templates=spec_refs(config),
            )
            click.echo(f"recorded {len(recorder.exchanges)} answers in {record}/", err=True)
    click.echo((format_json if fmt == "json" else format_text)(report), nl=False)
    sys.exit(1 if report.failed else 0)


def refuse_full(folder: Path) -> None:
    """UsageError when `folder` holds anything: recording writes over what is there."""
    if folder.is_dir() and any(folder.iterdir()):
        raise UsageError(
            f"{folder} is not empty: recording would write over its files",
            hint="record into a new folder, or pass --force to write into this one",
        )


COMMANDS = (doctor,)
