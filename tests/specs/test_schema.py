"""The spec schema: well-formed, documented, and both validators agree."""

from __future__ import annotations

import copy
from typing import Any

import fastjsonschema
import jsonschema
import pytest

from runner.specs.schema import load_schema, spec_checker
from runner.specs.source import load_text


def _nodes(node: Any, where: str = "") -> list[tuple[str, dict[str, Any]]]:
    found = []
    for name, sub in node.get("properties", {}).items():
        found.append((f"{where}{name}", sub))
        found.extend(_nodes(sub, f"{where}{name}."))
    return found


@pytest.mark.parametrize("name", ["launchspec.schema.json", "config.schema.json"])
def test_schema_is_valid_2020_12_with_id_and_title(name: str) -> None:
    schema = load_schema(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"].endswith("2020-12/schema") and schema["$id"] and schema["title"]
    fastjsonschema.compile(copy.deepcopy(schema))


def test_every_property_has_description_and_examples_that_validate() -> None:
    schema = load_schema()
    for where, node in _nodes(schema) + _nodes(schema["$defs"]["task"], "task."):
        assert node.get("description"), where
        assert node.get("examples"), where
        sub = {**node, "$defs": schema["$defs"]}
        for example in node["examples"]:
            assert not list(jsonschema.Draft202012Validator(sub).iter_errors(example)), where


@pytest.mark.parametrize(
    "text",
    [
        "id: a\ntemplate: T\n",
        "id: a\ntemplate: T\nowner: [1]\n",
        "id: A\ntemplate: abcdefabcdef12\n",
        "id: a\ntemplate: T\ntasks: {x: {deadline: soon, owners: {users: [0]}}}\n",
        "id: a\ntemplate: T\nvars: {1x: 2}\nparent: null\n",
        "id: a\ntemplate: T\ntags: [a, a]\nstarred: 1\n",
    ],
)
def test_fast_path_and_full_validator_agree(text: str) -> None:
    from runner.specs.compiled import spec

    docs, _ = load_text(text, "f")
    schema = load_schema()
    fast_ok = True
    try:
        spec.validate(docs[0].data)
    except spec.JsonSchemaValueException:
        fast_ok = False
    full_ok = not list(jsonschema.Draft202012Validator(schema).iter_errors(docs[0].data))
    assert fast_ok == full_ok
    assert (spec_checker().check(docs[0]) == []) == full_ok


def test_every_error_is_listed_at_its_value() -> None:
    docs, _ = load_text("id: a\ntemplate: T\nstarred: 1\nis_public: x\ntitel: y\n", "f")
    found = [str(d) for d in spec_checker().check(docs[0])]
    assert found == [
        "f:3:10: error: 'starred' must be true or false, not a number (1) (at starred)",
        "f:4:12: error: 'is_public' must be true or false, not a string ('x') (at is_public)",
        "f:5:1: error: unknown key 'titel' (at titel)",
    ]


def test_bad_variable_name_points_at_the_key() -> None:
    docs, _ = load_text("id: a\ntemplate: T\nvars:\n  1x: 2\n", "f")
    found = spec_checker().check(docs[0])
    assert [str(d.pos) for d in found] == ["f:4:3"]
    assert "is not a variable name" in found[0].message


@pytest.mark.parametrize(
    "name",
    ["launchspec.schema.json", "config.schema.json", "lockfile.schema.json", "journal.schema.json"],
)
def test_the_packaged_schema_is_the_repo_schema(name: str) -> None:
    """schema/ is the source of truth; the copy inside the package (what `init` writes and
    every check reads, from any project) must be the same bytes."""
    from importlib.resources import files
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2] / "schema" / name
    packaged = files("runner").joinpath("schemas", name)
    assert packaged.read_bytes() == repo.read_bytes(), f"copy schema/{name} to runner/schemas/"
