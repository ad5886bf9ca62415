"""Runs the stages in order (load, check, render, resolve, plan): one function per command."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from runner.config import Config
from runner.diagnostics import Diagnostic
from runner.spec import Spec


@dataclass
class ValidationResult:
    """What `validate` found: the good specs, every problem, and how many files were read."""

    specs: list[Spec] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: int = 0


def spec_files(config: Config, paths: Sequence[Path] = ()) -> list[Path]:
    """The spec files named by `paths` (files or folders) or, when none, by the config's globs."""
    from runner.check import find_spec_files

    return find_spec_files(config, paths)


def validate(config: Config, paths: Sequence[Path] = ()) -> ValidationResult:
    """Load and check every spec file: syntax, schema, ids, parents, templates' names."""
    from runner.check import check_files

    files = spec_files(config, paths)
    specs, diagnostics = check_files(config, files)
    return ValidationResult(specs=specs, diagnostics=diagnostics, files=len(files))
