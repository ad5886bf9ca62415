"""Turns diagnostics and plans into text, Markdown, JSON and GitHub annotations (pure strings)."""

from __future__ import annotations

from collections.abc import Sequence

from runner.diagnostics import Diagnostic


def _gh_escape(value: str, *, prop: bool = False) -> str:
    """Escape a value for a workflow command, as the Actions toolkit does."""
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def diagnostic_line(d: Diagnostic) -> str:
    """`FILE:LINE:COL: severity: message (at path)` on one line."""
    where = f"{d.pos}: " if d.pos else ""
    at = f" (at {d.path})" if d.path else ""
    hint = f" - {d.hint}" if d.hint else ""
    message = (d.message + at + hint).replace("\n", " ")
    return f"{where}{d.severity}: {message}"


def github_annotation(d: Diagnostic) -> str:
    """One `::error file=…,line=…,col=…::message` workflow command."""
    props = []
    if d.pos:
        props = [
            f"file={_gh_escape(d.pos.file, prop=True)}",
            f"line={d.pos.line}",
            f"col={d.pos.col}",
        ]
    at = f" (at {d.path})" if d.path else ""
    hint = f" - {d.hint}" if d.hint else ""
    head = f"::{d.severity} {','.join(props)}" if props else f"::{d.severity}"
    return f"{head}::{_gh_escape(d.message + at + hint)}"


def diagnostic_dict(d: Diagnostic) -> dict[str, object]:
    """A diagnostic as a JSON-ready mapping."""
    return {
        "file": d.pos.file if d.pos else None,
        "line": d.pos.line if d.pos else None,
        "col": d.pos.col if d.pos else None,
        "severity": d.severity,
        "code": d.code,
        "message": d.message,
        "path": d.path or None,
        "hint": d.hint,
    }


def format_diagnostics(diagnostics: Sequence[Diagnostic], fmt: str, *, files: int = 0) -> str:
    """Render diagnostics in `fmt` (text, json or github); text ends with a summary line."""
    ordered = sorted(diagnostics, key=Diagnostic.sort_key)
    if fmt == "json":
        errors = sum(1 for d in ordered if d.severity == "error")
        doc = {
            "format_version": 1,
            "valid": errors == 0,
            "files": files,
            "errors": errors,
            "warnings": len(ordered) - errors,
            "diagnostics": [diagnostic_dict(d) for d in ordered],
        }
        return _json(doc)
    render = github_annotation if fmt == "github" else diagnostic_line
    lines = [render(d) for d in ordered]
    errors = sum(1 for d in ordered if d.severity == "error")
    plural = "s" if files != 1 else ""
    if errors:
        where = f" in {files} file{plural}" if files else ""
        lines.append(f"{errors} error{'s' if errors != 1 else ''}{where}")
    else:
        lines.append(f"{files} file{plural} valid")
    return "\n".join(lines) + "\n"


def error_document(
    message: str, hint: str | None, exit_code: int, diagnostics: Sequence[Diagnostic] = ()
) -> str:
    """The one JSON document a `--format json` command prints when it fails (docs/formats.md)."""
    doc = {
        "format_version": 1,
        "ok": False,
        "error": {"message": message, "hint": hint, "exit_code": exit_code},
        "diagnostics": [diagnostic_dict(d) for d in sorted(diagnostics, key=Diagnostic.sort_key)],
    }
    return _json(doc)


def _json(doc: dict[str, object]) -> str:
    import json  # here: a valid spec checked as text (a pre-commit hook) prints no JSON

    return json.dumps(doc, indent=2, sort_keys=True) + "\n"

