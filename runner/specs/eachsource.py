"""`for_each` data -> keyed elements: inline lists and maps, or a YAML or CSV file in the project.

Element keys: a map's keys; a list of scalars' values (as text); for a list of mappings (and
every CSV row) the `key_field` named in the spec, else an `id` field, else a `key` field.
A key is letters, digits, `.`, `_` and `-`, starts with a letter or digit, and is at most 100
characters, so `ID[KEY]` is safe on a command line, in JSON and in Markdown. Keys must be
unique, also ignoring case. Every problem points at the element (in the spec or the data file).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runner.diagnostics import Diagnostic, Position
from runner.specs.source import Document, PathKey

ELEMENT_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
KEY_RULE = "letters, digits, '.', '_' and '-', starting with a letter or digit, at most 100"
KEY_FIELDS = ("id", "key")  # looked for, in this order, when the spec names no key_field
FILE_SUFFIXES = (".csv", ".yaml", ".yml")


@dataclass(frozen=True)
class Element:
    """One `for_each` element: its key (part of the launch key), its value, where it is."""

    key: str
    value: Any
    pos: Position


@dataclass(frozen=True)
class _Source:
    """Raw `for_each` data and how to find the position of any part of it."""

    data: Any
    pos: Callable[[PathKey], Position]
    key_pos: Callable[[PathKey], Position]
    csv_header: Position | None = None  # CSV rows all share the header's columns


def data_file(doc: Document, root: Path) -> Path | None:
    """The absolute path of the spec's `for_each` file, when it names one."""
    value = doc.data.get("for_each")
    if not isinstance(value, str):
        return None
    spec_path = Path(doc.file) if Path(doc.file).is_absolute() else root / doc.file
    return (spec_path.parent / value).resolve()


def load_elements(doc: Document, root: Path) -> tuple[list[Element] | None, list[Diagnostic]]:
    """The spec's elements (None without `for_each`) and every problem found, with positions."""
    raw = doc.data.get("for_each")
    if raw is None:
        return None, []
    source, problems = _source(raw, doc, root)
    if source is None:
        return [], problems
    key_field = doc.data.get("key_field")
    if key_field is not None and not isinstance(source.data, list):
        message = "key_field applies to a list of mappings; here the map's keys are the keys"
        return [], [_error(message, doc.pos(("key_field",)), "key_field")]
    elements, found = _elements(source, key_field)
    return elements, problems + found + _duplicates(elements)


def _error(
    message: str, pos: Position, path: str = "for_each", hint: str | None = None
) -> Diagnostic:
    return Diagnostic(message, pos, path=path, code="for-each", hint=hint)


def _source(raw: Any, doc: Document, root: Path) -> tuple[_Source | None, list[Diagnostic]]:
    if not isinstance(raw, str):
        return _Source(
            raw, lambda p: doc.pos(("for_each", *p)), lambda p: doc.key_pos(("for_each", *p))
        ), []
    at = doc.pos(("for_each",))
    target = data_file(doc, root)
    if Path(raw).is_absolute() or target is None:
        return None, [_error("a for_each file must be a path relative to the spec file", at)]
    try:
        shown = target.relative_to(root.resolve()).as_posix()
    except ValueError:
        return None, [_error(f"for_each file {raw!r} is outside the project root", at)]
    if target.suffix not in FILE_SUFFIXES:
        return None, [_error(f"for_each file {raw!r} must be .csv, .yaml or .yml", at)]
    if not target.is_file():
        return None, [_error(f"for_each file {raw!r} does not exist (looked for {shown})", at)]
    return _csv_source(target, shown) if target.suffix == ".csv" else _yaml_source(target, shown)


def _yaml_source(path: Path, shown: str) -> tuple[_Source | None, list[Diagnostic]]:
    from runner.specs.source import load_file

    docs, problems = load_file(path, shown, mappings=False)
    if any(d.severity == "error" for d in problems):
        return None, problems
    start = Position(shown, 1, 1)
    if len(docs) != 1 or not isinstance(docs[0].data, list | dict):
        return None, [*problems, _error("a for_each file must hold one list or one map", start)]
    data = docs[0]
    return _Source(data.data, data.pos, data.key_pos), problems


