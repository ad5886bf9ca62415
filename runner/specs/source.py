"""YAML files -> plain data, with a (file, line, col) index of every value and mapping key.

One libyaml parse composes the node tree; `_Builder` then walks it once to make both the
data and the positions (replacing PyYAML's constructor, which would walk it a second time).
Scalars follow JSON's view of YAML: timestamps stay the strings written, and YAML 1.1
surprises are kept as text (`yes`/`no`/`on`/`off` are strings, `10:30` is not 630).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from runner.diagnostics import Diagnostic, Position
from runner.specs.yamlguard import (
    DEFAULT_LIMITS,
    Limits,
    Refused,
    alias_error,
    depth_error,
    paused_gc,
    read_text,
    yaml_error,
)

PathKey = tuple[str | int, ...]

_TAG = "tag:yaml.org,2002:"
_STR, _NULL, _BOOL, _INT, _FLOAT = (_TAG + t for t in ("str", "null", "bool", "int", "float"))
_TIMESTAMP, _MERGE, _MAP, _SEQ = (_TAG + t for t in ("timestamp", "merge", "map", "seq"))
_warned_pure = False


@dataclass
class Document:
    """One YAML document (a file may hold several, separated by `---`)."""

    file: str  # as given/shown to the user (relative to the project root when possible)
    index: int  # 0-based position of the document in its file
    data: Any
    positions: dict[PathKey, Position] = field(default_factory=dict)
    key_positions: dict[PathKey, Position] = field(default_factory=dict)  # path -> its key
    templated: list[tuple[PathKey, str]] | None = None  # strings with Jinja syntax, when known

    def pos(self, path: PathKey) -> Position:
        """Position of the value at `path`, else of its nearest ancestor, else the doc start."""
        p = tuple(path)
        while p:
            if p in self.positions:
                return self.positions[p]
            p = p[:-1]
        return self.positions.get((), Position(self.file, 1, 1))

    def key_pos(self, path: PathKey) -> Position:
        """Position of the key that holds `path` (for "unknown key"), else of the value."""
        return self.key_positions.get(tuple(path)) or self.pos(path)


def _loader_class() -> tuple[type[Any], Diagnostic | None]:
    """CSafeLoader, or the pure SafeLoader with a warning the first time (libyaml missing)."""
    global _warned_pure
    import yaml

    if getattr(yaml, "CSafeLoader", None) is not None:
        return yaml.CSafeLoader, None
    warning = None
    if not _warned_pure:
        _warned_pure = True
        warning = Diagnostic(
            "PyYAML has no libyaml C loader here; using the slower pure-Python loader",
            severity="warning",
            code="slow-loader",
            hint="install PyYAML with libyaml for speed",
        )
    return yaml.SafeLoader, warning


class _Builder:
    """Turns the composed node trees of one file into plain data plus positions, within limits."""

    def __init__(self, file: str, loader: Any, limits: Limits, size: int):
        self.file = file
        self.loader = loader
        self.limits = limits
        self.diagnostics: list[Diagnostic] = []
        # Each node takes at least half a character of text, so visits beyond that bound are
        # alias expansions; counting visits is cheaper than remembering every node seen.
        self.budget = 2 * size + limits.max_alias_nodes
        self.visits = 0
        self.positions: dict[PathKey, Position] = {}
        self.key_positions: dict[PathKey, Position] = {}
        self.templated: list[tuple[PathKey, str]] = []

    def document(self, node: Any, index: int) -> Document:
        self.positions, self.key_positions, self.templated = {}, {}, []
        data = self.build(node, (), 0)
        return Document(self.file, index, data, self.positions, self.key_positions, self.templated)

    def at(self, node: Any) -> Position:
        mark = node.start_mark
        return Position(self.file, mark.line + 1, mark.column + 1)

    def build(self, node: Any, path: PathKey, depth: int) -> Any:
        mark = node.start_mark
        here = Position(self.file, mark.line + 1, mark.column + 1)
        self.positions[path] = here
        self.visits += 1
        if self.visits > self.budget:
            raise Refused(alias_error(here, self.limits))
        value = node.value
        if value.__class__ is str:
            if node.tag != _STR:
                return self.scalar(node)
            if "{" in value and ("{{" in value or "{%" in value or "{#" in value):
                self.templated.append((path, value))
            return value
        if depth >= self.limits.max_depth:  # also ends aliases that contain themselves
            raise Refused(depth_error(here, self.limits))
        if node.tag not in (_MAP, _SEQ):
            self.unsupported(node)
        if node.id == "mapping":
            return self.mapping(node, path, depth + 1)
        build = self.build
        return [build(item, (*path, i), depth + 1) for i, item in enumerate(value)]

    def mapping(self, node: Any, path: PathKey, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        merges = []
        key_positions, build = self.key_positions, self.build
        for key_node, value_node in node.value:
            key = key_node.value
            if key.__class__ is not str:
                self.diagnostics.append(
                    Diagnostic("a mapping key must be plain text", self.at(key_node), code="key")
                )
                continue
            if key_node.tag == _MERGE:
                merges.append(value_node)
                continue
            child = (*path, key)
            mark = key_node.start_mark
            key_at = Position(self.file, mark.line + 1, mark.column + 1)
            if key in result:
                first = key_positions[child].line
                message = f"duplicate key '{key}' (first at line {first})"
                self.diagnostics.append(Diagnostic(message, key_at, code="duplicate-key"))
                continue
            key_positions[child] = key_at
            result[key] = build(value_node, child, depth)
        if merges:
            self.merge(result, merges, path, depth)
        return result

    def merge(self, result: dict[str, Any], nodes: list[Any], path: PathKey, depth: int) -> None:
        """`<<: *base` (or a list of them): keys written in the mapping itself win."""
        own = (self.positions, self.key_positions, self.templated)
        for node in nodes:
            for source in node.value if node.tag == _SEQ else [node]:
                self.positions, self.key_positions, self.templated = {}, {}, []
                merged = self.build(source, path, depth)
                if not isinstance(merged, dict):
                    own[2].extend(self.templated)
                    self.diagnostics.append(
                        Diagnostic("'<<' must merge a mapping", self.at(source), code="merge")
                    )
                    continue
                taken = [k for k in merged if k not in result]
                for key in taken:
                    result[key] = merged[key]
                n = len(path)
                _graft(self.positions, own[0], n, taken)
                _graft(self.key_positions, own[1], n, taken)
                own[2].extend(t for t in self.templated if len(t[0]) > n and t[0][n] in taken)
        self.positions, self.key_positions, self.templated = own

    def scalar(self, node: Any) -> Any:
        tag, text = node.tag, node.value
        if tag == _NULL:
            return None
        if tag == _BOOL:
            lowered = text.lower()
            return lowered == "true" if lowered in ("true", "false") else text
        if tag in (_INT, _FLOAT):
            if ":" in text:  # YAML 1.1 base 60 ("10:30" = 630) surprises everyone
                return text
            if tag == _INT:
                return int(text) if text.isdigit() else self.loader.construct_yaml_int(node)
            return self.loader.construct_yaml_float(node)
        if tag == _TIMESTAMP:  # JSON Schema and the API both want the text
            return text
        self.unsupported(node)
        return text

    def unsupported(self, node: Any) -> None:
        self.diagnostics.append(
            Diagnostic(f"unsupported YAML tag '{node.tag}'", self.at(node), code="yaml-tag")
        )


def _graft(
    source: dict[PathKey, Position], target: dict[PathKey, Position], n: int, keys: list[str]
) -> None:
    """Copy positions under the merged `keys` (path element `n`) into the mapping's index."""
    for path, at in source.items():
        if len(path) > n and path[n] in keys:
            target[path] = at


