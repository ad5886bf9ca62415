"""Positions in source files and the diagnostics that point at them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, NamedTuple

Severity = Literal["error", "warning"]


class Position(NamedTuple):
    """A place in a file; line and col are 1-based, as editors show them.

    A NamedTuple rather than a frozen dataclass: the loader makes one per YAML value (300,000
    for 5,000 specs), and a tuple is built three times faster.
    """

    file: str
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in the user's input, with where it is."""

    message: str
    pos: Position | None = None
    path: str = ""  # JSON-path-like location inside the document, e.g. "tasks.Kick-off.owners"
    severity: Severity = "error"
    code: str = "invalid"
    hint: str | None = field(default=None, compare=False)

    def sort_key(self) -> tuple[str, int, int, str]:
        if self.pos is None:
            return ("", 0, 0, self.message)
        return (self.pos.file, self.pos.line, self.pos.col, self.message)

    def __str__(self) -> str:
        where = f"{self.pos}: " if self.pos else ""
        at = f" (at {self.path})" if self.path else ""
        return f"{where}{self.severity}: {self.message}{at}"


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    """True when any diagnostic is an error rather than a warning."""
    return any(d.severity == "error" for d in diagnostics)
