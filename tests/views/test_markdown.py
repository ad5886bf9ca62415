"""The Markdown plan (PR comment): golden files, the size limit, escaping and redaction."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from runner.plan.plan import Action, Desired, Plan
from runner.plan.vocabulary import LABEL
from runner.views.markdown import COMMENT_LIMIT, MARKER, SECTION_ORDER, format_markdown
from tests.support.plans import SECRET, entry, every_kind_plan, launch, make, rendered, small_plan

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def big_plan(n: int = 2000) -> Plan:
    return make([launch(f"launch-{i:04d}", guests=(f"g{i % 7}@guest.example",))
                 for i in range(n)])


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing {path}: run with UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs (UPDATE_GOLDEN=1 to renew)"


def test_small_plan_golden() -> None:
    check_golden("plan-small.md", format_markdown(small_plan()))


def test_every_kind_golden() -> None:
    text = format_markdown(every_kind_plan(), max_launches=1)
    check_golden("plan-every-kind.md", text)
    assert "**3 launches, over the safety limit of 1**" in text
    assert "1 edited after launch" in text and "1 pending reconciliation" in text
    assert "guest@outside.example" in text
    for kind in SECTION_ORDER:
        assert f" · {LABEL[kind]} · " in text, kind
    assert "d-same" not in text  # unchanged entries are not listed


def test_secret_values_are_redacted() -> None:
    text = format_markdown(every_kind_plan())
    assert SECRET not in text
    assert "Onboarding (secret)" in text and "| API key | (secret) |" in text


def test_values_are_escaped_and_mentions_defused() -> None:
    text = format_markdown(every_kind_plan())
    assert "Old \\| name" in text
    assert "New &lt;name&gt; &#64;team" in text and "<name>" not in text


def test_two_thousand_launches_stay_under_the_limit() -> None:
    text = format_markdown(big_plan())
    check_golden("plan-2000.md", text)
    assert len(text) < COMMENT_LIMIT and len(text.encode()) < COMMENT_LIMIT
    assert text.startswith(MARKER)
    assert "sections are not shown** (" in text and "launchspec-plan` artifact" in text
    assert "**2,000 launches, over the safety limit of 25**" in text
    assert "7 guest invitations" in text
    shown = text.count("<details>")
    assert 50 < shown < 2000
    assert f"**{2000 - shown:,} of 2,000 sections are not shown**" in text
    assert "launch-0000" in text and "launch-1999" not in text  # a stable prefix is kept


def test_cut_keeps_decisions_first() -> None:
    plan = make([*big_plan(1500).actions,
                 Action("no-op", "edited", "zz-edited", Desired(rendered("zz-edited")),
                        entry("zz-edited"), why="changed after launch")])
    text = format_markdown(plan)
    assert text.index("zz-edited</b>") < text.index("launch-0000</b>")


def test_deterministic() -> None:
    assert format_markdown(big_plan(300)) == format_markdown(big_plan(300))


def test_offline_tier_says_what_it_skipped() -> None:
    plan = make([launch("x", online=False)], offline=True,
                notes=("no API token: templates, kick-off fields, owners were not checked",))
    text = format_markdown(plan, online=False)
    assert "> [!WARNING]" in text and "Offline plan: no API token." in text
    assert "**Not checked:** templates, kick-off fields" in text
    assert "| Kick-off call | 2026-12-02 17:00 UTC | jane@x.io |" in text  # as written


def test_no_changes() -> None:
    plan = make([Action("no-op", "up-to-date", "d", Desired(rendered("d")), entry("d"))])
    text = format_markdown(plan)
    assert "No changes: every spec is launched and up to date." in text
    assert "<details>" not in text


@pytest.mark.parametrize("budget", [2_000, 10_000])
def test_any_budget_is_respected(budget: int) -> None:
    assert len(format_markdown(big_plan(200), budget=budget)) <= budget


def test_no_changes_is_said_only_when_there_are_none() -> None:
    from runner.views.planview import format_text

    orphan = make([Action("no-op", "no-spec", "f-orphan", entry=entry("f-orphan"), why="gone")])
    text = format_text(orphan)
    assert "No changes" not in text and "1 entry above needs a decision" in text
    assert "No changes" in format_text(make([]))
