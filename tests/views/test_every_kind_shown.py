"""Every kind of plan entry is counted and has a section in the pull-request comment, a symbol
and a label in the text plan: a new kind can never be silently left out of review."""

from __future__ import annotations

from runner.plan.vocabulary import LABEL, ROWS, SYMBOL
from runner.views.markdown import CORE_KINDS, OTHER_KINDS, SECTION_ORDER


def test_every_kind_is_shown_everywhere() -> None:
    kinds = ({*ROWS.values()} | {"drifted"}) - {"unchanged"}
    assert kinds <= set(CORE_KINDS) | set(OTHER_KINDS)
    assert kinds <= set(SECTION_ORDER)
    assert kinds <= set(SYMBOL) and kinds <= set(LABEL)
