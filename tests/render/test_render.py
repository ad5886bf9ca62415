"""Rendering specs: names in templates, pinned clock, deadlines, secrets, positions."""

from __future__ import annotations

from datetime import date
from typing import Any

from runner.diagnostics import Position
from runner.render.render import Rendered, render_spec
from runner.specs.source import Document
from runner.specs.spec import Spec
from tests.support.launches import AT, ctx
from tests.support.seed import spec

FULL = """
id: onboarding-globex
template: Client Onboarding
name: "Onboarding - {{ vars.client }} ({{ launch.date }})"
summary: "Kick-off for {{ vars.client }}, key {{ launch.key }}"
owner: "{{ vars.owner }}"
vars: {client: Globex Corp, tier: Enterprise}
prerun:
  Client name: "{{ vars.client }}"
  Start date: 2026-12-01
  Plan tier: "{{ vars.tier }}"
  Modules: [Billing, "{{ vars.tier }} SSO"]
  Key contacts:
    - {Name: "{{ vars.client }} CFO", Role: CFO}
  Notes: "{{ secrets.API_KEY }}"
  Seats: 12
tasks:
  Kick-off call:
    deadline: "{{ launch.at | add_business_days(3) }}"
    owners: {users: [jane@example.com, 1003], groups: ["{{ vars.team }}"], guests: []}
  Training session:
    deadline: 2026-12-10
tags: [onboarding, "{{ vars.tier | lower }}"]
folders: [Clients]
starred: true
"""


def ok(text: str, **kw: Any) -> Rendered:
    rendered, diagnostics = render_spec(spec(text), ctx(**kw))
    assert rendered is not None, diagnostics
    assert not [d for d in diagnostics if d.severity == "error"]
    return rendered


def errors(text: str, **kw: Any) -> list[Any]:
    rendered, diagnostics = render_spec(spec(text), ctx(**kw))
    assert rendered is None
    return [d for d in diagnostics if d.severity == "error"]


def test_every_templated_place_is_rendered() -> None:
    r = ok(FULL)
    assert r.key == "onboarding-globex"
    assert r.name == "Onboarding - Globex Corp (2026-12-04)"
    assert r.summary == "Kick-off for Globex Corp, key onboarding-globex"
    assert r.owner == "ops@example.com"  # from the configuration's default vars
    assert r.kickoff["Client name"] == "Globex Corp"  # the spec's vars win over defaults
    assert r.kickoff["Modules"] == ["Billing", "Enterprise SSO"]
    assert r.kickoff["Key contacts"] == [{"Name": "Globex Corp CFO", "Role": "CFO"}]
    assert r.tasks["Kick-off call"].users == ("jane@example.com", 1003)
    assert r.tasks["Kick-off call"].groups == ("Sales",)
    assert r.tags == ("onboarding", "enterprise")
    assert r.folders == ("Clients",)
    assert r.starred is True
    assert r.launch_at == AT


def test_plain_values_pass_through_untouched() -> None:
    r = ok(FULL)
    assert r.kickoff["Seats"] == 12
    assert r.kickoff["Start date"] == "2026-12-01"
    assert r.tasks["Kick-off call"].users[1] == 1003


def test_launch_date_uses_the_project_time_zone() -> None:
    assert ok(FULL).name.endswith("(2026-12-04)")
    assert ok(FULL, timezone="Asia/Tokyo").name.endswith("(2026-12-05)")


def test_deadlines_are_normalised_to_utc() -> None:
    r = ok(FULL)
    assert r.tasks["Kick-off call"].deadline == "2026-12-09T22:00:00Z"
    assert r.tasks["Training session"].deadline == "2026-12-10T17:00:00Z"  # bare date: 17:00
    ny = ok(FULL, timezone="America/New_York")
    assert ny.tasks["Training session"].deadline == "2026-12-10T22:00:00Z"


def test_deadline_forms() -> None:
    forms = {
        "2026-12-10 09:00:00": "2026-12-10T08:00:00Z",  # naive: project zone (Berlin, UTC+1)
        "2026-12-10T09:00:00+02:00": "2026-12-10T07:00:00Z",
        "2026-12-10T09:00:00Z": "2026-12-10T09:00:00Z",
        "2026-12-10": "2026-12-10T16:00:00Z",
    }
    for written, sent in forms.items():
        text = f"id: a\ntemplate: t\ntasks:\n  Step:\n    deadline: '{written}'\n"
        assert ok(text, timezone="Europe/Berlin").tasks["Step"].deadline == sent, written


