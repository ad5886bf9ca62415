"""Fail-closed scan of output text for the API token and secret values, plain or encoded."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from runner.errors import LaunchspecError
from runner.redaction import MIN_LENGTH, REDACTED, encoded_forms, registered
from runner.specs.config import TOKEN_VAR


class LeakError(LaunchspecError):
    """Output about to be written holds a secret; nothing was written."""


def find_leak(text: str, secrets: Mapping[str, Iterable[str]]) -> str | None:
    """The first `KIND (FORM)` found in `text`, e.g. `the API token (base64-encoded)`, or None.

    `secrets` maps a kind (what the message names) to its values (never named).
    """
    text = text.replace(REDACTED, "\0")  # the marker itself is no leak, even of "secret"
    for kind, values in secrets.items():
        for value in values:
            if len(value) < MIN_LENGTH:
                continue
            for form, encoded in encoded_forms(value):
                if encoded in text:
                    return f"{kind} ({form})"
    return None


def secrets_to_scan(
    secret_values: Iterable[str], env: Mapping[str, str]
) -> dict[str, tuple[str, ...]]:
    """The token from the environment and the plan's secret values, by kind."""
    token = env.get(TOKEN_VAR, "").strip()
    return {
        f"the API token ({TOKEN_VAR})": (token,) if token else (),
        "a secret's value": (*secret_values, *registered()),
    }


def check(texts: Mapping[str, str], secrets: Mapping[str, Iterable[str]]) -> None:
    """Raise LeakError naming the output and the kind of secret if any text holds one."""
    frozen = {kind: tuple(values) for kind, values in secrets.items()}
    for where, text in texts.items():
        found = find_leak(text, frozen)
        if found:
            raise LeakError(
                f"the {where} would contain {found}; nothing was written",
                hint="a template or value exposes it: read secrets only as `{{ secrets.NAME }}`",
            )
