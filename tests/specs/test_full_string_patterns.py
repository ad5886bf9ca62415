"""Every pattern matches the whole string: a trailing newline never slips past `$`."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from runner.patterns import full_string_patterns
from runner.resolve.directory import looks_like_email as is_email
from runner.specs.schema import load_schema
from tests.support.cli import REPO, make_project, run_cli

ORG = "5192e8fadff2a873872ba9aed3f2e334"


def _patterns(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["pattern"]] if isinstance(node.get("pattern"), str) else []
        return own + [p for v in node.values() for p in _patterns(v)]
    if isinstance(node, list):
        return [p for v in node for p in _patterns(v)]
    return []


@pytest.mark.parametrize("name", ["launchspec.schema.json", "config.schema.json"])
def test_every_anchored_pattern_refuses_a_trailing_newline(name: str) -> None:
    written = _patterns(json.loads((REPO / "schema" / name).read_text()))
    used = _patterns(load_schema(name))
    anchored = [(w, u) for w, u in zip(written, used, strict=True) if w.endswith("$")]
    assert anchored, "the schema has anchored patterns"
    for written_pattern, used_pattern in anchored:
        assert used_pattern.endswith("\\Z"), written_pattern
        assert re.search(used_pattern, "x\n") is None or not re.search(used_pattern, "x")


def test_an_escaped_dollar_is_left_alone() -> None:
    assert full_string_patterns({"pattern": "^a\\$"}) == {"pattern": "^a\\$"}


@pytest.mark.parametrize(
    ("spec", "found"),
    [
        ('id: "dup\\n"\ntemplate: Client Onboarding\nname: x\n', "id"),
        ('id: child\nparent: "onboarding-globex\\n"\ntemplate: Client Onboarding\nname: x\n',
         "parent"),
        ('id: v\ntemplate: Client Onboarding\nname: x\nvars: {"a\\n": 1}\n', "vars"),
        ('id: m\ntemplate: Client Onboarding\nname: x\nowner: "ops@example.com\\n"\n', "owner"),
    ],
)
def test_a_spec_value_with_a_trailing_newline_is_refused(
    tmp_path: Path, spec: str, found: str
) -> None:
    root = make_project(tmp_path)
    (root / "specs" / "newline.yaml").write_text(spec)
    result = run_cli(root, "validate")
    assert result.code == 1, result.text
    assert "newline.yaml:" in result.out + result.err


@pytest.mark.parametrize(
    "config", [f'organization: "{ORG}\\n"\n', 'env: ["GITHUB_REF\\n"]\n']
)
def test_a_configuration_value_with_a_trailing_newline_is_refused(
    tmp_path: Path, config: str
) -> None:
    root = make_project(tmp_path)
    (root / "launchspec.yaml").write_text(config)
    result = run_cli(root, "validate")
    assert result.code == 1, result.text
    assert "launchspec.yaml:1:" in result.err


def test_emails_match_whole() -> None:
    assert is_email("jane@example.com")
    assert not is_email("jane@example.com\n")
