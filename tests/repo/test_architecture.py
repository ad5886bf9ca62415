"""The layout is the architecture: every part is documented, in the layer contracts, and small."""

from __future__ import annotations

import ast
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
