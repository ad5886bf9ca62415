"""The in-memory form of one launch spec after loading and checking."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from runner.diagnostics import Position
from runner.specs.source import Document


@dataclass(frozen=True)
class Spec:
    """One schema-valid launch spec: its data (config defaults applied) and where it came from."""

    id: str
    data: Mapping[str, Any]
    doc: Document

    def pos(self, *path: str | int) -> Position:
        """Position of the value at `path` (or of its nearest ancestor that has one)."""
        return self.doc.pos(path)

    @property
    def file(self) -> str:
        return self.doc.file
