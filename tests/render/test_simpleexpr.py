"""Simple templates read without Jinja: what they need is exactly what Jinja's AST says, and
anything not simple is left to Jinja."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runner.render import jinjacheck
from runner.render.simpleexpr import expressions
from runner.render.templating import environment

# Names, attributes, filters and arguments on every edge of the grammar: keywords, private
# attributes, unknown and dotted filters, numbers Jinja reads otherwise, quotes and braces.
NAMES = ["vars", "env", "launch", "each", "spec", "git", "x", "_x", "true", "None", "not",
         "in", "if", "secrets", "_ls_lit", "range", "loop", "é"]  # fmt: skip
ATTRS = [".client", ".USER", "._private", ".__class__", ".at", ".in", ".1", ". x", ".x.y", ""]
FILTERS = ["", "| upper", "|upper", "| add_days(1)", "| add_days(-3)", "| add_days(0)",
           "| add_days(07)", "| add_days(1_0)", "| add_days(0x1)", "| add_days(1.5)",
           "| format_date('%d %b')", '| replace("a", "b")', "| replace('a}', 'b')",
           "| attr('_x')", "| attr(\"__class__\")", "| attr(1)", "| default(none)",
           "| upperr", "| tojson", "| a.b", "| add_days(n=1)", "| add_days(1,)",
           "| truncate(5, 'x')", "| join(', ')", "| d('it''s')", "| replace('\\'', 'q')",
           "| not", "| add_business_days(1) | format_date"]  # fmt: skip
SPACE = ["", " ", "  ", "\t", "\n"]
TAG = st.builds(
    lambda o, s1, n, a, f, s2, c: f"{o}{s1}{n}{a}{s2}{f}{s2}{c}",
    st.sampled_from(["{{", "{{", "{{", "{{-", "{{+", "{%", "{#"]), st.sampled_from(SPACE),
    st.sampled_from(NAMES), st.sampled_from(ATTRS), st.sampled_from(FILTERS),
    st.sampled_from(SPACE), st.sampled_from(["}}", "}}", "}}", "-}}", "}}}", "%}", "#}", "}"]),
)
LITERAL = st.text(alphabet="ab {}%#-'\"\n", max_size=5)
TEMPLATES = st.lists(st.one_of(TAG, LITERAL), min_size=1, max_size=5).map("".join)


# Mostly simple: tags within the grammar, near its edges, between literals without `{`.
WORDS = ["vars", "env", "launch", "each", "range", "dict", "x", "_x", "client", "USER",
         "__class__", "at", "in", "none"]
ARGS = ["0", "1", "-3", "12", "'%d %b'", '"a"', "'_x'", "'it''s'", "''", "' , '"]
SIMPLE_FILTER = st.builds(
    lambda name, args, sp: f"{sp}|{sp}{name}{sp}" + (f"({', '.join(args)})" if args else ""),
    st.sampled_from(["upper", "add_days", "format_date", "attr", "replace", "join", "d", "iso",
                     "upperr", "tojson"]),
    st.one_of(st.none(), st.lists(st.sampled_from(ARGS), max_size=3)),
    st.sampled_from(["", " ", "\t"]),
)  # fmt: skip
SIMPLE_TAG = st.builds(
    lambda path, filters, sp: f"{{{{{sp}{'.'.join(path)}{''.join(filters)}{sp}}}}}",
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=4),
    st.lists(SIMPLE_FILTER, max_size=3),
    st.sampled_from(["", " ", "  "]),
)
SIMPLE_TEXT = st.text(alphabet="ab -:'\"%#}\n", max_size=5)
SIMPLE_TEMPLATES = st.lists(st.one_of(SIMPLE_TAG, SIMPLE_TEXT), min_size=1, max_size=4).map(
    "".join
)


@settings(max_examples=800, deadline=None)
@given(st.one_of(TEMPLATES, SIMPLE_TEMPLATES))
def test_a_simple_template_needs_what_jinja_says_it_needs(text: str) -> None:
    simple = jinjacheck._analyse_simple(text)
    if simple is not None:
        assert simple == jinjacheck._analyse(text)


@pytest.mark.parametrize("text", [
    "{{ vars.client }}", "Onboarding - {{ vars.client }} #17", "{{launch.at|iso}}",
    "{{ launch.at | add_business_days(1) | format_date }}T08:00:00Z",
    "{{ launch.at | add_days(-2) }}", "{{ each.email }}", "{{ env.USER }} and {{ vars.x }}",
    "{{ vars._x }}", "{{ launch | attr('__class__') }}", "{{ spec.id }}", "{{ vars.a.b }}",
    "{{ launch.at | format_date('%d %B %Y') }}", "{{ vars.x | replace('a', \"b\") }}",
])  # fmt: skip
def test_common_templates_are_read_without_jinja(text: str) -> None:
    simple = jinjacheck._analyse_simple(text)
    assert simple is not None
    assert simple == jinjacheck._analyse(text)


@pytest.mark.parametrize("text", [
    "{{ secrets.TOKEN }}", "{{ x | upperr }}", "{{ x | tojson }}", "{% if x %}y{% endif %}",
    "{# c #}{{ x }}", "{{- x }}", "{{ x -}}", "{{ x }}{{", "a {% raw %}", "{{ x\n}}",
    "{{ x | add_days(07) }}", "{{ x | add_days(n=1) }}", "{{ true }}", "{{ x.in }}",
    "{{ x | default(none) }}", "{{ x + 1 }}", "{{ x['a'] }}", "no tag at all", "{{{ x }}",
    "{{ 'lit' }}", "{{ x | a.b }}", "{{ nope }}", "{{ range }}", "{{ dict.x }}",
])  # fmt: skip
def test_anything_else_is_left_to_jinja(text: str) -> None:
    assert expressions(text) is None or jinjacheck._analyse_simple(text) is None


def test_every_simple_filter_is_a_filter_of_the_environment() -> None:
    """A filter named here but missing from Jinja would pass validate and fail at plan; a
    template name that were also a Jinja global would not be undeclared."""
    env = environment()
    assert set(jinjacheck.SIMPLE_FILTERS) <= set(env.filters)
    assert not set(jinjacheck.TEMPLATE_NAMES) & set(env.globals)
