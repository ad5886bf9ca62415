"""Plain kick-off values -> the API's shape for each field type (docs/tallyfy-api-notes.md).

Dates: a bare date is sent as that day at 00:00:00Z, so the day the API stores is the day
written; a time without an offset is read in the project's time zone. Epoch numbers are refused.

Tables: one row, a map keyed by column label or a list of cells in column order, sent as a flat
list of cells in the template's column order, strings ("" where a map leaves a column out):
what every public client sends. Several rows are refused until their shape is known.
Multiselect entries always carry `selected: true` (without it Tallyfy renders nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, tzinfo
from typing import Any

from runner.render.filters import iso_utc
from runner.resolve.directory import Directory, by_label, closest, looks_like_email
from runner.resolve.people import resolve_people

Field = Mapping[str, Any]


class EncodeError(ValueError):
    """A value the API would refuse (or store wrongly) for this field."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


def encode(field: Field, value: Any, directory: Directory, zone: tzinfo) -> Any:
    """The API shape of `value` for kick-off `field`; raise EncodeError when it cannot be."""
    kind = str(field.get("field_type"))
    encoder = ENCODERS.get(kind)
    if encoder is None:
        raise EncodeError(f"kick-off field type {kind!r} is not supported by launchspec")
    return encoder(field, value, directory, zone)


def _label(field: Field) -> str:
    return repr(field.get("label") or field.get("id"))


def _scalar(field: Field, value: Any) -> str:
    if isinstance(value, bool):
        raise EncodeError(
            f"{_label(field)} needs text, not the boolean {str(value).lower()}",
            hint="YAML reads yes/no/true/false as booleans: quote the value",
        )
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str | int | float):
        return str(value)
    raise EncodeError(f"{_label(field)} needs a single value, not a {type(value).__name__}")


def _text(field: Field, value: Any, directory: Directory, zone: tzinfo) -> str:
    # textarea gets 422 for a number; text accepts one, but a string is always safe to send.
    return _scalar(field, value)


def _email(field: Field, value: Any, directory: Directory, zone: tzinfo) -> str:
    text = _scalar(field, value).strip()
    if not looks_like_email(text):
        raise EncodeError(f"{_label(field)} needs an email address, not {text!r}")
    return text


def _date(field: Field, value: Any, directory: Directory, zone: tzinfo) -> str:
    when: date | None = value if isinstance(value, date) else None
    if isinstance(value, str):
        text = value.strip()
        try:
            when = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
        except ValueError:
            when = None
    if when is None:
        raise EncodeError(
            f"{_label(field)} needs an ISO 8601 date such as 2026-12-01 or "
            f"2026-12-01T09:00:00Z, not {value!r}",
            hint="epoch numbers are refused by the API" if isinstance(value, int | float) else None,
        )
    if not isinstance(when, datetime):
        return f"{when.isoformat()}T00:00:00Z"
    return iso_utc(when, zone)


def _options(field: Field) -> list[Mapping[str, Any]]:
    return [o for o in field.get("options") or [] if isinstance(o, Mapping)]


def option(field: Field, value: Any) -> Mapping[str, Any]:
    """The option whose text is exactly `value`; near misses only feed the hint."""
    opts = _options(field)
    text = _scalar(field, value)
    for opt in opts:
        if opt.get("text") == text:
            return opt
    texts = [str(o.get("text")) for o in opts]
    folded = [t for t in texts if t.casefold().strip() == text.casefold().strip()]
    guess = folded[0] if folded else closest(text, texts)
    raise EncodeError(
        f"{text!r} is not an option of {_label(field)} (options: {', '.join(texts) or 'none'})",
        hint=f"did you mean {guess!r}? options must match exactly" if guess else None,
    )


def _radio(field: Field, value: Any, directory: Directory, zone: tzinfo) -> str:
    return str(option(field, value)["text"])


