"""The composite action declares every step output `plan` writes (a caller of the action reads
only what action.yml declares), and the outputs count the plan's actions as the JSON does."""

from __future__ import annotations

from pathlib import Path

from runner.plan.vocabulary import VERBS
from runner.views import github
from runner.views.planjson import summary_counts
from runner.views.planview import SUMMARY_KINDS
from tests.support.plans import every_kind_plan
from tests.support.workflows import ACTION, load


def test_the_action_declares_every_output_plan_writes() -> None:
    written = github.outputs(every_kind_plan(), saved_to=Path("plan.json"))
    declared = load(ACTION)["outputs"]
    assert sorted(declared) == sorted(written)
    for name, output in declared.items():
        assert output["value"] == f"${{{{ steps.run.outputs.{name} }}}}", name
        assert output["description"].strip(), f"{name} has no description"


def test_outputs_count_every_action_and_every_row_as_the_json_does() -> None:
    plan = every_kind_plan()
    values = github.outputs(plan, saved_to=None)
    counts = summary_counts(plan)
    assert {verb: int(values[f"actions_{verb}"]) for verb in VERBS} == counts["actions"]
    assert {row: int(values[row]) for row in SUMMARY_KINDS} == counts["rows"]
    assert (values["actions_create"], values["launch"], values["actions_no-op"]) == ("2", "2", "6")
    # No name is written twice: an action named like a row (update, archive...) has its own.
    fixed = {"has_changes", "needs_decision", "offline", "summary", "checksum"}
    assert len(values) == len(fixed) + len(SUMMARY_KINDS) + len(VERBS)
