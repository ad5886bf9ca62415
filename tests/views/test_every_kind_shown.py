"""Every kind of plan entry is counted and has a section in the pull-request comment, a symbol
and a label in the text plan: a new kind can never be silently left out of review."""

from __future__ import annotations

from runner.plan.vocabulary import LABEL, REASONS, ROWS, SYMBOL, VERBS
from runner.views.markdown import CORE_KINDS, OTHER_KINDS, SECTION_ORDER


def test_every_kind_is_shown_everywhere() -> None:
    kinds = ({*ROWS.values()} | {"drifted"}) - {"unchanged"}
    assert kinds <= set(CORE_KINDS) | set(OTHER_KINDS)
    assert kinds <= set(SECTION_ORDER)
    assert kinds <= set(SYMBOL) and kinds <= set(LABEL)


def test_every_action_and_reason_has_a_row_with_a_symbol_and_a_label() -> None:
    """The vocabulary is closed: no action or reason the planner may say lacks a row."""
    assert {verb for verb, _ in ROWS} == set(VERBS)
    assert {reason for _, reason in ROWS} == set(REASONS)
    assert set(ROWS.values()) | {"drifted"} == set(SYMBOL) == set(LABEL)
