"""`import` lists how a run differs from its spec in the words of the spec, not the API's."""

from __future__ import annotations

from runner.project.keys import run_differences
from runner.resolve.request import LaunchRequest


def test_options_are_shown_by_their_text() -> None:
    request = LaunchRequest(
        key="k",
        template_id="t",
        template_title="T",
        digest="",
        updatable={},
        body={
            "name": "Onboarding",
            "prerun": {"f1": {"id": 63, "text": "Sales"}, "f2": [{"id": 1, "text": "SSO"}]},
        },
    )
    run = {
        "name": "Onboarding",
        "prerun": {"f1": {"id": 64, "text": "HR"}, "f2": [{"id": 2, "text": "Billing"}]},
    }
    assert run_differences(run, request, {"f1": "Team", "f2": "Modules"}) == [
        "kick-off Team: 'Sales' in the spec, 'HR' on the run",
        "kick-off Modules: ['SSO'] in the spec, ['Billing'] on the run",
    ]
