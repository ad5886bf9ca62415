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
from runner.specs.builder import Builder
from runner.specs.builder import PathKey as PathKey  # where readers of documents find it
from runner.specs.yamlguard import (
    DEFAULT_LIMITS,
    Limits,
    Refused,
    depth_error,
    read_text,
    yaml_error,
)

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
        positions = self.positions
        p = tuple(path)
        while p:
            if p in positions:
                return positions[p]
            p = p[:-1]
        return positions.get((), Position(self.file, 1, 1))

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
    builder = Builder(display, loader, limits, len(text))
    try:
        while loader.check_node():
            built = builder.document(loader.get_node())
            documents.append(Document(display, len(documents), *built))
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
