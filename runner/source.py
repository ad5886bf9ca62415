"""YAML files -> plain data, with a (file, line, col) index of every value.

STUB: to be implemented (issue 2). The interface below is the contract.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runner.diagnostics import Diagnostic, Position

PathKey = tuple[str | int, ...]


@dataclass
class Document:
    """One YAML document (a file may hold several, separated by `---`)."""

    file: str  # as given/shown to the user (relative to the project root when possible)
    index: int  # 0-based position of the document in its file
    data: Any
    positions: dict[PathKey, Position] = field(default_factory=dict)

    def pos(self, path: PathKey) -> Position:
        """Position of the value at `path`, else of its nearest ancestor, else the doc start."""
        p = tuple(path)
        while p:
            if p in self.positions:
                return self.positions[p]
            p = p[:-1]
        return self.positions.get((), Position(self.file, 1, 1))


def load_file(path: Path, display: str | None = None) -> tuple[list[Document], list[Diagnostic]]:
    """Parse one YAML file into documents; problems come back as diagnostics, never raised."""
    raise NotImplementedError
