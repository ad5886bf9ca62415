"""Resolution against a template and the directory: ids, value shapes, every refusal."""

from __future__ import annotations

import hashlib
import json

import pytest

from runner.diagnostics import Position
from runner.render.render import RenderContext, render_spec
from runner.resolve.resolve import UPDATABLE_FIELDS, resolve
from tests.support import seed
from tests.support.launches import (
    AT,
    FIELD,
    KICKOFF_STEP,
    ONBOARDING,
    launch,
    one,
    refused,
    run,
    spec_text,
)

# --- matching -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key", ["Billing email", "billing EMAIL", "billing_email", "6754f75615a8b64a8bfd4a2a3c43f5b1"]
)
def test_kickoff_keys_by_label_any_case_alias_or_id(key: str) -> None:
    body = launch(prerun=f"  {key}: a@b.io\n").body
    assert body["prerun"][FIELD["Billing email"]] == "a@b.io"


def test_prerun_accepts_bare_or_wrapped_lists() -> None:
    assert launch(wrap_prerun=True).body == launch().body


def test_unknown_kickoff_key_lists_known_labels_and_suggests() -> None:
    p = one(prerun="  Clinet name: x\n")
    assert "unknown kick-off field 'Clinet name' (the API would silently drop it)" in p.message
    assert "known: Client name, Start date, Plan tier" in p.message
    assert p.hint == "did you mean 'Client name'?"
    assert p.pos == Position("specs/test.yaml", 7, 16)  # the value: what the API would drop
    assert p.path == "prerun.Clinet name"


def test_a_field_given_twice() -> None:
    p = one(prerun="  client_name: again\n")
    assert "kick-off field 'Client name' is given twice" in p.message


def test_ambiguous_case_insensitive_label() -> None:
    template = seed.template(ONBOARDING)
    template["prerun"].append({**template["prerun"][3], "id": "f" * 32, "label": "BILLING EMAIL"})
    rendered, _ = render_spec(
        seed.spec(spec_text(prerun="  billing email: a@b.io\n")), RenderContext(launch_at=AT)
    )
    assert rendered is not None
    request, problems = resolve(rendered, template, seed.directory())
    assert request is None and "is ambiguous" in problems[0].message


def test_missing_required_fields() -> None:
    request, problems = run("id: k\ntemplate: x\nprerun:\n  Client name: Globex\n")
    assert request is None
    assert [p.message for p in problems] == [
        "missing required kick-off field 'Start date' (the API would refuse the launch: 422)",
        "missing required kick-off field 'Plan tier' (the API would refuse the launch: 422)",
    ]
    assert problems[0].pos == Position("specs/test.yaml", 4, 3)
    request, problems = run("id: k\ntemplate: x\n")
    assert len(problems) == 3 and problems[0].pos == Position("specs/test.yaml", 1, 1)


# --- steps and owners ---------------------------------------------------------------------


def test_tasks_by_title_alias_or_id() -> None:
    for key in ("Kick-off call", "kick-off CALL", "kickoff_call", KICKOFF_STEP):
        extra = (
            f"tasks:\n  {key}:\n    deadline: 2026-12-10\n"
            "    owners: {users: [jane@example.com]}\n"
        )
        tasks = launch(extra).body["tasks"]
        assert tasks == {
            KICKOFF_STEP: {
                "deadline": "2026-12-10T17:00:00Z",
                "owners": {"users": [1002], "guests": [], "groups": []},
            }
        }


def test_a_task_without_owners_keeps_the_step_defaults() -> None:
    tasks = launch("tasks:\n  Training session: {deadline: 2026-12-20}\n").body["tasks"]
    assert tasks == {"109fffa180b8e74f405a8b4b20d41f77": {"deadline": "2026-12-20T17:00:00Z"}}


def test_unknown_step() -> None:
    p = one("tasks:\n  Kickoff cal: {deadline: 2026-12-10}\n")
    assert p.message.startswith("unknown step 'Kickoff cal'; known: Kick-off call, Set up")
    assert p.hint == "did you mean 'Kick-off call'?"
    assert p.pos == Position("specs/test.yaml", 4, 16)


