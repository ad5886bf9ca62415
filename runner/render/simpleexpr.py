"""Templated strings whose every tag is `{{ name.attr | filter(1, 'x') }}`, read without Jinja.

Most templates in specs are that simple; reading them here spares a one-file validate the
import of Jinja (nearly a third of its time, docs/scaling.md). Anything else or in doubt (other
tags, whitespace control, keywords, newlines or braces inside a tag, numbers Jinja might read
differently) gives None, and Jinja reads the string: a doubt costs speed, never a different
result (tests/render/test_simpleexpr.py holds the two equal on generated strings).
"""

from __future__ import annotations

import re
from typing import NamedTuple

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_ARG = r"""0|-?[1-9][0-9]*|'[^'\\{}\r\n]*'|"[^"\\{}\r\n]*\""""
_ARGS = rf"\([ \t]*(?:(?:{_ARG})[ \t]*(?:,[ \t]*(?:{_ARG})[ \t]*)*)?\)"
_FILTER = rf"\|[ \t]*({_NAME})[ \t]*({_ARGS})?[ \t]*"
_EXPRESSION = re.compile(rf"[ \t]*({_NAME}(?:\.{_NAME})*)[ \t]*((?:{_FILTER})*)")
_FILTERS = re.compile(_FILTER)
_ARGUMENT = re.compile(_ARG)
_TAG = re.compile(r"\{\{(.*?)\}\}", re.S)
# Words Jinja's parser reads as constants or operators, not as names.
KEYWORDS = frozenset({
    "true", "false", "none", "True", "False", "None", "and", "or", "not", "in", "is", "if", "else",
})  # fmt: skip

Argument = int | str


class Expression(NamedTuple):
    """One `{{ }}` tag: the dotted name it reads, and the filters applied in order."""

    path: tuple[str, ...]  # ("vars", "client")
    filters: tuple[tuple[str, tuple[Argument, ...]], ...]  # (("add_days", (1,)),)


def expressions(text: str) -> list[Expression] | None:
    """Every tag of `text` in order, or None when one is not simple (or there is none)."""
    found: list[Expression] = []
    pos = 0
    for match in _TAG.finditer(text):
        expression = _expression(match.group(1))
        if expression is None or _has_tag(text[pos : match.start()]):
            return None
        found.append(expression)
        pos = match.end()
    return found if found and not _has_tag(text[pos:]) else None


def _has_tag(literal: str) -> bool:
    return "{{" in literal or "{%" in literal or "{#" in literal


def _expression(inner: str) -> Expression | None:
    match = _EXPRESSION.fullmatch(inner)
    if match is None:
        return None
    path = tuple(match.group(1).split("."))
    filters = []
    for name, args in _FILTERS.findall(match.group(2)):
        filters.append((name, tuple(_argument(a) for a in _ARGUMENT.findall(args))))
    if KEYWORDS.intersection(path) or KEYWORDS.intersection(name for name, _ in filters):
        return None
    return Expression(path, tuple(filters))


def _argument(text: str) -> Argument:
    return text[1:-1] if text[0] in "'\"" else int(text)