def _csv_source(path: Path, shown: str) -> tuple[_Source | None, list[Diagnostic]]:
    from runner.specs.yamlguard import read_text

    text = read_text(path, shown)
    if isinstance(text, Diagnostic):
        return None, [text]
    header = Position(shown, 1, 1)
    reader = csv.reader(io.StringIO(text))
    try:
        names = [name.strip() for name in next(reader, [])]
        if not names or any(not n for n in names) or len(set(names)) != len(names):
            message = "a CSV file needs a header row of distinct column names"
            return None, [_error(message, header)]
        rows, problems = _csv_rows(reader, names, shown)
    except csv.Error as e:
        at = Position(shown, max(reader.line_num, 1), 1)
        return None, [_error(f"CSV syntax error: {e}", at)]
    lines = [line for line, _ in rows]

    def pos(p: PathKey) -> Position:
        return Position(shown, lines[int(p[0])], 1) if p else header

    return _Source([row for _, row in rows], pos, pos, csv_header=header), problems


def _csv_rows(
    reader: Any, names: list[str], shown: str
) -> tuple[list[tuple[int, dict[str, str]]], list[Diagnostic]]:
    """Each non-blank row with the line it starts on; a row of the wrong width is a problem."""
    rows, problems = [], []
    line = reader.line_num + 1
    for row in reader:
        if not any(cell.strip() for cell in row):
            pass  # blank lines (and spreadsheets' trailing ",,,") hold no element
        elif len(row) == len(names):
            rows.append((line, dict(zip(names, row, strict=True))))
        else:
            message = f"this row has {len(row)} cells; the header has {len(names)}"
            problems.append(_error(message, Position(shown, line, 1)))
        line = reader.line_num + 1
    return rows, problems


def _elements(source: _Source, key_field: Any) -> tuple[list[Element], list[Diagnostic]]:
    data = source.data
    if isinstance(data, Mapping):
        items = [(str(k), v, source.key_pos((k,))) for k, v in data.items()]
        return _checked_keys(items)
    if source.csv_header is not None and data:
        field = key_field or next((f for f in KEY_FIELDS if f in data[0]), None)
        if field is None or field not in data[0]:
            wanted = f"a {field!r} column (key_field)" if field else "an 'id' or 'key' column"
            columns = ", ".join(data[0])
            message = f"the CSV file needs {wanted} for the element keys (columns: {columns})"
            return [], [_error(message, source.csv_header, hint="or set key_field: COLUMN")]
    items, found = [], []
    for i, item in enumerate(data):
        key, problem = _item_key(item, i, key_field)
        if problem is not None:
            found.append(_error(problem, source.pos((i,)), f"for_each[{i}]"))
        elif key is not None:
            items.append((key, item, source.pos((i,))))
    elements, more = _checked_keys(items)
    return elements, found + more


def _item_key(item: Any, index: int, key_field: Any) -> tuple[str | None, str | None]:
    """The key of list item `item`, or a message saying why it has none."""
    if not isinstance(item, Mapping):
        key = _scalar_text(item)
        return (key, None) if key is not None else (None, f"item {index} is not a usable key")
    names = [key_field] if key_field else [f for f in KEY_FIELDS if f in item]
    if not names:
        return None, (
            f"item {index} is a mapping without a key: add `key_field: NAME` to the spec, "
            "or an 'id' or 'key' field to each item"
        )
    if names[0] not in item:
        return None, f"item {index} has no {names[0]!r} field (the key_field)"
    key = _scalar_text(item[names[0]])
    return (key, None) if key is not None else (None, f"item {index}: {names[0]!r} is not text")


def _scalar_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return None


def _checked_keys(
    items: list[tuple[str, Any, Position]],
) -> tuple[list[Element], list[Diagnostic]]:
    elements, found = [], []
    for key, value, pos in items:
        if ELEMENT_KEY.fullmatch(key):
            elements.append(Element(key, value, pos))
            continue
        bad = "".join(sorted({c for c in key if not re.match(r"[A-Za-z0-9._-]", c)}))
        detail = (
            f"it holds {bad!r}" if bad else "it is empty, too long or starts with '.', '_', '-'"
        )
        message = f"element key {key!r} cannot be part of a launch key: {detail}"
        found.append(_error(message, pos, hint=f"use {KEY_RULE} characters"))
    return elements, found


def _duplicates(elements: list[Element]) -> list[Diagnostic]:
    first: dict[str, Element] = {}
    found = []
    for element in elements:
        earlier = first.setdefault(element.key.casefold(), element)
        if earlier is element:
            continue
        same = "" if earlier.key == element.key else f" (as {earlier.key!r}, ignoring case)"
        message = f"duplicate element key {element.key!r}{same}, first at {earlier.pos}"
        found.append(_error(message, element.pos))
    return found