def test_owner_not_in_the_organisation() -> None:
    extra = (
        "tasks:\n  Kick-off call:\n    owners: {users: [jnae@example.com, 4242], groups: [Sails]}\n"
    )
    problems = refused(extra)
    assert [p.message for p in problems] == [
        "user 'jnae@example.com' is not in the organisation (unknown email)",
        "user 4242 is not in the organisation (unknown id)",
        "group 'Sails' is not in the organisation"
        " (unknown id or name; groups: Sales, Finance, Ops)",
    ]
    assert problems[0].hint == "did you mean 'jane@example.com'?"
    assert problems[1].path == "tasks.Kick-off call.owners.users[1]"
    assert problems[1].pos == Position("specs/test.yaml", 5, 40)


def test_groups_by_id_or_name() -> None:
    extra = (
        "tasks:\n  Kick-off call:\n    owners: {groups: [ops, d02a00548061939b8c89e2603285b966]}\n"
    )
    owners = launch(extra).body["tasks"][KICKOFF_STEP]["owners"]
    assert owners["groups"] == [
        "8dfdedfd7df39deb332539f846500ab9",
        "d02a00548061939b8c89e2603285b966",
    ]


def test_guests_on_a_step_that_refuses_them() -> None:
    p = one("tasks:\n  Set up accounts:\n    owners: {guests: [it@globex.example]}\n")
    assert p.message == "step 'Set up accounts' does not allow guests as owners"
    assert p.path == "tasks.Set up accounts.owners.guests"


def test_bad_guest_email() -> None:
    p = one("tasks:\n  Kick-off call:\n    owners: {guests: [globex]}\n")
    assert p.message == "guest 'globex' is not an email address"


def test_more_owners_than_the_step_takes() -> None:
    extra = "tasks:\n  Training session:\n    owners: {users: [1001, 1002], groups: [Sales]}\n"
    p = one(extra)
    assert p.message.startswith("step 'Training session' takes at most 2 owners; 3 given")


def test_run_owner_tags_folders_users_groups() -> None:
    extra = (
        "owner: ops@example.com\ntags: [onboarding, PRIORITY]\nfolders: [Clients]\n"
        "users: [mei@example.com]\ngroups: [Finance]\nstarred: true\nis_public: false\n"
    )
    body = launch(extra).body
    assert body["owner_id"] == 1001
    assert body["tags"] == ["e7cfab272b1b772d96c89ed26a66bc39", "625c8db1934d35264c0d10be0d3e2164"]
    assert body["folders"] == ["101ec8e914ec2dba5fd8e77c5d61aa0c"]
    assert body["users"] == [1004]
    assert body["groups"] == ["d02a00548061939b8c89e2603285b966"]
    assert (body["starred"], body["is_public"]) == (True, False)


def test_unknown_run_owner_tag_folder() -> None:
    problems = refused("owner: boss@example.com\ntags: [onbording]\nfolders: [Archive]\n")
    messages = [p.message for p in problems]
    assert (
        messages[0]
        == "run owner: user 'boss@example.com' is not in the organisation (unknown email)"
    )
    assert messages[1].startswith("tag 'onbording' does not exist (known: onboarding, finance")
    assert problems[1].hint == "did you mean 'onboarding'?"
    assert messages[2] == "folder 'Archive' does not exist (known: Clients, Finance, EMEA clients)"
    assert [p.pos.line for p in problems if p.pos] == [3, 4, 5]


ROLE_MANAGER = "0f3b8e1c2d4a4b6c8e0f1a2b3c4d5e6f"  # the role of Client Onboarding's first step


def test_roles_resolve_people() -> None:
    body = launch(f"roles:\n  {ROLE_MANAGER}: {{users: [raj@example.com], guests: [x@y.io]}}\n")
    assert body.body["roles"] == {
        ROLE_MANAGER: {"users": [1003], "guests": ["x@y.io"], "groups": []}
    }


