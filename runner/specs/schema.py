"""JSON Schema check of documents -> diagnostics a reviewer can act on, with positions.

Fast path: the schema compiled to Python at development time (runner/specs/compiled/, written
by scripts/compile-schema) accepts most documents in microseconds; only a document it rejects
goes through jsonschema (one reused validator) to list every error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from types import ModuleType
from typing import TYPE_CHECKING, Any

from runner.diagnostics import Diagnostic
from runner.packagedata import files, read_text
from runner.patterns import full_string_patterns
from runner.specs.source import Document, PathKey

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

SPEC_SCHEMA = "launchspec.schema.json"


def packaged_schema(name: str = SPEC_SCHEMA) -> Traversable:
    """The named schema inside the installed package (a copy of the repo's schema/)."""
    return files("runner").joinpath("schemas", name)


@lru_cache(maxsize=4)
def load_schema(name: str = SPEC_SCHEMA) -> dict[str, Any]:
    """The named schema from the package's schema folder."""
    import json  # here: a valid spec is checked by the compiled schema, without reading one

    written: dict[str, Any] = json.loads(read_text("schemas", name))
    schema: dict[str, Any] = full_string_patterns(written)
    return schema


def schema_digest(schema: Mapping[str, Any]) -> str:
    """What a compiled schema records of the schema it was compiled from."""
    import hashlib
    import json

    return hashlib.sha256(json.dumps(schema, sort_keys=True).encode()).hexdigest()


def dotted(path: Iterable[str | int]) -> str:
    """`("tasks", "Kick-off", "owners", "users", 0)` -> `tasks.Kick-off.owners.users[0]`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def describe(value: Any) -> str:
    """A short, human description of a value's type (and the value when small)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"a string ({value!r:.60})"
    return "a list" if isinstance(value, list) else "a mapping"


_TYPE_WORDS = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "object": "a mapping (key: value)",
    "array": "a list",
    "null": "null",
}


def _subject(path: PathKey) -> str:
    keys = [p for p in path if isinstance(p, str)]
    if not path:
        return "a spec"
    return f"'{keys[-1]}'" if isinstance(path[-1], str) else f"item {path[-1]} of '{keys[-1]}'"


class SchemaChecker:
    """One schema and its compiled form; `check` turns a document's violations into
    diagnostics. The schema itself is read only for an invalid document's messages: reading
    it imports importlib.resources, a one-file validate's start-up time."""

    def __init__(self, schema: Callable[[], Mapping[str, Any]], compiled: ModuleType):
        self._schema = schema
        self._fast = compiled.validate
        self._fast_error = compiled.JsonSchemaValueException
        self._full: Any = None  # jsonschema costs 35 ms to import: only for invalid documents

    def check(self, doc: Document) -> list[Diagnostic]:
        """Every schema violation of `doc`, each at the offending value (or unknown key)."""
        try:
            self._fast(doc.data)
            return []
        except self._fast_error:
            pass
        if self._full is None:
            from jsonschema import Draft202012Validator

            self._full = Draft202012Validator(self._schema())
        found: list[Diagnostic] = []
        for error in self._full.iter_errors(doc.data):
            found.extend(_translate(error, doc))
        return sorted(found, key=Diagnostic.sort_key)


@lru_cache(maxsize=1)
def spec_checker() -> SchemaChecker:
    """The checker for launch specs (built once per process)."""
    from runner.specs.compiled import spec

    return SchemaChecker(load_schema, spec)


def _diag(doc: Document, path: PathKey, message: str, **kw: Any) -> Diagnostic:
    return Diagnostic(message, doc.pos(path), path=dotted(path), code="schema", **kw)


def _translate(error: Any, doc: Document) -> list[Diagnostic]:
    path: PathKey = tuple(error.absolute_path)
    kind, schema, value = error.validator, error.schema, error.instance
    if kind == "additionalProperties" and isinstance(value, dict):
        return _unknown_keys(doc, path, value, schema)
    if kind == "required" and isinstance(value, dict):
        missing = [k for k in error.validator_value if k not in value]
        what = "the spec" if not path else _subject(path)
        return [_diag(doc, path, f"{what} is missing required key '{k}'") for k in missing]
    if kind == "type":
        return [_type_error(doc, path, value, error.validator_value)]
    if isinstance(value, str) and error.relative_schema_path and _in_property_names(error):
        key_path = (*path, value)
        hint = schema.get("x-hint")
        message = f"key {value!r} is not " + (hint or "allowed here")
        return [Diagnostic(message, doc.key_pos(key_path), path=dotted(key_path), code="schema")]
    return [_diag(doc, path, _value_message(kind, path, value, schema, error))]


def _in_property_names(error: Any) -> bool:
    return "propertyNames" in tuple(error.relative_schema_path)


def _unknown_keys(
    doc: Document, path: PathKey, value: dict[str, Any], schema: Mapping[str, Any]
) -> list[Diagnostic]:
    import difflib

    allowed = list(schema.get("properties", {}))
    found = []
    for key in value:
        if key in allowed:
            continue
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        message = f"unknown key '{key}'" + (f" (did you mean '{close[0]}'?)" if close else "")
        hint = None if close else f"allowed keys: {', '.join(allowed)}"
        key_path = (*path, key)
        found.append(
            Diagnostic(
                message, doc.key_pos(key_path), path=dotted(key_path), code="unknown-key", hint=hint
            )
        )
    return found


def _type_error(doc: Document, path: PathKey, value: Any, expected: Any) -> Diagnostic:
    names = [expected] if isinstance(expected, str) else list(expected)
    words = " or ".join(_TYPE_WORDS.get(n, n) for n in names)
    hint = None
    if (
        isinstance(value, str)
        and value.lower() in ("yes", "no", "on", "off")
        and "boolean" in names
    ):
        hint = "write true or false; yes/no/on/off are text in launchspec"
    message = f"{_subject(path)} must be {words}, not {describe(value)}"
    return _diag(doc, path, message, hint=hint)


def _value_message(kind: str, path: PathKey, value: Any, schema: Any, error: Any) -> str:
    subject = _subject(path)
    hint = schema.get("x-hint") if isinstance(schema, dict) else None
    if kind in ("pattern", "anyOf", "oneOf", "not") and hint:
        shown = repr(value) if isinstance(value, str) else describe(value)
        return f"{subject}: {shown} is not {hint}"
    if kind == "minLength":
        return f"{subject} must not be empty"
    if kind == "maxLength":
        return f"{subject} is too long ({len(value)} characters; at most {error.validator_value})"
    if kind == "minProperties":
        return f"{subject} must not be empty"
    if kind == "uniqueItems":
        return f"{subject} lists the same item more than once"
    if kind == "minimum":
        return f"{subject} must be at least {error.validator_value}, not {value}"
    return f"{subject}: {error.message}"
