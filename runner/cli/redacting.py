"""Terminal streams that hide registered secret values in whatever is written through them."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from runner.redaction import redact


class RedactingStream(io.TextIOBase):
    """A text stream passing every write through `redact` on its way to `inner`."""

    def __init__(self, inner: TextIO) -> None:
        self._inner = inner

    def write(self, text: str | bytes) -> int:
        # click.echo writes bytes (shell completion does) to a stream with no binary buffer
        shown = text.decode(self.encoding, "replace") if isinstance(text, bytes) else text
        self._inner.write(redact(shown))
        return len(text)

    def flush(self) -> None:
        self._inner.flush()

    def isatty(self) -> bool:
        return self._inner.isatty()

    def fileno(self) -> int:
        return self._inner.fileno()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._inner, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self._inner, "errors", None)


@contextmanager
def redacted_terminal() -> Iterator[None]:
    """stdout and stderr hide registered secrets for the duration (restored after)."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = RedactingStream(out), RedactingStream(err)
    try:
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        sys.stdout, sys.stderr = out, err