def test_a_role_no_step_is_assigned_to_is_located_with_a_suggestion() -> None:
    """Tallyfy refuses a key that is no organisation role (`org_roles:array_keys`) and a role
    no step uses assigns nothing: either way the key is wrong for this template."""
    typo = ROLE_MANAGER[:-1] + "0"
    (p,) = refused(f"roles:\n  {typo}: {{users: [raj@example.com]}}\n")
    assert p.message == (
        f"role {typo!r} is not a role any step of 'Client Onboarding' is assigned to "
        f"(roles: {ROLE_MANAGER})"
    )
    assert p.hint == f"did you mean {ROLE_MANAGER!r}?"
    assert p.pos == Position("specs/test.yaml", 4, 37)


def test_a_role_by_its_title_when_the_steps_name_their_roles() -> None:
    template = seed.template("Client Onboarding")
    steps = template["steps"]["data"]
    steps[0]["roles"] = [{"id": ROLE_MANAGER, "title": "Account manager"}]
    body = launch("roles:\n  account manager: {users: [raj@example.com]}\n", steps={"data": steps})
    assert list(body.body["roles"]) == [ROLE_MANAGER]


def test_roles_are_not_checked_when_the_steps_do_not_list_them() -> None:
    """Nothing read names the organisation's roles then: Tallyfy alone can check the key."""
    steps = seed.template("Client Onboarding")["steps"]["data"]
    for step in steps:
        step.pop("roles", None)
    body = launch("roles:\n  whatever: {users: [raj@example.com]}\n", steps={"data": steps})
    assert list(body.body["roles"]) == ["whatever"]


def test_draft_template_is_refused() -> None:
    text = "id: k\ntemplate: Vendor Onboarding (draft)\nprerun:\n  Vendor name: Initech\n"
    request, problems = run(text, title="Vendor Onboarding (draft)")
    assert request is None
    (p,) = problems
    assert p.message == (
        "template has dual versioning on and is not in a published state; launching it "
        "would be refused (403)"
    )
    assert p.pos == Position("specs/test.yaml", 2, 11)


# --- the request --------------------------------------------------------------------------


FULL = (
    "name: 'Onboarding {{ vars.client }}'\nsummary: 'Key sk-9'\nowner: 1001\n"
    "vars: {client: Globex}\ntags: [onboarding]\n"
    "tasks:\n  Kick-off call: {deadline: 2026-12-10, owners: {users: [jane@example.com]}}\n"
)


def test_body_shape_and_omissions() -> None:
    request = launch(FULL, "  Notes: '{{ secrets.KEY }}'\n", secrets={"KEY": "sk-9"})
    body = request.body
    assert list(body) == ["checklist_id", "name", "summary", "owner_id", "prerun", "tasks", "tags"]
    assert body["checklist_id"] == "efd12534ded06f20e21b33e8dacf1f15"
    assert "parent_id" not in body and "folders" not in body and "starred" not in body
    assert request.template_id == body["checklist_id"]
    assert request.template_title == ONBOARDING
    assert request.secret_values == ("sk-9",)


def test_digest_covers_what_is_fixed_at_launch() -> None:
    request = launch(FULL)
    fixed = {k: v for k, v in request.body.items() if k not in UPDATABLE_FIELDS}
    text = json.dumps(fixed, sort_keys=True, separators=(",", ":"))
    assert request.digest == hashlib.sha256(text.encode()).hexdigest()
    assert request.updatable == {
        "name": "Onboarding Globex",
        "summary": "Key sk-9",
        "owner_id": 1001,
    }
    renamed = launch(FULL.replace("Onboarding {{", "Welcome {{"))
    assert renamed.digest == request.digest and renamed.updatable != request.updatable
    changed = launch(FULL, "  Region: EMEA\n")
    assert changed.digest != request.digest


