"""The one Jinja environment every templated string uses: sandboxed, strict, with our filters."""

from __future__ import annotations

import operator
from collections.abc import Mapping
from datetime import UTC, date, datetime, tzinfo
from functools import lru_cache
from types import TracebackType
from typing import Any, Literal

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, pass_context
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from runner.render import filters
from runner.render.budget import Budget, BudgetExceeded, enforced
from runner.render.limits import bound_filters, check_format, check_percent
from runner.render.skeleton import SLOT, Skeleton, split

MAX_OUTPUT = 100_000  # characters one rendered string may reach
MAX_SEQUENCE = 100_000  # `'x' * n` and `[0] * n` beyond this are refused, not allocated
MAX_EXPONENT = 256
CACHE_SIZE = 4096  # distinct template strings kept compiled

TOO_DEEP = "the template is nested too deeply to compile (parentheses, tags or filters)"
ErrorKind = Literal["undefined", "security", "syntax", "filter", "limit"]


class TemplateError(Exception):
    """A template string could not be rendered; `line` is 1-based within the string."""

    def __init__(self, kind: ErrorKind, message: str, line: int | None = None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.line = line


class Names(dict[str, Any]):
    """A mapping that knows its dotted name, so undefined-name errors say `'vars'`."""

    def __init__(self, path: str, data: Mapping[str, Any]):
        super().__init__({k: wrap(f"{path}.{k}", v) for k, v in data.items()})
        self._ls_path = path


def wrap(path: str, value: Any) -> Any:
    """Wrap nested mappings as Names so that every level names itself in errors."""
    if isinstance(value, Mapping) and not isinstance(value, Names):
        return Names(path, value)
    return value


class _Undefined(StrictUndefined):
    """StrictUndefined that names the template variable instead of 'dict object'."""

    @property
    def _undefined_message(self) -> str:
        obj = self._undefined_obj
        if self._undefined_hint is None and isinstance(obj, Names):
            return f"'{obj._ls_path}' has no attribute {self._undefined_name!r}"
        return str(StrictUndefined._undefined_message.fget(self))  # type: ignore[attr-defined]


def _sized(value: Any) -> bool:
    return isinstance(value, str | bytes | list | tuple)


class _Sandbox(ImmutableSandboxedEnvironment):
    """The sandbox plus limits on operators that can allocate without bound."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def call_binop(self, context: Context, operator_: str, left: Any, right: Any) -> Any:
        if operator_ == "%":
            check_percent(left)
            return operator.mod(left, right)
        if operator_ == "*":
            for seq, n in ((left, right), (right, left)):
                if _sized(seq) and isinstance(n, int) and len(seq) * n > MAX_SEQUENCE:
                    raise SecurityError(f"repeating a sequence beyond {MAX_SEQUENCE} items")
            return operator.mul(left, right)
        if isinstance(right, int) and abs(right) > MAX_EXPONENT:
            raise SecurityError(f"exponent {right} is larger than {MAX_EXPONENT}")
        return operator.pow(left, right)

    def wrap_str_format(self, value: Any) -> Any:
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        check_format(str(value.__self__))  # `'{:>1000000000}'.format(x)`: refused before
        return wrapped


def _finalize(value: Any) -> Any:
    """Print times the way the API and users read them (ISO 8601 with Z), not Python's repr."""
    if isinstance(value, datetime):
        return filters.iso_utc(value) if value.tzinfo else value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _launch_zone(ctx: Context) -> tzinfo:
    launch = ctx.get("launch")
    at = launch.get("at") if isinstance(launch, Mapping) else None
    return at.tzinfo if isinstance(at, datetime) and at.tzinfo else UTC


@pass_context
def _iso(ctx: Context, value: Any) -> str:
    return filters.iso(value, _launch_zone(ctx))


@lru_cache(maxsize=1)
def environment() -> ImmutableSandboxedEnvironment:
    """The shared sandboxed environment (undefined names raise, autoescape off)."""
    env = _Sandbox(undefined=_Undefined, autoescape=False, finalize=_finalize)
    env.filters.update(filters.FILTERS)
    env.filters["iso"] = _iso
    bound_filters(env.filters)
    # Globals that only help templates that generate markup; none of them belongs in a spec.
    for name in ("lipsum", "joiner"):
        env.globals.pop(name, None)
    return env


def is_templated(text: str) -> bool:
    """True when `text` contains Jinja syntax and so must be rendered."""
    return "{{" in text or "{%" in text or "{#" in text


def forbidden_tags(ast: Any) -> list[str]:
    """Tags that would read other files: a spec's templates have no loader, by design."""
    from jinja2 import nodes

    kinds = {nodes.Include: "include", nodes.Import: "import", nodes.FromImport: "from-import",
             nodes.Extends: "extends"}  # fmt: skip
    return sorted({kinds[type(n)] for n in ast.find_all(tuple(kinds))})


@lru_cache(maxsize=CACHE_SIZE)
def compile_template(source: str) -> Template:
    """The compiled template for `source`; raises jinja2.TemplateSyntaxError (not cached)."""
    env = environment()
    ast = env.parse(source)
    tags = forbidden_tags(ast)
    if tags:
        raise SecurityError(f"{{% {tags[0]} %}} is not allowed: templates cannot read files")
    return env.from_string(ast)  # compiled from the tree just checked: one parse, not two


def _compile(source: str, skeleton: Skeleton | None) -> Template:
    """The compiled form of `source`, shared with every string of the same skeleton."""
    if skeleton is None:
        return compile_template(source)
    try:
        return compile_template(skeleton.source)
    except TemplateSyntaxError:
        return compile_template(source)  # raises again, with the message for the real text


def render_string(
    source: str, context: Mapping[str, Any], budget: Budget | None = None
) -> str:
    """Render one template string within `budget`; every failure becomes a TemplateError with
    its line."""
    skeleton = split(source)
    try:
        template = _compile(source, skeleton)
    except TemplateSyntaxError as exc:
        raise TemplateError("syntax", f"template syntax error: {exc.message}", exc.lineno) from None
    except SecurityError as exc:
        raise TemplateError("security", f"the template sandbox refused: {exc}", 1) from None
    except (RecursionError, SyntaxError, MemoryError):
        raise TemplateError("limit", TOO_DEEP, 1) from None
    names = {k: wrap(k, v) for k, v in context.items()}
    if skeleton is not None:
        names[SLOT] = skeleton.literals
    try:
        with enforced(budget):
            return _bounded(template.generate(names))
    except TemplateError:
        raise
    except BudgetExceeded as exc:
        raise _error("limit", f"over the render budget: {exc}", exc) from None
    except (RecursionError, MemoryError) as exc:
        raise _error("limit", f"over the render budget: {type(exc).__name__}", exc) from None
    except SecurityError as exc:
        raise _error("security", f"the template sandbox refused: {exc}", exc) from None
    except UndefinedError as exc:
        raise _error("undefined", f"undefined in template: {exc}", exc) from None
    except filters.FilterError as exc:
        raise _error("filter", str(exc), exc) from None
    except Exception as exc:  # any other filter or operator failure is the template's fault
        raise _error("filter", f"template failed: {type(exc).__name__}: {exc}", exc) from None


def _bounded(chunks: Any) -> str:
    out: list[str] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_OUTPUT:
            raise TemplateError("limit", f"rendered text is longer than {MAX_OUTPUT} characters")
        out.append(chunk)
    return "".join(out)


def _error(kind: ErrorKind, message: str, exc: BaseException) -> TemplateError:
    return TemplateError(kind, message, _template_line(exc.__traceback__))


def _template_line(tb: TracebackType | None) -> int | None:
    """The template line of the innermost frame Jinja compiled from a string."""
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def cache_clear() -> None:
    """Forget compiled templates (tests use it to measure or to isolate)."""
    compile_template.cache_clear()
