"""Checks across specs: ids used twice (reported at both places), parents that name no spec
or a spec that cannot be a parent, and parent cycles."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from runner.diagnostics import Diagnostic
from runner.specs.source import Document

Found = tuple[tuple[str, int], Diagnostic]


def cross_checks(documents: Sequence[Document], root: Path) -> list[Found]:
    """Duplicate ids (reported at both places), unknown parents, and parent cycles."""
    first: dict[str, Document] = {}
    found: list[Found] = []
    for doc in documents:
        spec_id = doc.data.get("id")
        if not isinstance(spec_id, str):
            continue
        other = first.setdefault(spec_id, doc)
        if other is doc:
            continue
        here, there = doc.pos(("id",)), other.pos(("id",))
        message = f"duplicate spec id '{spec_id}'"
        found.append(((doc.file, doc.index), _dup(message, here, f"first used at {there}")))
        found.append(((other.file, other.index), _dup(message, there, f"used again at {here}")))
    return found + _parent_checks(first, root)


def _dup(message: str, pos: Any, hint: str) -> Diagnostic:
    return Diagnostic(message, pos, path="id", code="duplicate-id", hint=hint)


def _parent_checks(by_id: Mapping[str, Document], root: Path) -> list[Found]:
    from runner.render.expand import parent_id, parent_problem

    found: list[Found] = []
    parents: dict[str, str] = {}
    for spec_id, doc in by_id.items():
        parent = doc.data.get("parent")
        if not isinstance(parent, str):
            continue
        if parent_id(parent) in by_id:  # `ID` or `ID[ELEMENT]`
            parents[spec_id] = parent_id(parent)
            problem = parent_problem(parent, by_id[parents[spec_id]], root)
            if problem is not None:
                diagnostic = Diagnostic(problem, doc.pos(("parent",)), path="parent", code="parent")
                found.append(((doc.file, doc.index), diagnostic))
            continue
        others = [other for other in by_id if other != spec_id]  # a spec is never its own parent
        close = difflib.get_close_matches(parent_id(parent), others, n=1, cutoff=0.6)
        message = f"parent '{parent}' names no spec" + (
            f" (did you mean '{close[0]}'?)" if close else ""
        )
        pos = doc.pos(("parent",))
        found.append(
            ((doc.file, doc.index), Diagnostic(message, pos, path="parent", code="parent"))
        )
    for cycle in _cycles(parents):
        text = " -> ".join([*cycle, cycle[0]])
        for member in cycle:
            doc = by_id[member]
            diagnostic = Diagnostic(
                f"parent cycle: {text}", doc.pos(("parent",)), path="parent", code="parent-cycle"
            )
            found.append(((doc.file, doc.index), diagnostic))
    return found


def _cycles(parents: Mapping[str, str]) -> list[list[str]]:
    """Each cycle in the parent graph once, starting at its smallest id."""
    cycles: list[list[str]] = []
    done: set[str] = set()
    for start in sorted(parents):
        trail: list[str] = []
        node: str | None = start
        while node is not None and node not in done and node not in trail:
            trail.append(node)
            node = parents.get(node)
        if node is not None and node in trail:
            cycle = trail[trail.index(node) :]
            low = cycle.index(min(cycle))
            cycles.append(cycle[low:] + cycle[:low])
        done.update(trail)
    return cycles
