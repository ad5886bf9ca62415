"""Limits and input checks that keep the YAML loader safe: size, encoding, depth, aliases."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runner.diagnostics import Diagnostic, Position


@dataclass(frozen=True)
class Limits:
    """What one spec file may cost to load; generous for hand-written specs, tight for attacks."""

    max_bytes: int = 1024 * 1024  # a spec file of 1 MiB is already far beyond hand-written
    max_depth: int = 64  # specs nest 4-6 levels; 64 leaves room for deep prerun tables
    max_alias_nodes: int = 10_000  # nodes reached through aliases (billion laughs guard)


DEFAULT_LIMITS = Limits()


class Refused(Exception):
    """Raised inside the loader to abandon a file; carries the diagnostic to report."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def _human(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MiB"
    return f"{size / 1024:.1f} KiB" if size >= 1024 else f"{size} bytes"


def byte_position(data: bytes, offset: int, file: str) -> Position:
    """1-based line and column (in characters) of the byte at `offset`."""
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    col = len(data[start:offset].decode("utf-8", errors="replace")) + 1
    return Position(file, line, col)


def read_text(path: Path, display: str, limits: Limits = DEFAULT_LIMITS) -> str | Diagnostic:
    """The file's text, or a diagnostic when it is missing, too big, not UTF-8 or empty."""
    start = Position(display, 1, 1)
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            return Diagnostic(
                f"file is too large to load ({_human(size)}; the limit is "
                f"{_human(limits.max_bytes)})",
                start,
                code="too-large",
                hint="split it into several files",
            )
        data = path.read_bytes()
    except OSError as e:
        return Diagnostic(f"cannot read file: {e.strerror or e}", start, code="unreadable")
    if len(data) > limits.max_bytes:  # the file grew between stat and read
        return Diagnostic(
            f"file is larger than {_human(limits.max_bytes)}", start, code="too-large"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        offset = e.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
        return Diagnostic(
            f"file is not valid UTF-8 (byte 0x{data[offset]:02x} at offset {offset})",
            byte_position(data, offset, display),
            code="encoding",
            hint="save the file as UTF-8",
        )
    if not text.strip():
        return Diagnostic(
            "file is empty", start, code="empty", hint="a spec needs an id and a template"
        )
    return text


def _leading_tab(text: str, line: int) -> bool:
    """True when the 0-based `line` of `text` has a tab in its indentation."""
    lines = text.split("\n", line + 1)
    if line >= len(lines):
        return False
    row = lines[line]
    indent = row[: len(row) - len(row.lstrip(" \t"))]
    return "\t" in indent


def yaml_error(error: Any, text: str, display: str, limits: Limits) -> Diagnostic:
    """A diagnostic for a PyYAML error, with the parser's position and a plain message."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    if mark is not None:
        pos = Position(display, mark.line + 1, mark.column + 1)
    elif isinstance(getattr(error, "position", None), int):  # ReaderError: a character index
        offset = error.position
        line = text.count("\n", 0, offset)
        pos = Position(display, line + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1)
    else:
        pos = Position(display, 1, 1)
    problem = str(getattr(error, "problem", None) or "").strip()
    context = str(getattr(error, "context", None) or "").strip()
    if "maximum nesting depth" in problem or "maximum nesting depth" in context:
        return depth_error(pos, limits)
    if mark is not None and _leading_tab(text, mark.line):
        return Diagnostic(
            "tab character in indentation (YAML indents with spaces only)",
            Position(display, mark.line + 1, 1),
            code="yaml-tab",
            hint="replace the tabs with spaces",
        )
    unclosed = _unclosed_quote(error, text, display, context, problem)
    if unclosed is not None:
        return unclosed
    if getattr(error, "character", None) is not None:
        problem = f"character {error.character!r} is not allowed in YAML"
    message = f"YAML syntax error: {problem or error}"
    if context and problem:
        message += f" ({context})"
    return Diagnostic(message, pos, code="yaml-syntax")


def _unclosed_quote(
    error: Any, text: str, display: str, context: str, problem: str
) -> Diagnostic | None:
    """A quoted string that runs to the end of the file (or of the document) is reported where
    it opens: the scanner's own position is where it gave up, often many lines later."""
    mark = getattr(error, "context_mark", None)
    runaway = "end of stream" in problem or "document indicator" in problem
    if mark is None or "quoted scalar" not in context or not runaway:
        return None
    row = text.split("\n", mark.line + 1)[mark.line] if text.count("\n") >= mark.line else ""
    quote = row[mark.column] if mark.column < len(row) and row[mark.column] in "'\"" else '"'
    return Diagnostic(
        f"unclosed quote: the {quote} that opens this value is never closed",
        Position(display, mark.line + 1, mark.column + 1),
        code="yaml-syntax",
        hint=f"add the closing {quote} at the end of the value (or remove the opening one)",
    )


def depth_error(pos: Position, limits: Limits) -> Diagnostic:
    """The diagnostic for nesting deeper than `limits.max_depth`."""
    return Diagnostic(
        f"nesting is too deep (more than {limits.max_depth} levels)", pos, code="too-deep"
    )


def alias_error(pos: Position, limits: Limits) -> Diagnostic:
    """The diagnostic for an alias expansion over budget (a billion-laughs bomb)."""
    return Diagnostic(
        f"aliases expand to more than {limits.max_alias_nodes} nodes (alias bomb?)",
        pos,
        code="alias-bomb",
        hint="use fewer or smaller anchors (&name / *name)",
    )
