"""JSON Schema patterns as ECMA-262 reads them: `^...$` matches a whole string, nothing more."""

from __future__ import annotations

from typing import Any


def full_string_patterns(node: Any) -> Any:
    """`node` with each `pattern` ending in `$` made to end in `\\Z` instead.

    JSON Schema patterns are ECMA-262, where `$` is the very end; the validators here use
    Python's `re`, where `$` also matches before a final newline, so `dup\\n` would pass
    `^[a-z]+$`. Editors read the schema file as written; our checks read it through this.
    """
    if isinstance(node, dict):
        out = {k: full_string_patterns(v) for k, v in node.items()}
        pattern = node.get("pattern")
        if isinstance(pattern, str) and pattern.endswith("$") and not pattern.endswith("\\$"):
            out["pattern"] = pattern[:-1] + "\\Z"
        return out
    if isinstance(node, list):
        return [full_string_patterns(v) for v in node]
    return node
