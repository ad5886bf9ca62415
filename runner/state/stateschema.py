"""The lockfile's and the journal's own JSON Schemas, checked on every read (damaged state)."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from runner.packagedata import read_text
from runner.patterns import full_string_patterns


@lru_cache(maxsize=2)
def _validator(name: str) -> Any:
    from jsonschema import Draft202012Validator

    schema = json.loads(read_text("schemas", name))
    return Draft202012Validator(full_string_patterns(schema))


def problem(name: str, doc: Any) -> str | None:
    """The first way `doc` breaks schema `name`, in words (`launches.k.run_id: ...`), or None."""
    errors = sorted(_validator(name).iter_errors(doc), key=lambda e: list(e.absolute_path))
    if not errors:
        return None
    first = errors[0]
    where = ".".join(str(p) for p in first.absolute_path)
    return f"{where}: {first.message}" if where else first.message


def lockfile_problem(doc: Any) -> str | None:
    return problem("lockfile.schema.json", doc)


def journal_problem(record: Any) -> str | None:
    return problem("journal.schema.json", record)
