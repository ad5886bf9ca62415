"""Launch (POST runs): the run and its tasks, naming, kick-off value shapes, owners, 4xx bodies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.sandbox.api import (
    AUDIT,
    F_BILLING,
    F_CLIENT,
    F_CONTACTS,
    F_MODULES,
    F_NOTES,
    F_REGION,
    F_START,
    F_TEAM,
    F_TIER,
    FOLDER_FINANCE,
    GROUP_FINANCE,
    GROUP_OPS,
    GROUP_SALES,
    HEX32,
    MONTH_END,
    ONBOARDING,
    ONBOARDING_STEPS,
    S_KICKOFF,
    S_REVIEW,
    S_SETUP,
    S_TRAINING,
    TAG_AUDIT,
    TAG_PRIORITY,
    VALID_PRERUN,
    VENDOR_DRAFT,
    Api,
    error_body,
    errors_422,
    ids_of,
    pagination,
    parse_time,
    wrapped,
)

INVALID_DROPDOWN = "Invalid dropdown choice selected."
COLUMNS_MISMATCH = "Number of columns does not match required columns"


def _prerun(field: str | None = None, value: Any = None) -> dict[str, Any]:
    """The valid Client Onboarding kick-off values, with one field set to `value`."""
    pre = dict(VALID_PRERUN[ONBOARDING])
    if field is not None:
        pre[field] = value
    return pre


def _tasks(api: Api, run_id: str) -> dict[str, dict[str, Any]]:
    run = api.run(run_id, **{"with": "tasks"})
    tasks = wrapped(run["tasks"])
    return {t["step_id"]: t for t in tasks}


def _total_runs(api: Api) -> int:
    return int(pagination(api.get("runs", {"per_page": 1}).json())["total"])


# ---- the happy path ----


def test_launch_answers_201_with_the_run(api: Api) -> None:
    r = api.launch(name="Onboarding - Globex", summary="hello")
    assert r.status_code in (200, 201), (r.status_code, r.text)
    body = r.json()
    assert set(body) >= {"data"} and isinstance(body["data"], dict)
    run = body["data"]
    assert HEX32.match(run["id"]), run["id"]
    assert run["name"] == "Onboarding - Globex"
    assert run["checklist_id"] == ONBOARDING
    assert run.get("status") == "active"
    parse_time(run["created_at"])
    if "progress" in run:
        assert run["progress"] is None or isinstance(run["progress"], dict)
    again = api.run(run["id"])
    assert again["id"] == run["id"] and again["name"] == run["name"]
    assert again.get("summary") == "hello"


def test_launch_is_201(api: Api) -> None:
    # the current spec says 201 (an old one 200): the sandbox produces the stricter one
    assert api.launch(name="status code").status_code == 201


def test_ids_are_unique_and_hex(api: Api) -> None:
    got = {api.launch_ok(name=f"unique {i}")["id"] for i in range(5)}
    assert len(got) == 5 and all(HEX32.match(i) for i in got)


def test_no_duplicate_protection(api: Api) -> None:
    a = api.launch_ok(name="same name twice")
    b = api.launch_ok(name="same name twice")
    assert a["id"] != b["id"]


def test_tasks_created_from_steps_with_default_owners(api: Api) -> None:
    run = api.launch_ok(name="default owners")
    tasks = _tasks(api, run["id"])
    assert set(tasks) == set(ONBOARDING_STEPS)
    for step_id, task in tasks.items():
        assert HEX32.match(task["id"]), task
        assert task["run_id"] == run["id"]
        assert task["step_id"] == step_id
        owners = task["owners"]
        assert set(owners) >= {"users", "guests", "groups"}, owners
    assert ids_of(tasks[S_KICKOFF]["owners"]["users"]) == {1002}
    assert ids_of(tasks[S_SETUP]["owners"]["users"]) == {1003}
    assert ids_of(tasks[S_SETUP]["owners"]["groups"]) == {GROUP_OPS}
    assert ids_of(tasks[S_TRAINING]["owners"]["users"]) == {1002}
    assert ids_of(tasks[S_REVIEW]["owners"]["users"]) == {1001}
    assert tasks[S_KICKOFF]["title"] == "Kick-off call"


def test_default_deadlines_follow_the_steps(api: Api) -> None:
    run = api.launch_ok(name="default deadlines")
    created = parse_time(run["created_at"])
    tasks = _tasks(api, run["id"])
    kickoff = parse_time(tasks[S_KICKOFF]["deadline"])  # 2 days
    training = parse_time(tasks[S_TRAINING]["deadline"])  # 2 weeks
    review = parse_time(tasks[S_REVIEW]["deadline"])  # 30 days
    assert created < kickoff < training < review
    assert review - created >= timedelta(days=29)


def test_task_overrides_owners_and_deadlines(api: Api) -> None:
    run = api.launch_ok(
        name="overrides",
        tasks={
            S_KICKOFF: {"deadline": "2030-01-15T17:00:00Z", "owners": {"users": [1001, 1004]}},
            S_TRAINING: {"deadline": "2030-02-01 09:30:00"},  # the SDK's form
            S_SETUP: {"owners": {"users": [], "guests": [], "groups": [GROUP_SALES]}},
        },
    )
    tasks = _tasks(api, run["id"])
    assert ids_of(tasks[S_KICKOFF]["owners"]["users"]) == {1001, 1004}
    assert parse_time(tasks[S_KICKOFF]["deadline"]) == datetime(2030, 1, 15, 17, tzinfo=UTC)
    training = parse_time(tasks[S_TRAINING]["deadline"])
    assert abs(training - datetime(2030, 2, 1, 9, 30, tzinfo=UTC)) <= timedelta(hours=14)
    assert ids_of(tasks[S_TRAINING]["owners"]["users"]) == {1002}  # no owner override: default
    assert ids_of(tasks[S_SETUP]["owners"]["groups"]) == {GROUP_SALES}
    assert ids_of(tasks[S_SETUP]["owners"]["users"]) == set()


def test_tasks_endpoint_agrees_with_with_tasks(api: Api) -> None:
    run = api.launch_ok(name="tasks endpoint", tasks={S_KICKOFF: {"owners": {"users": [1003]}}})
    listed = {t["step_id"]: t for t in api.walk(f"runs/{run['id']}/tasks")}
    assert set(listed) == set(ONBOARDING_STEPS)
    assert ids_of(listed[S_KICKOFF]["owners"]["users"]) == {1003}
    assert {t["id"] for t in listed.values()} == {t["id"] for t in _tasks(api, run["id"]).values()}


# ---- naming ----


def test_auto_name_when_name_missing(api: Api) -> None:
    run = api.launch_ok()
    prefix = "Client Onboarding - "
    assert run["name"].startswith(prefix), run["name"]
    rest = run["name"][len(prefix) :]
    assert any(ch.isdigit() for ch in rest), run["name"]


def test_name_of_550_chars_accepted(api: Api) -> None:
    run = api.launch_ok(name="n" * 550)
    assert run["name"] == "n" * 550


def test_name_over_550_chars_is_422(api: Api) -> None:
    errors_422(api.launch(name="n" * 551))


# ---- prerun ----


def test_unknown_prerun_key_is_silently_dropped(api: Api) -> None:
    pre = _prerun()
    pre["ffffffffffffffffffffffffffffffff"] = "nobody reads this"
    pre["Client name"] = "a label is not a key"
    r = api.launch(name="unknown key", prerun=pre)
    assert r.status_code in (200, 201), (r.status_code, r.text)
    stored = api.run(r.json()["data"]["id"]).get("prerun")
    if isinstance(stored, dict):  # dropped: not kept as a value either
        assert "ffffffffffffffffffffffffffffffff" not in stored, stored
        assert "Client name" not in stored, stored


def test_prerun_non_empty_list_is_422(api: Api) -> None:
    errors_422(api.launch(name="list prerun", prerun=["Globex Corp", "2026-12-01T00:00:00Z"]))


def test_prerun_empty_list_is_like_leaving_it_out(api: Api) -> None:
    omitted = api.post("runs", {"checklist_id": ONBOARDING, "name": "omitted"})
    empty = api.post("runs", {"checklist_id": ONBOARDING, "name": "empty", "prerun": []})
    # the template has required fields, so both fail the same way: "<label> is required"
    assert sorted(errors_422(omitted)) == sorted(errors_422(empty))
    text = " ".join(errors_422(empty))
    for label in ("Client name", "Start date", "Plan tier"):
        assert label in text, text


def test_missing_required_field_names_its_label(api: Api) -> None:
    pre = _prerun()
    del pre[F_CLIENT]
    messages = errors_422(api.launch(name="missing client", prerun=pre))
    hits = [m for m in messages if "Client name" in m and "required" in m.lower()]
    assert len(hits) == 1, messages
    assert not any("Plan tier" in m for m in messages), messages


def test_each_missing_required_field_gets_an_error(api: Api) -> None:
    messages = errors_422(api.launch(name="missing all", prerun={F_NOTES: "only notes"}))
    for label in ("Client name", "Start date", "Plan tier"):
        assert sum(label in m and "required" in m.lower() for m in messages) == 1, messages


@pytest.mark.parametrize(
    ("key", "value"),
    [
        (F_CLIENT, "Globex"),
        (F_CLIENT, 42),  # text: a scalar
        (F_NOTES, "long\ntext"),
        (F_BILLING, "not-an-email"),  # email: not validated by the server
        (F_START, "2026-12-01T00:00:00Z"),
        (F_START, "2026-12-01T00:00:00.000Z"),
        (F_START, "2026-12-01 09:00:00"),
        (F_REGION, "EMEA"),
        (F_TIER, {"id": 3, "text": "Enterprise"}),
        (F_TIER, {"id": 2, "text": "Growth", "value": None}),
        (F_MODULES, [{"id": 21, "text": "Billing", "selected": True}]),
        (F_MODULES, [{"id": 21, "text": "Billing"}]),  # without selected: saved (shows empty)
        (
            F_MODULES,
            [
                {"id": 22, "text": "Reporting", "value": None, "selected": True},
                {"id": 24, "text": "SSO", "value": None, "selected": True},
            ],
        ),
        # one row as a flat list of cells in column order, as every public client sends it
        (F_CONTACTS, ["Ann", "CFO", "ann@globex.example"]),
        (F_TEAM, {"users": [1002], "guests": ["cfo@globex.example"], "groups": [GROUP_SALES]}),
    ],
)
def test_accepted_value_shapes(api: Api, key: str, value: Any) -> None:
    r = api.launch(name=f"shape {key}", prerun=_prerun(key, value))
    assert r.status_code in (200, 201), (key, value, r.status_code, r.text)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        (F_NOTES, 12345),  # textarea: a number
        (F_START, 1764547200),  # date: an epoch integer
        (F_TIER, {"id": 2}),  # dropdown: both keys needed
        (F_TIER, {"text": "Growth"}),
        (F_CONTACTS, ""),  # a table value "" is refused ("Invalid table field")
        (F_CONTACTS, [{"id": 31, "label": "Name", "value": ["Ann"]}, {"id": 32}, {"id": 33}]),
    ],
)
def test_rejected_value_shapes(api: Api, key: str, value: Any) -> None:
    errors_422(api.launch(name=f"bad {key}", prerun=_prerun(key, value)))


@pytest.mark.parametrize(
    "text", ["growth", "GROWTH", " Growth", "Growth ", "Growth\n", "Platinum", ""]
)
def test_dropdown_text_must_match_exactly(api: Api, text: str) -> None:
    pre = _prerun(F_TIER, {"id": 2, "text": text})
    messages = errors_422(api.launch(name="dropdown", prerun=pre))
    assert INVALID_DROPDOWN in messages, messages


def test_dropdown_unknown_option(api: Api) -> None:
    pre = _prerun(F_TIER, {"id": 99, "text": "Platinum"})
    assert INVALID_DROPDOWN in errors_422(api.launch(name="dropdown", prerun=pre))


@pytest.mark.parametrize("count", [1, 2, 4])
def test_table_wrong_column_count(api: Api, count: int) -> None:
    cols = [f"cell {i}" for i in range(count)]
    messages = errors_422(api.launch(name="table", prerun=_prerun(F_CONTACTS, cols)))
    assert COLUMNS_MISMATCH in messages, messages


# ---- owners ----


@pytest.mark.parametrize(
    "owners",
    [
        {"users": [9999]},
        {"users": [1002, 424242]},
        {"groups": ["ffffffffffffffffffffffffffffffff"]},
    ],
)
def test_unknown_owners_are_422(api: Api, owners: dict[str, Any]) -> None:
    errors_422(api.launch(name="unknown owner", tasks={S_KICKOFF: {"owners": owners}}))


def test_max_assignable_is_enforced(api: Api) -> None:
    four = {"users": [1001, 1002, 1003, 1004]}
    errors_422(api.launch(name="too many", tasks={S_KICKOFF: {"owners": four}}))
    two = {"users": [1001, 1002]}
    errors_422(api.launch(name="too many", tasks={S_REVIEW: {"owners": two}}))
    three = {"users": [1001, 1002, 1003]}
    run = api.launch_ok(name="just enough", tasks={S_KICKOFF: {"owners": three}})
    assert ids_of(_tasks(api, run["id"])[S_KICKOFF]["owners"]["users"]) == {1001, 1002, 1003}


def test_a_group_counts_as_its_members_against_max_assignable(api: Api) -> None:
    """Evidence: the cap counts members and guests together; Sales has two members."""
    errors_422(api.launch(name="group over cap", tasks={S_REVIEW: {"owners": {
        "groups": [GROUP_SALES]}}}))
    api.launch_ok(name="group within cap", tasks={S_TRAINING: {"owners": {
        "groups": [GROUP_SALES]}}})


def test_max_assignable_zero_means_unlimited(api: Api) -> None:
    five = {"users": [1001, 1002, 1003, 1004, 1005]}
    api.launch_ok(name="no cap", tasks={S_SETUP: {"owners": five}})


# ---- templates that cannot be launched, malformed requests ----


def test_draft_template_is_403(api: Api) -> None:
    r = api.post("runs", {"checklist_id": VENDOR_DRAFT, "name": "draft", "prerun": {}})
    assert r.status_code == 403, (r.status_code, r.text)
    listed = api.get("runs", {"checklist_id": VENDOR_DRAFT})
    assert pagination(listed.json())["total"] == 0


def test_unknown_template_is_404(api: Api) -> None:
    r = api.post("runs", {"checklist_id": "0" * 32, "name": "nothing"})
    assert r.status_code == 404, (r.status_code, r.text)
    assert error_body(r)["code"] == "RESOURCE_NOT_FOUND"


def test_missing_checklist_id_is_422(api: Api) -> None:
    errors_422(api.post("runs", {"name": "no template"}))


def test_malformed_json_is_400(api: Api) -> None:
    r = api.http.post(api.path("runs"), content=b"{not json")
    assert r.status_code == 400, (r.status_code, r.text)


def test_rejected_launches_create_nothing(api: Api) -> None:
    before = _total_runs(api)
    api.launch(name="n" * 600)
    api.launch(prerun=_prerun(F_TIER, {"id": 2, "text": "growth"}))
    api.launch(tasks={S_KICKOFF: {"owners": {"users": [9999]}}})
    api.post("runs", {"checklist_id": VENDOR_DRAFT, "name": "draft"})
    assert _total_runs(api) == before


def test_launch_fields_round_trip(api: Api) -> None:
    parent = api.launch_ok(name="parent run")
    run = api.launch_ok(
        AUDIT,
        name="child run",
        summary="with everything",
        owner_id=1005,
        starred=True,
        parent_id=parent["id"],
        tags=[TAG_AUDIT, TAG_PRIORITY],
        folders=[FOLDER_FINANCE],
        users=[1004],
        groups=[GROUP_FINANCE],
    )
    got = api.run(run["id"])
    assert got["checklist_id"] == AUDIT
    assert got["summary"] == "with everything"
    assert got["owner_id"] == 1005
    assert got["starred"] is True
    assert got["parent_id"] == parent["id"]
    assert ids_of(got["users"]) == {1004}
    assert ids_of(got["groups"]) == {GROUP_FINANCE}
    assert ids_of(got["tags"]) >= {TAG_AUDIT, TAG_PRIORITY}
    assert FOLDER_FINANCE in ids_of(got["folders"])


def test_get_run_with_everything_the_issue_lists(api: Api) -> None:
    run = api.launch_ok(name="with all", tags=[TAG_PRIORITY])
    r = api.get(
        f"runs/{run['id']}",
        {
            "with": "checklist,tasks,tags,assets,next_task,form_fields,ko_form_fields,"
            "folders,stages,permissions",
            "form_fields_values": "true",
        },
    )
    assert r.status_code == 200, (r.status_code, r.text)
    got = r.json()["data"]
    assert len(wrapped(got["tasks"])) == 4
    assert TAG_PRIORITY in ids_of(wrapped(got["tags"]))
    assert "checklist" in got


def test_other_templates_launch(api: Api) -> None:
    run = api.launch_ok(MONTH_END, name="close 2026-01")
    assert run["checklist_id"] == MONTH_END
    assert len(wrapped(api.run(run["id"], **{"with": "tasks"})["tasks"])) == 4
