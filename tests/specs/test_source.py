"""The loader: positions, scalars, and every hostile input refused with a diagnostic."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from runner.diagnostics import Position
from runner.specs import source
from runner.specs.source import load_file
from runner.specs.source import load_text as _load_text


def load_text(text: str, name: str) -> tuple[list[source.Document], list[str]]:
    docs, diagnostics = _load_text(text, name)
    return docs, [str(d) for d in diagnostics]


def _load(tmp_path: Path, content: str | bytes) -> tuple[list[source.Document], list[str]]:
    path = tmp_path / "spec.yaml"
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    docs, diagnostics = load_file(path, "spec.yaml")
    return docs, [str(d) for d in diagnostics]


def test_positions_of_values_and_keys() -> None:
    docs, problems = load_text("id: a\ntasks:\n  Kick-off:\n    owners: {users: [1, 2]}\n", "f")
    assert problems == []
    doc = docs[0]
    assert doc.pos(("id",)) == Position("f", 1, 5)
    assert doc.key_pos(("tasks", "Kick-off")) == Position("f", 3, 3)
    assert doc.pos(("tasks", "Kick-off", "owners", "users", 1)) == Position("f", 4, 25)
    assert doc.pos(("tasks", "nope", "deeper")) == Position("f", 3, 3)  # nearest ancestor


def test_several_documents_keep_their_own_lines() -> None:
    docs, _ = load_text("id: a\n---\nid: b\n---\n# comment\nid: c\n", "f")
    assert [(d.index, d.data["id"], d.pos(("id",)).line) for d in docs] == [
        (0, "a", 1),
        (1, "b", 3),
        (2, "c", 6),
    ]


def test_scalars_follow_json_not_yaml_1_1() -> None:
    text = (
        "d: 2026-12-01\nt: 2026-12-01T17:00:00Z\ny: yes\nb: true\nh: 10:30\ni: 0x1f\nf: 1.5\nn: ~\n"
    )
    docs, _ = load_text(text, "f")
    assert docs[0].data == {
        "d": "2026-12-01",
        "t": "2026-12-01T17:00:00Z",
        "y": "yes",
        "b": True,
        "h": "10:30",
        "i": 31,
        "f": 1.5,
        "n": None,
    }


def test_merge_keys_and_explicit_keys_win() -> None:
    docs, problems = load_text("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n", "f")
    assert problems == [] and docs[0].data["m"] == {"x": 1, "y": 3}


def test_duplicate_key_is_an_error_at_the_second_key() -> None:
    _, problems = load_text("a: 1\nb:\n  c: 1\n  c: 2\n", "f")
    assert problems == ["f:4:3: error: duplicate key 'c' (first at line 3)"]


def test_unsupported_tag_is_refused() -> None:
    _, problems = load_text("a: !!python/object:os.system x\n", "f")
    assert problems and "unsupported YAML tag" in problems[0]


def test_truly_empty_file(tmp_path: Path) -> None:
    assert _load(tmp_path, "")[1] == ["spec.yaml:1:1: error: file is empty"]


def test_huge_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as f:
        f.write(b"id: huge\nnotes: |\n")
        line = b"  " + b"x" * 78 + b"\n"
        f.write(line * (20 * 1024 * 1024 // len(line)))
    start = time.perf_counter()
    docs, problems = load_file(path, "huge.yaml")
    assert time.perf_counter() - start < 0.5
    assert docs == []
    assert problems[0].pos == Position("huge.yaml", 1, 1)
    assert "file is too large to load (20.0 MiB; the limit is 1.0 MiB)" in problems[0].message


def test_billion_laughs_is_refused_quickly(tmp_path: Path) -> None:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 10):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    start = time.perf_counter()
    docs, problems = _load(tmp_path, "\n".join(lines) + "\n")
    assert time.perf_counter() - start < 1
    assert docs == []
    assert len(problems) == 1 and "aliases expand to more than 10000 nodes" in problems[0]


def test_recursive_alias_is_refused() -> None:
    docs, problems = load_text("a: &x [1, *x]\n", "f")
    assert docs == [] and len(problems) == 1
    assert "refers to itself" in problems[0] or "nesting is too deep" in problems[0]


@pytest.mark.parametrize("style", ["flow", "block"])
def test_ten_thousand_levels_of_nesting(tmp_path: Path, style: str) -> None:
    n = 10_000
    text = "a: " + "[" * n + "]" * n + "\n" if style == "flow" else "a:\n" + "- " * n + "x\n"
    docs, problems = _load(tmp_path, text)
    assert docs == [] and len(problems) == 1
    assert "nesting is too deep (more than 64 levels)" in problems[0]


def test_nesting_just_over_our_limit(tmp_path: Path) -> None:
    _, problems = _load(tmp_path, "a: " + "[" * 70 + "]" * 70 + "\n")
    assert problems == ["spec.yaml:1:67: error: nesting is too deep (more than 64 levels)"]


def test_not_utf8_points_at_the_first_bad_byte(tmp_path: Path) -> None:
    _, problems = _load(tmp_path, b"id: a\nname: na\xefve \xff\n")
    assert problems[0].startswith("spec.yaml:2:9: error: file is not valid UTF-8 (byte 0xef")


def test_utf16_is_refused_as_not_utf8(tmp_path: Path) -> None:
    _, problems = _load(tmp_path, "id: a\n".encode("utf-16"))
    assert "not valid UTF-8" in problems[0]


def test_bom_is_accepted(tmp_path: Path) -> None:
    docs, problems = _load(tmp_path, b"\xef\xbb\xbfid: a\n")
    assert problems == [] and docs[0].data == {"id": "a"}


def test_control_character_is_a_syntax_error_with_position() -> None:
    _, problems = load_text("id: a\nname: b\x00c\n", "f")
    assert problems[0].startswith("f:2:8: error:")


def test_tab_in_indentation() -> None:
    _, problems = load_text("a:\n\tb: 1\n", "f")
    assert problems == [
        "f:2:1: error: tab character in indentation (YAML indents with spaces only)"
    ]


def test_syntax_error_has_the_parser_position() -> None:
    _, problems = load_text("id: a\nname: b: c\n", "f")
    assert problems == [
        "f:2:8: error: YAML syntax error: mapping values are not allowed in this context"
    ]


@pytest.mark.parametrize(
    ("text", "at"),
    [
        ('id: a\ntemplate: "Client Onboarding\nname: x\nvars:\n  k: v\n', "f:2:11"),
        ("id: a\ntemplate: 'Client Onboarding\nname: x\n", "f:2:11"),
        ('id: a\nprerun: {a: "b, c: d}\nname: x\n', "f:2:13"),
        ('id: a\nname: "x\n---\nid: b\n', "f:2:7"),
    ],
)
def test_an_unclosed_quote_is_reported_where_it_opens(text: str, at: str) -> None:
    _, problems = load_text(text, "f")
    assert len(problems) == 1
    assert problems[0].startswith(f"{at}: error: unclosed quote:"), problems
    assert "never closed" in problems[0]


@pytest.mark.parametrize("text", ["- a\n- b\n", "hello\n", "42\n"])
def test_top_level_must_be_a_mapping(text: str) -> None:
    docs, problems = load_text(text, "f")
    assert docs == [] and "a spec must be a mapping" in problems[0]


def test_empty_document_between_others_is_a_warning() -> None:
    docs, problems = load_text("id: a\n---\n---\nid: b\n", "f")
    assert len(docs) == 2 and problems and all("warning" in p for p in problems)


def test_pure_loader_fallback_warns_once_and_survives_deep_nesting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delattr(yaml, "CSafeLoader")
    monkeypatch.setattr(source, "_warned_pure", False)
    docs, problems = load_text("id: a\n", "f")
    assert docs[0].data == {"id": "a"} and "pure-Python loader" in problems[0]
    docs, problems = load_text("a: " + "[" * 5000 + "]" * 5000 + "\n", "f")
    assert docs == [] and problems == ["f:1:1: error: nesting is too deep (more than 64 levels)"]
