"""Checks across documents: schema, unique ids, parents and cycles, template names used.

STUB: to be implemented (issue 2).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from runner.config import Config
from runner.diagnostics import Diagnostic
from runner.spec import Spec


def find_spec_files(config: Config, paths: Sequence[Path] = ()) -> list[Path]:
    """Spec files under `paths` (or the config's globs), sorted, config file excluded."""
    raise NotImplementedError


def check_files(config: Config, files: Sequence[Path]) -> tuple[list[Spec], list[Diagnostic]]:
    """Load and check `files`; return the valid specs and every diagnostic, sorted by position."""
    raise NotImplementedError
