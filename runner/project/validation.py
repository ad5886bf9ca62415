"""`validate`: load and check every spec file; kept apart from plan and apply so that the
command (a pre-commit hook's) imports only what checking needs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from runner.diagnostics import Diagnostic
from runner.snapshots.folder import snapshots_present
from runner.specs.config import Config
from runner.specs.spec import Spec


@dataclass
class ValidationResult:
    """What `validate` found: the good specs (when kept), every problem, and how many files
    were read."""

    specs: list[Spec] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: int = 0


def spec_files(config: Config, paths: Sequence[Path] = ()) -> list[Path]:
    """The spec files named by `paths` (files or folders) or, when none, by the config's globs."""
    from runner.check.check import find_spec_files

    return find_spec_files(config, paths)


def validate(
    config: Config, paths: Sequence[Path] = (), *, fields: bool = True
) -> ValidationResult:
    """Load and check every spec file: syntax, schema, ids, parents, templates' names; with
    `fields`, also kick-off fields, steps and owners against the template snapshots."""
    from runner.check.check import check_files

    files = spec_files(config, paths)
    # Field checks render every spec, so they need them all; without snapshots there are none
    # to do, and `validate` keeps only what the checks across specs need.
    keep = not fields or snapshots_present(config.snapshots_dir)
    specs, diagnostics = check_files(config, files, keep=keep)
    if fields and keep:
        from runner.project.offline import field_diagnostics  # renders: plan's machinery

        found = field_diagnostics(config, specs, now_utc())
        diagnostics = sorted(diagnostics + found, key=Diagnostic.sort_key)
    return ValidationResult(specs=specs, diagnostics=diagnostics, files=len(files))


def now_utc(now: datetime | None = None) -> str:
    """The pinned launch time for this command: now (or the injected `now`), UTC, seconds."""
    moment = now.astimezone(UTC) if now is not None else datetime.now(UTC)
    return moment.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
