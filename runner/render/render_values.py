"""Walking a spec's values: render each templated string, keep diagnostics at its position."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runner.diagnostics import Diagnostic, Severity
from runner.render.budget import Budget
from runner.render.jinjacheck import SECRET_RULE, analyse
from runner.render.templating import TemplateError, is_templated, render_string, wrap
from runner.specs.schema import dotted
from runner.specs.spec import Spec

PathPart = str | int
UNSET = "(secret "  # the start of what stands in for a secret the environment does not hold


class Renderer:
    """Renders values of one spec with one set of template names, collecting diagnostics."""

    def __init__(self, spec: Spec, names: Mapping[str, Any]):
        self.spec = spec
        self.names = {k: wrap(k, v) for k, v in names.items()}
        self.diagnostics: list[Diagnostic] = []
        self.budget = Budget()  # one for the whole spec: every templated string draws on it
        self.missing_secrets: set[str] = set()

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
        if analyse(text).secret_misuse:  # checked by validate too; plan may run without it
            self.error(SECRET_RULE, *path, code="secret")
            return text
        try:
            out = render_string(text, self.names, self.budget)
            if out.startswith(UNSET):
                self._unset(out.removeprefix(UNSET).split(" ", 1)[0], path)
            return out
        except TemplateError as exc:
            where = f" (line {exc.line} of the template)" if exc.line and "\n" in text else ""
            self.error(exc.message + where, *path, code=f"template-{exc.kind}")
            return text

    def _unset(self, name: str, path: tuple[PathPart, ...]) -> None:
        self.missing_secrets.add(name)
        self.warn(
            f"secret {name} is not set in this environment: a placeholder stands in for it, "
            "and apply will refuse to launch",
            *path,
            code="secret",
        )

    def error(self, message: str, *path: PathPart, code: str = "render") -> None:
        self._add(message, path, "error", code)

    def warn(self, message: str, *path: PathPart, code: str = "render") -> None:
        self._add(message, path, "warning", code)

    def _add(self, message: str, path: tuple[PathPart, ...], severity: Severity, code: str) -> None:
        self.diagnostics.append(
            Diagnostic(
                message,
                pos=self.spec.pos(*path),
                path=dotted(path),
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


def unset_secret(name: str) -> str:
    """What a template reads for a secret the environment does not hold (shown, never sent)."""
    return f"{UNSET}{name} is not set)"
