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
from runner.yamlguard import (
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
    """Turns one composed node tree into plain data plus positions, within the limits."""

    def __init__(self, file: str, loader: Any, limits: Limits):
        self.file = file
        self.loader = loader
        self.limits = limits
        self.positions: dict[PathKey, Position] = {}
        self.key_positions: dict[PathKey, Position] = {}
        self.diagnostics: list[Diagnostic] = []
        self.seen: set[int] = set()
        self.active: set[int] = set()
        self.alias_nodes = 0

    def at(self, node: Any) -> Position:
        mark = node.start_mark
        return Position(self.file, mark.line + 1, mark.column + 1)

    def build(self, node: Any, path: PathKey, depth: int) -> Any:
        here = self.at(node)
        self.positions[path] = here
        ident = id(node)
        if ident in self.seen:  # reached again through an alias
            self.alias_nodes += 1
            if self.alias_nodes > self.limits.max_alias_nodes:
                raise Refused(alias_error(here, self.limits))
        else:
            self.seen.add(ident)
        value = node.value
        if isinstance(value, str):
            return self.scalar(node)
        if depth >= self.limits.max_depth:
            raise Refused(depth_error(here, self.limits))
        if ident in self.active:
            raise Refused(Diagnostic("an alias refers to itself", here, code="alias-loop"))
        self.active.add(ident)
        try:
            if node.tag not in (_MAP, _SEQ):
                self.unsupported(node)
            if node.id == "mapping":
                return self.mapping(node, path, depth)
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(value)]
        finally:
            self.active.discard(ident)

    def mapping(self, node: Any, path: PathKey, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                self.merge(result, value_node, path, depth)
        first: dict[str, Position] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                continue
            key = key_node.value
            if not isinstance(key, str):
                self.diagnostics.append(
                    Diagnostic("a mapping key must be plain text", self.at(key_node), code="key")
                )
                continue
            key_at = self.at(key_node)
            if key in first:
                self.diagnostics.append(
                    Diagnostic(
                        f"duplicate key '{key}' (first at line {first[key].line})",
                        key_at,
                        code="duplicate-key",
                    )
                )
                continue
            first[key] = key_at
            child = (*path, key)
            self.key_positions[child] = key_at
            result[key] = self.build(value_node, child, depth + 1)
        return result

    def merge(self, result: dict[str, Any], node: Any, path: PathKey, depth: int) -> None:
        """`<<: *base` (or a list of them): keys written in the mapping itself win."""
        sources = node.value if node.tag == _SEQ else [node]
        for source in sources:
            own = self.positions.get(path)
            merged = self.build(source, path, depth)
            if own is not None:
                self.positions[path] = own
            if not isinstance(merged, dict):
                self.diagnostics.append(
                    Diagnostic("'<<' must merge a mapping", self.at(source), code="merge")
                )
                continue
            for key, value in merged.items():
                result.setdefault(key, value)

    def scalar(self, node: Any) -> Any:
        tag, text = node.tag, node.value
        if tag == _STR:
            return text
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


def _kind(data: Any) -> str:
    if isinstance(data, list):
        return "a list"
    return "nothing" if data is None else f"a single value ({data!r:.40})"


def load_text(
    text: str, display: str, *, limits: Limits = DEFAULT_LIMITS
) -> tuple[list[Document], list[Diagnostic]]:
    """Parse YAML `text` (named `display` in messages) into mapping documents and diagnostics."""
    import yaml

    loader_class, warning = _loader_class()
    diagnostics = [] if warning is None else [replace(warning, pos=Position(display, 1, 1))]
    documents: list[Document] = []
    loader = loader_class(text)
    try:
        with paused_gc():
            while loader.check_node():
                node = loader.get_node()
                builder = _Builder(display, loader, limits)
                data = builder.build(node, (), 0)
                diagnostics.extend(builder.diagnostics)
                doc = Document(display, len(documents), data, builder.positions)
                doc.key_positions = builder.key_positions
                documents.append(doc)
    except Refused as e:
        diagnostics.append(e.diagnostic)
    except yaml.YAMLError as e:
        diagnostics.append(yaml_error(e, text, display, limits))
    except RecursionError:  # only the pure-Python loader recurses in Python
        diagnostics.append(depth_error(Position(display, 1, 1), limits))
    finally:
        loader.dispose()
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
    path: Path, display: str | None = None, *, limits: Limits = DEFAULT_LIMITS
) -> tuple[list[Document], list[Diagnostic]]:
    """Parse one YAML file into documents; problems come back as diagnostics, never raised."""
    shown = display or str(path)
    text = read_text(path, shown, limits)
    if isinstance(text, Diagnostic):
        return [], [text]
    return load_text(text, shown, limits=limits)
