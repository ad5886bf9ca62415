"""The one Jinja environment every templated string uses: sandboxed, strict, with our filters.

STUB: filters to be completed (issue 4). validate (check.py) and render.py both use it.
"""

from __future__ import annotations

from functools import lru_cache

from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

# Top-level names a template may use; anything else is an error at validate time.
TEMPLATE_NAMES = ("vars", "launch", "git", "env", "each", "spec")


@lru_cache(maxsize=1)
def environment() -> ImmutableSandboxedEnvironment:
    """The shared sandboxed environment (undefined names raise, autoescape off)."""
    env = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
    return env


def is_templated(text: str) -> bool:
    """True when `text` contains Jinja syntax and so must be rendered."""
    return "{{" in text or "{%" in text or "{#" in text
