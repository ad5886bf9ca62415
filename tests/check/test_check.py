"""Checks across files: finding files, defaults, names templates use, name length."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.check.check import check_files, find_spec_files, merge_defaults
from runner.errors import UsageError
from runner.specs.config import load_config


def _project(tmp_path: Path, files: dict[str, str], config: str = "") -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if config:
        (tmp_path / "launchspec.yaml").write_text(config, encoding="utf-8")
    return tmp_path


def _messages(root: Path) -> list[str]:
    config = load_config(root)
    _, diagnostics = check_files(config, find_spec_files(config))
    return [str(d) for d in diagnostics]


def test_find_files_by_globs_paths_and_folders(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        {"specs/b.yaml": "", "specs/sub/a.yml": "", "specs/x.txt": "", "other/c.yaml": ""},
    )
    config = load_config(root)
    rel = [p.relative_to(root.resolve()).as_posix() for p in find_spec_files(config)]
    assert rel == ["specs/b.yaml", "specs/sub/a.yml"]
    given = find_spec_files(config, [Path("other"), Path("specs/b.yaml")])
    assert [p.name for p in given] == ["c.yaml", "b.yaml"] or sorted(p.name for p in given) == [
        "b.yaml",
        "c.yaml",
    ]
    with pytest.raises(UsageError, match=r"nope\.yaml: no such file or directory"):
        find_spec_files(config, [Path("nope.yaml")])


def test_config_file_is_never_a_spec(tmp_path: Path) -> None:
    root = _project(tmp_path, {"a.yaml": "id: a\ntemplate: T\n"}, config="specs: ['*.yaml']\n")
    assert [p.name for p in find_spec_files(load_config(root))] == ["a.yaml"]


def test_defaults_merge_under_spec_data(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        {
            "specs/a.yaml": "id: a\ntemplate: T\nname: '{{ vars.client }} {{ vars.company }}'\n"
            "vars: {client: Globex}\ntags: [mine]\n"
        },
        config="defaults: {owner: ops@example.com, tags: [default], vars: {company: Acme}}\n",
    )
    config = load_config(root)
    specs, diagnostics = check_files(config, find_spec_files(config))
    assert diagnostics == []
    assert specs[0].data["owner"] == "ops@example.com"
    assert specs[0].data["tags"] == ["mine"]
    assert specs[0].data["vars"] == {"company": "Acme", "client": "Globex"}
    assert specs[0].pos("vars", "client").line == 4


def test_merge_defaults_is_deep_for_mappings_only() -> None:
    assert merge_defaults({"a": {"x": 1}, "b": [1]}, {"a": {"y": 2}, "b": [2]}) == {
        "a": {"x": 1, "y": 2},
        "b": [2],
    }


def test_env_names_must_be_allowed(tmp_path: Path) -> None:
    spec = {"specs/a.yaml": "id: a\ntemplate: T\nname: '{{ env.GITHUB_SHA }}'\n"}
    assert "env.GITHUB_SHA" in _messages(_project(tmp_path, spec))[0]
    assert _messages(_project(tmp_path, spec, config="env: [GITHUB_SHA]\n")) == []


def test_long_name_without_template_syntax(tmp_path: Path) -> None:
    long = "x" * 551
    root = _project(tmp_path, {"specs/a.yaml": f"id: a\ntemplate: T\nname: {long}\n"})
    assert _messages(root) == [
        "specs/a.yaml:3:7: error: 'name' is too long (551 characters; Tallyfy allows 550) (at name)"
    ]


def test_jinja_error_on_a_later_line_of_a_block_string(tmp_path: Path) -> None:
    text = "id: a\ntemplate: T\nsummary: |\n  line one\n  {{ vars.x \n"
    messages = _messages(_project(tmp_path, {"specs/a.yaml": text}))
    assert len(messages) == 1 and "template syntax error" in messages[0]
    assert messages[0].startswith("specs/a.yaml:")


def test_invalid_specs_are_not_returned(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        {"specs/a.yaml": "id: good\ntemplate: T\n---\nid: bad\ntemplate: T\nstarred: maybe\n"},
    )
    config = load_config(root)
    specs, diagnostics = check_files(config, find_spec_files(config))
    assert [s.id for s in specs] == ["good"] and len(diagnostics) == 1


def test_parent_did_you_mean_never_names_the_spec_itself(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        {
            "specs/a.yaml": "id: month-end-acme\ntemplate: T\nparent: month-end-acm\n",
            "specs/b.yaml": "id: month-end-acme-kk\ntemplate: T\nparent: month-end-acmee-kk\n",
        },
    )
    messages = _messages(root)
    assert "parent 'month-end-acm' names no spec (did you mean 'month-end-acme-kk'?)" in (
        messages[0]
    )
    assert "parent 'month-end-acmee-kk' names no spec (did you mean 'month-end-acme'?)" in (
        messages[1]
    )