def _kind(data: Any) -> str:
    if isinstance(data, list):
        return "a list"
    return "nothing" if data is None else f"a single value ({data!r:.40})"


def load_text(
    text: str, display: str, *, limits: Limits = DEFAULT_LIMITS, mappings: bool = True
) -> tuple[list[Document], list[Diagnostic]]:
    """Parse YAML `text` (named `display` in messages) into mapping documents and diagnostics;
    with `mappings=False` every document is kept whatever its shape (data files)."""
    import yaml

    loader_class, warning = _loader_class()
    diagnostics = [] if warning is None else [replace(warning, pos=Position(display, 1, 1))]
    documents: list[Document] = []
    loader = loader_class(text)
    builder = _Builder(display, loader, limits, len(text))
    try:
        with paused_gc():
            while loader.check_node():
                documents.append(builder.document(loader.get_node(), len(documents)))
    except Refused as e:
        diagnostics.append(e.diagnostic)
    except yaml.YAMLError as e:
        diagnostics.append(yaml_error(e, text, display, limits))
    except RecursionError:  # only the pure-Python loader recurses in Python
        diagnostics.append(depth_error(Position(display, 1, 1), limits))
    finally:
        loader.dispose()
    diagnostics.extend(builder.diagnostics)
    if not mappings:
        return documents, diagnostics
    return _mappings_only(documents, diagnostics, display)


def _mappings_only(
    documents: list[Document], diagnostics: list[Diagnostic], display: str
) -> tuple[list[Document], list[Diagnostic]]:
    """Keep mapping documents; a file of nothing is an error, a stray empty `---` a warning."""
    kept = [d for d in documents if isinstance(d.data, dict)]
    for doc in documents:
        if isinstance(doc.data, dict):
            continue
        empty = doc.data is None
        if empty and (kept or diagnostics):
            severity: Any = "warning"
        else:
            severity = "error"
        where = f"document {doc.index + 1}" if len(documents) > 1 else "the file"
        diagnostics.append(
            Diagnostic(
                f"{where} holds {_kind(doc.data)}; a spec must be a mapping of keys "
                "(id: ..., template: ...)",
                doc.pos(()),
                code="not-a-mapping",
                severity=severity,
            )
        )
    if not documents and not diagnostics:
        diagnostics.append(Diagnostic("file is empty", Position(display, 1, 1), code="empty"))
    return kept, diagnostics


def load_file(
    path: Path,
    display: str | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
    mappings: bool = True,
) -> tuple[list[Document], list[Diagnostic]]:
    """Parse one YAML file into documents; problems come back as diagnostics, never raised."""
    shown = display or str(path)
    text = read_text(path, shown, limits)
    if isinstance(text, Diagnostic):
        return [], [text]
    return load_text(text, shown, limits=limits, mappings=mappings)