def test_a_deadline_that_is_not_a_date_points_at_itself() -> None:
    text = "id: a\ntemplate: t\ntasks:\n  Step:\n    deadline: next week\n"
    (err,) = errors(text)
    assert "deadline 'next week' is not a date or time" in err.message
    assert err.pos == Position("specs/test.yaml", 5, 15)
    assert err.path == "tasks.Step.deadline"


def test_a_deadline_before_the_launch_is_a_warning() -> None:
    text = "id: a\ntemplate: t\ntasks:\n  Step: {deadline: 2020-01-01}\n"
    rendered, diagnostics = render_spec(spec(text), ctx())
    assert rendered is not None
    assert [d.severity for d in diagnostics] == ["warning"]
    assert "before the launch time" in diagnostics[0].message


def test_undefined_name_points_at_the_value() -> None:
    text = 'id: a\ntemplate: t\nprerun:\n  Client name: "{{ vars.clinet }}"\n'
    (err,) = errors(text)
    assert "'vars' has no attribute 'clinet'" in err.message
    assert err.pos == Position("specs/test.yaml", 4, 16)
    assert err.path == "prerun.Client name"


def test_every_problem_is_reported_at_once() -> None:
    text = (
        "id: a\ntemplate: t\nname: '{{ nope }}'\ntags: [ok, '{{ vars.x }}']\n"
        "tasks:\n  S:\n    owners: {users: ['{{ launch.nope }}']}\n"
    )
    errs = errors(text)
    assert [e.path for e in errs] == ["name", "tags[1]", "tasks.S.owners.users[0]"]
    assert errs[1].pos == Position("specs/test.yaml", 4, 12)


def test_sandbox_escape_is_a_diagnostic() -> None:
    text = "id: a\ntemplate: t\nsummary: \"{{ ''.__class__.__mro__ }}\"\n"
    (err,) = errors(text)
    assert err.message.startswith("the template sandbox refused")
    assert err.pos == Position("specs/test.yaml", 3, 10)


def test_name_longer_than_the_api_allows() -> None:
    (err,) = errors("id: a\ntemplate: t\nname: \"{{ 'x' * 551 }}\"\n")
    assert "551 characters once rendered; the API allows 550" in err.message
    assert err.path == "name"


def test_secrets_come_from_the_context_and_are_collected() -> None:
    rendered = ok(FULL)
    assert rendered.secret_values == ("sk-123",)
    assert rendered.kickoff["Notes"] == "sk-123"
    two = ok("id: a\ntemplate: t\n", secrets={"USER": "bob", "PASSWORD": "hunter2", "GONE": None})
    assert two.secret_values == ("bob", "hunter2")


def test_an_unset_secret_is_a_placeholder_and_a_warning() -> None:
    text = "id: a\ntemplate: t\nsummary: '{{ secrets.GONE }}'\n"
    rendered, diagnostics = render_spec(spec(text), ctx(secrets={"GONE": None}))
    assert rendered is not None and rendered.missing_secrets == ("GONE",)
    assert rendered.summary == "(secret GONE is not set)"
    assert [d.severity for d in diagnostics] == ["warning"]


def test_env_git_and_spec_names() -> None:
    text = "id: a\ntemplate: t\nsummary: '{{ env.REGION }} {{ git.sha }} {{ spec.id }}'\n"
    r = ok(text, env={"REGION": "eu"}, git={"sha": "abc123"})
    assert r.summary == "eu abc123 a"
    (err,) = errors("id: a\ntemplate: t\nsummary: '{{ env.HOME }}'\n")
    assert "'env' has no attribute 'HOME'" in err.message


def test_unknown_time_zone() -> None:
    (err,) = errors(FULL, timezone="Mars/Olympus")
    assert "unknown time zone 'Mars/Olympus'" in err.message


def test_rendering_is_deterministic() -> None:
    first, second = ok(FULL), ok(FULL)
    assert first == second
    assert ok(FULL, launch_at=AT.replace(day=5)).name != first.name


def test_specs_built_directly_and_yaml_dates() -> None:
    data = {
        "id": "d",
        "template": "t",
        "prerun": {"Start date": date(2026, 12, 1)},
        "tasks": {"S": {"deadline": date(2026, 12, 12)}},
    }
    doc = Document("x.yaml", 0, data, {("prerun",): Position("x.yaml", 3, 1)})
    rendered, diagnostics = render_spec(Spec("d", data, doc), ctx())
    assert rendered is not None and not diagnostics
    assert rendered.kickoff["Start date"] == date(2026, 12, 1)
    assert rendered.tasks["S"].deadline == "2026-12-12T17:00:00Z"
    assert rendered.name == ""
