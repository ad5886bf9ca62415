"""The values this process must never print (the token, secrets), and text with them hidden.

Values are registered where they enter (the connection reads the token, the render stage
reads secrets from the environment); the command line hides them in everything it writes to
the terminal, whatever produced the text: a diagnostic, an API error, an annotation.
"""

from __future__ import annotations

import base64
import json
import threading
from urllib.parse import quote, quote_plus

REDACTED = "(secret)"
MIN_LENGTH = 4  # shorter values would hide ordinary words; they protect nothing anyway

_lock = threading.Lock()
_forms: set[str] = set()


def forms(value: str) -> set[str]:
    """`value` as written and in the encodings output may carry it in."""
    raw = value.encode()
    return {
        value,
        json.dumps(value)[1:-1],
        quote(value, safe=""),
        quote_plus(value, safe=""),
        base64.b64encode(raw).decode().rstrip("="),
        base64.urlsafe_b64encode(raw).decode().rstrip("="),
    }


def register(*values: str | None) -> None:
    """Never print these values again in this process."""
    with _lock:
        for value in values:
            if value and len(value) >= MIN_LENGTH:
                _forms.update(f for f in forms(value) if len(f) >= MIN_LENGTH)


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