def test_display_is_human_and_hides_secrets() -> None:
    request = launch(FULL, "  Notes: '{{ secrets.KEY }}'\n", secrets={"KEY": "sk-9"})
    d = request.display
    assert d["template"] == ONBOARDING
    assert d["owner"] == "ops@example.com"
    assert d["summary"] == "Key (secret)"
    assert d["prerun"]["Start date"] == "2026-12-01"
    assert d["prerun"]["Plan tier"] == "Growth"
    assert d["prerun"]["Notes"] == "(secret)"
    assert d["tasks"] == {
        "Kick-off call": {"deadline": "2026-12-10T17:00:00Z", "owners": ["jane@example.com"]}
    }
    assert d["tags"] == ["onboarding"]
    json.dumps(d)  # plans print it as JSON


def test_resolution_is_deterministic() -> None:
    first, second = launch(FULL), launch(FULL)
    assert first == second
    assert json.dumps(first.body, sort_keys=True) == json.dumps(second.body, sort_keys=True)


def test_every_template_in_the_seed_resolves() -> None:
    texts = {
        "Month-end Close": "prerun: {Period: 2026-11, Entity: Acme GmbH, Reporting currency: EUR}",
        "Internal Audit": "prerun: {Scope: IT, Audit area: HR, Lead auditor: [mei@example.com]}",
    }
    for title, prerun in texts.items():
        request, problems = run(f"id: k\ntemplate: {title}\n{prerun}", title=title)
        assert request is not None, problems


def test_a_group_counts_as_its_members_against_the_cap() -> None:
    # Sales has two members; the 30-day review takes one owner (evidence: the cap counts
    # members and guests, a group as its members).
    extra = "tasks:\n  30-day review:\n    owners: {groups: [Sales]}\n"
    p = one(extra)
    assert "takes at most 1 owner; 2 given" in p.message


def test_max_assignable_zero_means_unlimited() -> None:
    from runner.resolve.people import over_cap

    assert not over_cap(0, 25)
    assert not over_cap(None, 25)
    assert over_cap(2, 3) and not over_cap(2, 2)


def test_a_launch_always_sends_a_name() -> None:
    """Sources conflict on whether `name` is required: send the documented default."""
    body = launch().body  # the spec has no name
    assert body["name"] == f"{ONBOARDING} - 2026-12-04"


def test_a_template_folder_is_refused_and_nested_run_folders_are_found() -> None:
    """Only `folder_type: run` folders hold processes; folders nest (`with=children`)."""
    p = one("folders: [Template library]\n")
    assert "holds templates" in p.message and p.path == "folders[0]"
    assert launch("folders: [EMEA clients]\n").body["folders"] == [
        "3c1f6a0e9b2d4c7e8f1a2b3c4d5e6f70"]


@pytest.mark.parametrize("empty", ['""', "'  '", "[]"])
def test_a_required_field_given_empty_is_missing_at_its_line(empty: str) -> None:
    text = ("id: k\ntemplate: Client Onboarding\nprerun:\n  Client name: Globex\n"
            f"  Start date: 2026-12-01\n  Plan tier: {empty}\n")
    request, problems = run(text)
    assert request is None
    (p,) = problems
    assert p.message.startswith("required kick-off field 'Plan tier' is empty")
    assert p.pos is not None and p.pos.line == 6


def test_a_name_under_users_suggests_the_group_never_an_email() -> None:
    from runner.resolve.directory import Directory
    from runner.resolve.people import resolve_people

    directory = Directory(
        users=[{"id": 1, "email": "sals@example.com"}], groups=[{"id": "g1", "name": "Sales"}]
    )
    typo = resolve_people(directory, users=["Sals"]).problems[0]
    assert typo.hint == "did you mean the group 'Sales'? list it under groups ({groups: [Sales]})"
    exact = resolve_people(directory, users=["Sales"]).problems[0]
    assert exact.hint == "'Sales' is a group: list it under groups ({groups: [Sales]})"
    email = resolve_people(directory, users=["sal@example.com"]).problems[0]
    assert email.hint == "did you mean 'sals@example.com'?"
