"""Template skeletons: a templated string with its literal text lifted out, so that strings
differing only in literal text share one parse, one analysis and one compiled form.

`"Onboarding - {{ vars.client }} #17"` and `"... #18"` both become
`"{{ _ls_lit[0] }}{{ vars.client }}{{ _ls_lit[1] }}"` with literals `("Onboarding - ", " #17")`
and `(..., " #18")`. Rendering the skeleton with `_ls_lit` bound to the literals gives exactly
the original's output (proven by a property test against Jinja on generated strings).

The split is only used where it provably matches Jinja's own lexer; anything unusual (quotes
holding delimiters, braces inside tags, whitespace control, raw blocks, carriage returns, the
slot name itself) falls back to the original string, so the cost of a doubt is speed, never a
different result.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

SLOT = "_ls_lit"  # the name the literals are bound to while rendering a skeleton

# Tags exactly as Jinja's lexer ends them, given the restrictions checked in `_plain_tag`.
_TAG = re.compile(r"\{\{(.*?)\}\}|\{%(.*?)%\}|\{#(.*?)#\}", re.S)
# Inside a tag: no braces or backslashes, and no quoted string holding the tag's closing
# character, so the first `}}` (or `%}`) is where Jinja's lexer ends the tag too.
_PLAIN_EXPRESSION = re.compile(r"""(?:[^'"{}\\]|'[^'}\\]*'|"[^"}\\]*")*""", re.S)
_PLAIN_BLOCK = re.compile(r"""(?:[^'"{}\\]|'[^'%\\]*'|"[^"%\\]*")*""", re.S)
_RAW = re.compile(r"\s*raw\b")


class Skeleton(NamedTuple):
    """A template without its literal text, and that text in order."""

    source: str
    literals: tuple[str, ...]


def _plain_tag(match: re.Match[str]) -> bool:
    expression, block, comment = match.groups()
    inner = next(part for part in (expression, block, comment) if part is not None)
    if inner[:1] in ("-", "+") or inner[-1:] in ("-", "+"):  # whitespace control
        return False
    if comment is not None:  # Jinja ends a comment at the first `#}` too
        return True
    if expression is not None:
        return _PLAIN_EXPRESSION.fullmatch(inner) is not None
    return _PLAIN_BLOCK.fullmatch(inner) is not None and _RAW.match(inner) is None


def _slot(index: int, text: str) -> str:
    # The newlines keep every later tag on the line it had, so error lines stay true.
    newlines = "\n" * text.count("\n")
    return f"{{{{ {SLOT}[{index}]{newlines} }}}}"


@lru_cache(maxsize=65536)
def split(source: str) -> Skeleton | None:
    """The skeleton of `source`, or None when it has no literal text or is not plain enough."""
    if "\r" in source or SLOT in source:
        return None
    # Jinja drops one trailing newline (keep_trailing_newline is off); drop it the same way.
    body = source[:-1] if source.endswith("\n") else source
    parts: list[str] = []
    literals: list[str] = []
    pos = 0
    for match in _TAG.finditer(body):
        if not _plain_tag(match) or body[match.start() - 1 : match.start()] == "{":
            return None  # `{` + `{# #}` is `{{` to Jinja: not a literal and a comment
        _literal(body[pos : match.start()], parts, literals)
        parts.append(match.group(0))
        pos = match.end()
    _literal(body[pos:], parts, literals)
    text = "".join(literals)
    if not literals or "{{" in text or "{%" in text or "{#" in text:  # an unclosed tag
        return None
    return Skeleton("".join(parts), tuple(literals))


def _literal(text: str, parts: list[str], literals: list[str]) -> None:
    if text:
        parts.append(_slot(len(literals), text))
        literals.append(text)
