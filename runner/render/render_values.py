"""Walking a spec's values: render each templated string, keep diagnostics at its position."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from runner.diagnostics import Diagnostic, Severity
from runner.render.budget import Budget
from runner.render.templating import TemplateError, is_templated, render_string, wrap
from runner.specs.spec import Spec

PathPart = str | int


def json_path(path: tuple[PathPart, ...]) -> str:
    """`prerun.Client name`, `tags[0]`: the path as diagnostics show it."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class Renderer:
    """Renders values of one spec with one set of template names, collecting diagnostics."""

    def __init__(self, spec: Spec, names: Mapping[str, Any]):
        self.spec = spec
        self.names = {k: wrap(k, v) for k, v in names.items()}
        self.diagnostics: list[Diagnostic] = []
        self.budget = Budget()  # one for the whole spec: every templated string draws on it

    def value(self, value: Any, path: tuple[PathPart, ...]) -> Any:
        """`value` with every templated string inside it rendered; other values untouched."""
        if isinstance(value, str):
            return self._string(value, path) if is_templated(value) else value
        if isinstance(value, Mapping):
            return {k: self.value(v, (*path, k)) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.value(v, (*path, i)) for i, v in enumerate(value)]
        return value

    def _string(self, text: str, path: tuple[PathPart, ...]) -> str:
        try:
            return render_string(text, self.names, self.budget)
        except TemplateError as exc:
            where = f" (line {exc.line} of the template)" if exc.line and "\n" in text else ""
            self.error(exc.message + where, *path, code=f"template-{exc.kind}")
            return text

    def error(self, message: str, *path: PathPart, code: str = "render") -> None:
        self._add(message, path, "error", code)

    def warn(self, message: str, *path: PathPart, code: str = "render") -> None:
        self._add(message, path, "warning", code)

    def _add(self, message: str, path: tuple[PathPart, ...], severity: Severity, code: str) -> None:
        self.diagnostics.append(
            Diagnostic(
                message,
                pos=self.spec.pos(*path),
                path=json_path(path),
                severity=severity,
                code=code,
            )
        )


def deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """`over` layered on `base`: maps merge key by key, anything else in `over` wins."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _leaves(value: Any) -> Iterator[str]:
    if isinstance(value, Mapping):
        for v in value.values():
            yield from _leaves(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _leaves(v)
    elif value is not None and not isinstance(value, bool):
        yield str(value)


def secret_strings(variables: Mapping[str, Any], secret_names: tuple[str, ...]) -> tuple[str, ...]:
    """Every non-empty string form of the vars named secret, sorted (so output is stable)."""
    found = {s for name in secret_names if name in variables for s in _leaves(variables[name])}
    return tuple(sorted(s for s in found if s))
