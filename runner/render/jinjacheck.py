"""Offline checks of templated strings: Jinja syntax, names used, sandbox-unsafe attributes."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from runner.diagnostics import Diagnostic, Position
from runner.render.simpleexpr import expressions
from runner.render.skeleton import SLOT, split
from runner.specs.source import Document, PathKey

# Top-level names a template may use; anything else is an error at validate time. Here, not
# in templating.py: a spec without templates is checked without importing Jinja.
TEMPLATE_NAMES = ("vars", "launch", "git", "env", "each", "spec", "secrets")
# Names whose attributes are checked against what the spec and configuration define.
_CHECKED_ROOTS = ("vars", "env", "secrets")
# Filters a simple template may use without Jinja reading it: ours and Jinja's common ones
# (tests/render/test_simpleexpr.py: every one is in the environment). Others go through Jinja.
SIMPLE_FILTERS = frozenset({
    "add_business_days", "add_days", "add_months", "add_weeks", "date", "end_of_month",
    "format_date", "iso", "next_weekday", "start_of_month", "abs", "attr", "capitalize", "d",
    "default", "first", "float", "format", "int", "join", "last", "length", "lower", "replace",
    "round", "string", "title", "trim", "truncate", "upper",
})  # fmt: skip
SECRET_RULE = (
    "a secret may only be the whole value of a field: write exactly `{{ secrets.NAME }}`, "
    "with no filter, operator, test, loop or other text around it"
)


@dataclass(frozen=True)
class TemplateInfo:
    """What a template string needs: its syntax error (if any), names and checked attributes."""

    error: tuple[int, str] | None = None  # (Jinja line, message)
    names: frozenset[str] = frozenset()  # undeclared top-level names
    attrs: frozenset[tuple[str, str]] = frozenset()  # ("vars", "client"), ("env", "USER")
    private: frozenset[str] = frozenset()  # attributes starting with "_" (sandbox escapes)
    forbidden: tuple[str, ...] = ()  # include/import/extends: would read files
    secret_misuse: bool = False  # `secrets` used other than as `{{ secrets.NAME }}` alone
    unknown: tuple[str, ...] = ()  # "unknown filter 'upperr' (did you mean 'upper'?)"


@lru_cache(maxsize=65536)
def analyse(text: str) -> TemplateInfo:
    """What `text` needs; strings that differ only in literal text share one analysis."""
    simple = _analyse_simple(text)
    if simple is not None:
        return simple
    skeleton = split(text)
    if skeleton is None:
        return _analyse(text)
    info = _analyse_skeleton(skeleton.source)
    # A broken template is reported from its own text, so the message is Jinja's own.
    return _analyse(text) if info.error is not None else info


@lru_cache(maxsize=4096)
def _analyse_skeleton(source: str) -> TemplateInfo:
    info = _analyse(source)
    return replace(info, names=info.names - {SLOT})


def _analyse_simple(text: str) -> TemplateInfo | None:
    """What `text` needs when every tag is a simple expression (runner/render/simpleexpr.py)
    on one of TEMPLATE_NAMES, read without Jinja; None for anything else: other names (Jinja's
    globals such as `range` are not undeclared; an undefined name gets Jinja's analysis) and
    secrets (checked on Jinja's AST)."""
    found = expressions(text)
    if found is None:
        return None
    names: set[str] = set()
    attrs: set[tuple[str, str]] = set()
    private: set[str] = set()
    for (root, *rest), applied in found:
        if root not in TEMPLATE_NAMES or root == "secrets":
            return None
        names.add(root)
        if rest and root in _CHECKED_ROOTS:
            attrs.add((root, rest[0]))
        private.update(a for a in rest if a.startswith("_"))
        for name, args in applied:
            if name not in SIMPLE_FILTERS:
                return None  # Jinja's own message, with its guess, for an unknown filter
            if name == "attr" and args and isinstance(args[0], str) and args[0].startswith("_"):
                private.add(args[0])
    return TemplateInfo(None, frozenset(names), frozenset(attrs), frozenset(private))


def _analyse(text: str) -> TemplateInfo:
    """Parse `text` once and list what it needs."""
    from jinja2 import TemplateSyntaxError, meta, nodes

    from runner.render.templating import TOO_DEEP, environment, forbidden_tags

    try:
        ast = environment().parse(text)
    except TemplateSyntaxError as e:
        return TemplateInfo(error=(e.lineno or 1, e.message or str(e)))
    except (RecursionError, MemoryError):
        return TemplateInfo(error=(1, TOO_DEEP))
    attrs: set[tuple[str, str]] = set()
    private: set[str] = set()
    for node in ast.find_all((nodes.Getattr, nodes.Getitem)):
        attr = node.attr if isinstance(node, nodes.Getattr) else _const_key(node)
        if attr is None:
            continue
        if attr.startswith("_"):
            private.add(attr)
        base: Any = getattr(node, "node", None)
        if isinstance(base, nodes.Name) and base.name in _CHECKED_ROOTS:
            attrs.add((base.name, attr))
    private.update(_attr_filter_names(ast))
    unknown = _unknown_filters_and_tests(ast)
    if unknown:  # the compiler would stop at the first; report every one, with a guess
        return TemplateInfo(unknown=unknown)
    names = frozenset(meta.find_undeclared_variables(ast))
    forbidden = tuple(forbidden_tags(ast))
    misuse = "secrets" in names and not _whole_secret(ast)
    return TemplateInfo(None, names, frozenset(attrs), frozenset(private), forbidden, misuse)


def _whole_secret(ast: Any) -> bool:
    """Whether the template is exactly `{{ secrets.NAME }}` (or `secrets['NAME']`), nothing else.

    Any transformation of a secret can print it in a form no scan recognises (`| reverse`,
    slices, `| tojson`...), so the only use allowed is the value itself, whole.
    """
    from jinja2 import nodes

    if len(ast.body) != 1 or not isinstance(ast.body[0], nodes.Output):
        return False
    parts = ast.body[0].nodes
    if len(parts) != 1:
        return False
    node = parts[0]
    by_name = isinstance(node, nodes.Getitem) and _const_key(node) is not None
    if not (isinstance(node, nodes.Getattr) or by_name):
        return False
    base: Any = getattr(node, "node", None)
    return isinstance(base, nodes.Name) and base.name == "secrets"


def _unknown_filters_and_tests(ast: Any) -> tuple[str, ...]:
    from jinja2 import nodes

    from runner.render.templating import environment

    env = environment()
    found = []
    for node in ast.find_all((nodes.Filter, nodes.Test)):
        kind, known = (
            ("filter", env.filters) if isinstance(node, nodes.Filter) else ("test", env.tests)
        )
        if node.name not in known:
            import difflib

            guess = difflib.get_close_matches(node.name, list(known), n=1, cutoff=0.6)
            found.append(
                f"unknown {kind} {node.name!r}"
                + (f" (did you mean {guess[0]!r}?)" if guess else "")
            )
    return tuple(found)


def _attr_filter_names(ast: Any) -> set[str]:
    """`x | attr('__class__')` reaches attributes too: catch private names given that way."""
    from jinja2 import nodes

    found = set()
    for node in ast.find_all(nodes.Filter):
        if node.name == "attr" and node.args and isinstance(node.args[0], nodes.Const):
            value = node.args[0].value
            if isinstance(value, str) and value.startswith("_"):
                found.add(value)
    return found


def _const_key(node: Any) -> str | None:
    from jinja2 import nodes

    arg = node.arg
    return arg.value if isinstance(arg, nodes.Const) and isinstance(arg.value, str) else None


def templated_strings(data: Any, path: PathKey = ()) -> Iterator[tuple[PathKey, str]]:
    """Every string value under `data` that holds Jinja syntax, with its path."""
    if isinstance(data, str):
        if "{{" in data or "{%" in data or "{#" in data:
            yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from templated_strings(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from templated_strings(value, (*path, i))


@dataclass(frozen=True)
class Known:
    """What templates may refer to: top-level names, `vars.*` and `env.*`."""

    names: Collection[str]
    vars: Collection[str]
    env: Collection[str]
    secrets: Collection[str] = ()


def _suggest(word: str, options: Collection[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def check_templates(doc: Document, known: Known, dotted: Any) -> list[Diagnostic]:
    """Diagnostics for every templated string in `doc`: syntax, unknown names, `_` attributes."""
    found: list[Diagnostic] = []
    strings = doc.templated if doc.templated is not None else templated_strings(doc.data)
    for path, text in strings:
        info = analyse(text)
        at = doc.pos(path)
        where = dotted(path)
        if info.error is not None:
            line, message = info.error
            pos = Position(at.file, at.line + line - 1, at.col if line == 1 else 1)
            found.append(
                Diagnostic(f"template syntax error: {message}", pos, path=where, code="jinja")
            )
            continue
        for name in info.names.difference(known.names):
            message = f"template uses '{name}', which is not defined{_suggest(name, known.names)}"
            hint = f"templates may use {', '.join(known.names)}"
            found.append(Diagnostic(message, at, path=where, code="undefined", hint=hint))
        for message in info.unknown:
            found.append(Diagnostic(message, at, path=where, code="jinja"))
        if info.secret_misuse:
            found.append(Diagnostic(SECRET_RULE, at, path=where, code="secret"))
        for root, attr in info.attrs:
            allowed = {"vars": known.vars, "env": known.env, "secrets": known.secrets}[root]
            if attr in allowed:
                continue
            hint = {
                "vars": "define it under `vars:` in the spec or `defaults.vars` in launchspec.yaml",
                "env": "list the variable under `env:` in launchspec.yaml",
                "secrets": "list the environment variable under `secrets:` in launchspec.yaml",
            }[root]
            message = (
                f"template uses '{root}.{attr}', which is not defined{_suggest(attr, allowed)}"
            )
            found.append(Diagnostic(message, at, path=where, code="undefined", hint=hint))
        for attr in sorted(info.private):
            message = f"template reads '{attr}': attributes starting with '_' are not allowed"
            found.append(Diagnostic(message, at, path=where, code="sandbox"))
        for tag in info.forbidden:
            message = f"{{% {tag} %}} is not allowed in a spec: templates cannot read files"
            found.append(Diagnostic(message, at, path=where, code="sandbox"))
    return found
