"""Template skeletons: rendering and analysing a skeleton gives exactly what the original gives."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jinja2 import TemplateSyntaxError

from runner.render import jinjacheck
from runner.render.skeleton import SLOT, Skeleton, split
from runner.render.templating import TemplateError, environment, render_string

# Tags chosen to sit on every edge of the split: quotes holding delimiters, braces inside tags,
# whitespace control, raw blocks, comments holding tags, unclosed tags.
TAGS = [
    "{{ x }}", "{{x}}", "{{ y + 1 }}", "{{ 'a}b' }}", '{{ "%}" }}', "{{ '{{' }}", "{{ '#}' }}",
    "{{ x | upper }}", "{{- x }}", "{{ x -}}", "{{+ x }}", "{{ {'k': 1}['k'] }}",
    "{{ {1: {2: 3}} }}", "{% if a %}", "{% endif %}", "{% if a -%}", "{%- endif %}",
    "{%+ if a %}", "{% raw %}", "{% endraw %}", "{%raw%}", "{%- raw %}", "{# c #}", "{#- c #}",
    "{# c -#}", "{# {{ x }} #}", "{% for i in [1, 2] %}", "{% endfor %}", "{{ 'it''s' }}",
    """{{ "a'b" }}""", "{% set z = '%}' %}", "{% set z = 'q' %}", "{{ z }}", "{{ i }}", "{{",
    "}}", "{%", "%}", "{#", "#}", "{{ x\n| upper }}", "{{ '\\'' }}", "{{ _ls_lit }}",
    "{{ 'x' ~ '}' }}", "{{ x }}\n", "{% if a %}\n{% endif %}",
]  # fmt: skip
LITERAL = st.text(alphabet="ab \n\t{}%#'\"-+\\\r", max_size=6)
TEMPLATES = st.lists(st.one_of(LITERAL, st.sampled_from(TAGS)), max_size=8).map("".join)
CONTEXT = {"x": "ex", "y": 3, "a": True}
# Jinja's lexer warns about escapes like '\+' in the generated strings; not our concern here.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def outcome(source: str, context: dict[str, Any]) -> tuple[str, object]:
    """What Jinja makes of `source`: its output, or the error kind, line and message."""
    try:
        return "ok", environment().from_string(source).render(context)
    except TemplateSyntaxError as exc:
        return "syntax", exc.lineno
    except Exception as exc:  # undefined names, sandbox refusals: compared by kind and text
        return type(exc).__name__, str(exc)


@pytest.mark.slow
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEMPLATES)
def test_a_string_renders_exactly_as_jinja_renders_it_split_or_not(source: str) -> None:
    """Every example asserts: what `render_string` (skeleton or not) gives is Jinja's own
    result, and a skeleton, when there is one, renders as its original."""
    expected = outcome(source, CONTEXT)
    try:
        got: tuple[str, object] = ("ok", render_string(source, CONTEXT))
    except TemplateError as exc:
        got = (exc.kind, exc.line)
    if expected[0] in ("ok", "syntax"):
        assert got == expected
    else:  # undefined names, sandbox refusals: an error of ours, with its own wording
        assert got[0] != "ok"
    skeleton = split(source)
    if skeleton is not None:
        _renders_alike(source, skeleton)


def _renders_alike(source: str, skeleton: Skeleton) -> None:
    shared = outcome(skeleton.source, {**CONTEXT, SLOT: skeleton.literals})
    original = outcome(source, CONTEXT)
    if shared[0] == "syntax":  # the code then compiles the original for Jinja's own message
        assert original[0] == "syntax"
    else:
        assert shared == original


@settings(max_examples=800, deadline=None)
@given(TEMPLATES)
def test_a_skeleton_is_analysed_exactly_as_its_original(source: str) -> None:
    assert jinjacheck.analyse(source) == jinjacheck._analyse(source)


def test_strings_differing_only_in_literal_text_share_one_skeleton() -> None:
    first = split("Onboarding - {{ vars.client }} #17")
    second = split("Onboarding - {{ vars.client }} #18 (renewal)")
    assert first is not None and second is not None
    assert first.source == second.source
    assert first.literals == ("Onboarding - ", " #17")


def test_literal_text_keeps_its_lines_for_errors() -> None:
    source = "line one\nline two {{ vars.client }}\nline three {{ nope | upper }}"
    skeleton = split(source)
    assert skeleton is not None and skeleton.source.count("\n") == source.count("\n")
    try:
        render_string(source, {"vars": {"client": "Acme"}})
    except Exception as exc:
        assert getattr(exc, "line", None) == 3
    else:
        raise AssertionError("an undefined name must fail")


def test_anything_unusual_falls_back_to_the_original() -> None:
    for source in ("{{ x }}", "a {{- x }}", "x {{ y | f('}}') }}", "{% raw %}{{ a }}{% endraw %}",
                   "a\r\n{{ x }}", "a {{ b", "{{ _ls_lit }} a", "a {{ {1: {2: 3}} }}"):  # fmt: skip
        assert split(source) is None, source


def test_the_slot_name_written_by_a_user_is_still_undefined() -> None:
    assert jinjacheck.analyse("a {{ _ls_lit }}").names == frozenset({SLOT})


# Strings of the shape real specs hold: literal text (newlines, quotes, lone braces and `%`
# included) around plain tags. Every one of them must split, so this property never passes
# by skipping.
PLAIN_TAGS = ["{{ x }}", "{{ y + 1 }}", "{{ x | upper }}", "{{ 'a%b' }}", "{% if a %}",
              "{% endif %}", "{# note #}", "{{ x\n| upper }}", "{% for i in [1, 2] %}{{ i }}"
              "{% endfor %}"]  # fmt: skip
PLAIN_TEXT = st.text(alphabet="ab -\n'\"%#}", min_size=1, max_size=6)
PLAIN = st.lists(st.tuples(PLAIN_TEXT, st.sampled_from(PLAIN_TAGS)), min_size=1, max_size=5).map(
    lambda parts: "".join(text + tag for text, tag in parts)
)


@settings(max_examples=400, deadline=None)
@given(PLAIN)
def test_plain_templates_always_split_and_render_as_their_original(source: str) -> None:
    skeleton = split(source)
    assert skeleton is not None, source
    _renders_alike(source, skeleton)
