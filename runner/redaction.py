"""The values this process must never print (the token, secrets), and text with them hidden.

Values are registered where they enter (the connection reads the token, the render stage
reads secrets from the environment); the command line hides them in everything it writes to
the terminal, whatever produced the text: a diagnostic, an API error, an annotation.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from urllib.parse import quote, quote_plus

REDACTED = "(secret)"
MIN_LENGTH = 4  # shorter values would hide ordinary words; they protect nothing anyway

_lock = threading.Lock()
_forms: set[str] = set()


def encoded_forms(value: str) -> Iterator[tuple[str, str]]:
    """(form name, text) for `value` as written and in every encoding output may carry it in."""
    # Imported here: every command imports this module at start, few register a value.
    import base64
    import html
    import json

    raw = value.encode()
    yield "as is", value
    yield "base64-encoded", base64.b64encode(raw).decode()
    yield "base64-encoded", base64.b64encode(raw).decode().rstrip("=")
    yield "base64url-encoded", base64.urlsafe_b64encode(raw).decode().rstrip("=")
    yield "URL-encoded", quote(value, safe="")
    yield "URL-encoded", quote_plus(value, safe="")
    yield "HTML-escaped", html.escape(value)
    yield "JSON-escaped", json.dumps(value)[1:-1]


def register(*values: str | None) -> None:
    """Never print these values again in this process."""
    with _lock:
        for value in values:
            if value and len(value) >= MIN_LENGTH:
                _forms.update(f for _, f in encoded_forms(value) if len(f) >= MIN_LENGTH)


def redact(text: str) -> str:
    """`text` with every registered value (in any of its forms) replaced by `(secret)`."""
    if not _forms or not text:
        return text
    with _lock:
        found = sorted((f for f in _forms if f in text), key=len, reverse=True)
    for form in found:
        text = text.replace(form, REDACTED)
    return text


def registered() -> tuple[str, ...]:
    """Every registered form (for the output scans that must also find them)."""
    with _lock:
        return tuple(_forms)
