"""The text plan: whole values, task owners as the template has them, the launch limit."""

from __future__ import annotations

from runner.plan.plan import Action, Desired
from runner.views.planview import format_text
from tests.support.plans import launch, make, request


def test_text_plan_shows_long_values_whole() -> None:
    long = "Sales (gross, before returns and discounts) for the period, " * 3
    action = launch("k")
    req = request("k", prerun={"Revenue": long})
    plan = make([Action("create", "new", "k", Desired(action.desired.rendered, req))])  # type: ignore[union-attr]
    assert long.strip() in format_text(plan)


def test_deadline_only_task_keeps_the_template_owner_and_says_so() -> None:
    text = format_text(make([launch("k")]))
    assert '"owners": []' not in text
    line = next(ln for ln in text.splitlines() if "Set up accounts" in ln)
    assert "owners as in the template" in line
    kick_off = next(ln for ln in text.splitlines() if "Kick-off call" in ln)
    assert "2026-12-02T17:00:00Z" in kick_off and "jane@x.io" in kick_off


def test_text_plan_warns_over_the_launch_limit_like_the_markdown() -> None:
    plan = make([launch("a"), launch("b"), launch("c")])
    text = format_text(plan, max_launches=2)
    assert "3 launches, over the safety limit of 2" in text
    assert "--max-launches 3" in text
    assert "safety limit" not in format_text(plan, max_launches=3)
