"""Composed YAML nodes -> plain data plus a (file, line, col) index of every value and key.

Replaces PyYAML's constructor (which would walk the tree a second time) and keeps within the
limits on aliases and depth as it goes.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from runner.diagnostics import Diagnostic, Position
from runner.specs.yamlguard import Limits, Refused, alias_error, depth_error

PathKey = tuple[str | int, ...]

_TAG = "tag:yaml.org,2002:"
_STR, _NULL, _BOOL, _INT, _FLOAT = (_TAG + t for t in ("str", "null", "bool", "int", "float"))
_TIMESTAMP, _MERGE, _MAP, _SEQ = (_TAG + t for t in ("timestamp", "merge", "map", "seq"))


class Built(NamedTuple):
    """One document's data and indexes, as the builder made them."""

    data: Any
    positions: dict[PathKey, Position]
    key_positions: dict[PathKey, Position]
    templated: list[tuple[PathKey, str]]


class Builder:
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

    def document(self, node: Any) -> Built:
        """The data of one composed document, with its positions and templated strings."""
        self.positions, self.key_positions, self.templated = {}, {}, []
        data = self.build(node, (), 0)
        return Built(data, self.positions, self.key_positions, self.templated)

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