def _dropdown(field: Field, value: Any, directory: Directory, zone: tzinfo) -> dict[str, Any]:
    opt = option(field, value)
    return {"id": opt["id"], "text": opt["text"]}


def _multiselect(field: Field, value: Any, directory: Directory, zone: tzinfo) -> list[Any]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list | tuple):
        raise EncodeError(f"{_label(field)} needs a list of options")
    out: list[dict[str, Any]] = []
    for v in values:
        opt = option(field, v)
        if any(o["id"] == opt["id"] for o in out):
            raise EncodeError(f"{opt['text']!r} is listed twice in {_label(field)}")
        out.append({"id": opt["id"], "text": opt["text"], "selected": True})
    return out


def _table(field: Field, value: Any, directory: Directory, zone: tzinfo) -> list[Any]:
    columns = [c for c in field.get("columns") or [] if isinstance(c, Mapping)]
    rows = [value] if isinstance(value, Mapping) else value
    if not isinstance(rows, list | tuple) or not columns:
        raise EncodeError(f"{_label(field)} needs a list of rows (maps by column, or lists)")
    if len(rows) != 1:
        raise EncodeError(
            f"{_label(field)} has {len(rows)} rows; launchspec sends one row, as a list of cells "
            "in column order, the shape every public client sends",
            hint="the shape of several rows at launch is not documented or seen anywhere yet",
        )
    return _row(field, columns, rows[0], 1)


def _row(field: Field, columns: Sequence[Mapping[str, Any]], row: Any, n: int) -> list[str]:
    labels = [str(c.get("label")) for c in columns]
    if isinstance(row, list | tuple):
        if len(row) != len(columns):
            raise EncodeError(
                f"row {n} of {_label(field)} has {len(row)} cells; the table has "
                f"{len(columns)} columns ({', '.join(labels)})"
            )
        return [_scalar(field, c) for c in row]
    if not isinstance(row, Mapping):
        raise EncodeError(f"row {n} of {_label(field)} must be a map or a list")
    out = [""] * len(columns)
    for key, cell in row.items():
        hits = by_label(str(key), columns, "label")
        if len(hits) != 1:
            guess = closest(str(key), labels)
            raise EncodeError(
                f"row {n} of {_label(field)} has no column {key!r} (columns: {', '.join(labels)})",
                hint=f"did you mean {guess!r}?" if guess else None,
            )
        out[columns.index(hits[0])] = "" if cell is None else _scalar(field, cell)
    return out


def _assignees(field: Field, value: Any, directory: Directory, zone: tzinfo) -> dict[str, Any]:
    if isinstance(value, str | int | list | tuple):
        value = {"users": [value] if isinstance(value, str | int) else value}
    if not isinstance(value, Mapping):
        raise EncodeError(f"{_label(field)} needs {{users, guests, groups}} or a list of users")
    unknown = sorted(set(value) - {"users", "guests", "groups"})
    if unknown:
        raise EncodeError(f"{_label(field)} takes users, guests and groups, not {unknown}")
    people = resolve_people(
        directory, value.get("users") or (), value.get("guests") or (), value.get("groups") or ()
    )
    if people.problems:
        first = people.problems[0]
        raise EncodeError("; ".join(p.message for p in people.problems), hint=first.hint)
    return people.body()


def _file(field: Field, value: Any, directory: Directory, zone: tzinfo) -> Any:
    raise EncodeError(
        f"{_label(field)} is a file field; file fields cannot be set from a spec yet",
        hint="leave it out and attach the file in Tallyfy after the launch",
    )


ENCODERS: dict[str, Callable[[Field, Any, Directory, tzinfo], Any]] = {
    "text": _text,
    "textarea": _text,
    "email": _email,
    "date": _date,
    "radio": _radio,
    "dropdown": _dropdown,
    "multiselect": _multiselect,
    "table": _table,
    "assignees_form": _assignees,
    "file": _file,
}
