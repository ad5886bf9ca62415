"""The layout is the architecture: every part is documented, in the layer contracts, and small."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
RUNNER = REPO / "runner"
PARTS = sorted(p.name for p in RUNNER.iterdir() if (p / "__init__.py").is_file())


def _contracts() -> list[dict[str, object]]:
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    return list(config["tool"]["importlinter"]["contracts"])


def test_every_part_is_a_layer_or_the_sandbox() -> None:
    layers = next(c for c in _contracts() if c["type"] == "layers")["layers"]
    assert isinstance(layers, list)
    named = {m.strip().removeprefix("runner.") for row in layers for m in row.split("|")}
    assert set(PARTS) - {"sandbox"} == named, "a new part of runner/ needs its place in the layers"


@pytest.mark.parametrize("part", PARTS)
def test_every_part_says_what_it_owns_and_may_import(part: str) -> None:
    doc = ast.get_docstring(ast.parse((RUNNER / part / "__init__.py").read_text()))
    assert doc, f"runner/{part}/__init__.py needs a docstring"
    if part != "sandbox":
        assert "import" in doc, f"runner/{part}: say what it may import"
    assert f"runner/{part}/" in (REPO / "docs" / "architecture.md").read_text()


def test_every_module_has_a_docstring() -> None:
    missing = [
        str(p.relative_to(REPO))
        for p in RUNNER.rglob("*.py")
        if not ast.get_docstring(ast.parse(p.read_text()))
    ]
    assert missing == []


def test_tests_mirror_the_layout() -> None:
    folders = {p.name for p in (REPO / "tests").iterdir() if p.is_dir()}
    # the plan's tests are its views' golden files (tests/views/) and apply's interleavings
    assert set(PARTS) - {"plan"} <= folders, "each part has tests/<part>/"


# -- docs/architecture.md is true: every module named, every named module there ----------------

ARCHITECTURE = REPO / "docs" / "architecture.md"
PACKAGE_PARAGRAPH = re.compile(r"^\*\*`runner/(\w+)/`")
PY_NAME = re.compile(r"`([\w/.{},]+\.py)`")
DOTTED = re.compile(r"`?(runner(?:\.\w+)+)`?")


def _paragraphs() -> list[str]:
    return [p.strip() for p in ARCHITECTURE.read_text().split("\n\n") if p.strip()]


def _package_of(paragraph: str) -> str | None:
    found = PACKAGE_PARAGRAPH.match(paragraph)
    return found[1] if found else None


def _documented() -> set[Path]:
    """Every runner module the architecture names: `pkg/name.py` anywhere, `name.py` in the
    paragraph of its package (or of the foundation, for runner/name.py)."""
    named: set[Path] = set()
    for paragraph in _paragraphs():
        package = _package_of(paragraph)
        for token in PY_NAME.findall(paragraph):
            if token.startswith(("tests/", "scripts/", "bench/")):
                continue
            if token.startswith("runner/") or "/" in token:
                named.add(RUNNER / token.removeprefix("runner/"))
            elif package:
                named.add(RUNNER / package / token)
            else:  # a step of a how-to names the module after its package: any of that name
                found = [p for p in RUNNER.rglob(token) if "sandbox" not in p.parts]
                named.update(found or [RUNNER / token])
    return named


def _modules() -> list[Path]:
    """Modules of runner/, but the sandbox's (runner/sandbox/README.md is theirs) and the
    generated validators (scripts/compile-schema)."""
    skip = {"__init__.py", "__main__.py"}
    return sorted(
        p for p in RUNNER.rglob("*.py")
        if p.name not in skip and "sandbox" not in p.parts and "compiled" not in p.parts
    )


def test_every_module_is_in_the_architecture() -> None:
    documented = _documented()
    missing = [str(p.relative_to(REPO)) for p in _modules() if p not in documented]
    assert missing == [], "docs/architecture.md does not say what these modules are for"


def test_every_module_the_architecture_names_exists() -> None:
    text = ARCHITECTURE.read_text()
    stale = [str(p.relative_to(REPO)) for p in _documented() if not p.is_file()]
    for token in PY_NAME.findall(text):
        if token.startswith(("tests/", "scripts/", "bench/")) and not (REPO / token).exists():
            stale.append(token)
    for dotted in DOTTED.findall(text):
        path = REPO / dotted.replace(".", "/")
        if not (path.is_dir() or path.with_suffix(".py").is_file()):
            stale.append(dotted)
    assert sorted(set(stale)) == [], "docs/architecture.md names what is not there"


def test_every_sandbox_module_is_in_its_readme() -> None:
    readme = (RUNNER / "sandbox" / "README.md").read_text()
    missing = [
        p.name for p in sorted((RUNNER / "sandbox").glob("*.py"))
        if p.name not in ("__init__.py", "__main__.py") and f"`{p.name}`" not in readme
    ]
    assert missing == [], "runner/sandbox/README.md does not say what these modules are for"
