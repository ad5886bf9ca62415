"""Runs: get, update (PUT, with the users/groups trap), archive, reactivate, delete; tasks."""

from __future__ import annotations

from typing import Any

from tests.sandbox.api import (
    GROUP_FINANCE,
    GROUP_SALES,
    HEX32,
    ONBOARDING_STEPS,
    S_KICKOFF,
    Api,
    error_body,
    ids_of,
    list_data,
    pagination,
    parse_time,
    wrapped,
)


def _put(api: Api, run_id: str, body: dict[str, Any]) -> dict[str, Any]:
    r = api.put(f"runs/{run_id}", body)
    assert r.status_code == 200, (r.status_code, r.text)
    data: dict[str, Any] = r.json()["data"]
    assert data["id"] == run_id
    return data


def _listed(api: Api, run_id: str, **params: Any) -> bool:
    r = api.get("runs", {"per_page": 100, **params})
    assert r.status_code == 200
    return run_id in {x["id"] for x in list_data(r.json())}


def test_get_run_with_tasks_wrapped(api: Api) -> None:
    run = api.launch_ok(name="get me")
    got = api.run(run["id"], **{"with": "tasks"})
    assert got["id"] == run["id"] and got["checklist_id"] == run["checklist_id"]
    tasks = wrapped(got["tasks"])
    assert {t["step_id"] for t in tasks} == set(ONBOARDING_STEPS)


def test_update_name_summary_starred(api: Api) -> None:
    run = api.launch_ok(name="before", users=[1002], groups=[GROUP_SALES])
    body = {
        "name": "after",
        "summary": "new summary",
        "starred": True,
        "users": [1002],
        "groups": [GROUP_SALES],
    }
    answered = _put(api, run["id"], body)
    assert answered["name"] == "after"
    got = api.run(run["id"])
    assert got["name"] == "after"
    assert got["summary"] == "new summary"
    assert got["starred"] is True
    assert _listed(api, run["id"], starred="true")
    # both lists resent: members kept
    assert ids_of(got["users"]) == {1002}
    assert ids_of(got["groups"]) == {GROUP_SALES}


def test_put_without_users_and_groups_strips_members(api: Api) -> None:
    """THE TRAP: a PUT that leaves out users/groups empties them."""
    run = api.launch_ok(name="members", users=[1002, 1003], groups=[GROUP_SALES, GROUP_FINANCE])
    got = api.run(run["id"])
    assert ids_of(got["users"]) == {1002, 1003}
    assert ids_of(got["groups"]) == {GROUP_SALES, GROUP_FINANCE}
    _put(api, run["id"], {"name": "renamed only"})
    got = api.run(run["id"])
    assert got["name"] == "renamed only"
    assert ids_of(got.get("users")) == set(), got.get("users")
    assert ids_of(got.get("groups")) == set(), got.get("groups")


def test_put_with_users_only_strips_groups(api: Api) -> None:
    run = api.launch_ok(name="half", users=[1002], groups=[GROUP_SALES])
    _put(api, run["id"], {"summary": "x", "users": [1002]})
    got = api.run(run["id"])
    assert ids_of(got["users"]) == {1002}
    assert ids_of(got.get("groups")) == set()


def test_put_unknown_run_is_404(api: Api) -> None:
    r = api.put(f"runs/{'a' * 32}", {"name": "x"})
    assert r.status_code == 404, r.text
    assert error_body(r)["code"] == "RESOURCE_NOT_FOUND"


def test_archive_reactivate(api: Api) -> None:
    run = api.launch_ok(name="archive me")
    r = api.delete(f"runs/{run['id']}")
    assert r.status_code == 200, (r.status_code, r.text)
    archived = r.json()["data"]
    assert archived["id"] == run["id"]
    assert archived["status"] == "archived"
    parse_time(archived["archived_at"])
    got = api.run(run["id"])  # still readable by id
    assert got["status"] == "archived" and got["archived_at"]
    assert not _listed(api, run["id"])
    assert _listed(api, run["id"], status="archived")

    r = api.put(f"runs/{run['id']}/activate")
    assert r.status_code == 200, (r.status_code, r.text)
    got = api.run(run["id"])
    assert got["status"] == "active"
    assert got["archived_at"] is None
    assert _listed(api, run["id"])
    assert not _listed(api, run["id"], status="archived")


def test_permanent_delete_needs_archived(api: Api) -> None:
    run = api.launch_ok(name="delete me")
    r = api.delete(f"runs/{run['id']}/delete")
    assert 400 <= r.status_code < 500, (r.status_code, r.text)
    assert api.run(run["id"])["status"] == "active"

    assert api.delete(f"runs/{run['id']}").status_code == 200
    r = api.delete(f"runs/{run['id']}/delete")
    assert r.status_code in (200, 204), (r.status_code, r.text)
    r = api.get(f"runs/{run['id']}")
    assert r.status_code == 404, r.text
    assert error_body(r)["code"] == "RESOURCE_NOT_FOUND"
    assert not _listed(api, run["id"], status="archived")


def test_archive_unknown_run_is_404(api: Api) -> None:
    r = api.delete(f"runs/{'b' * 32}")
    assert r.status_code == 404, r.text
    assert error_body(r)["code"] == "RESOURCE_NOT_FOUND"


# ---- tasks of a run ----


def test_tasks_list_paged(api: Api) -> None:
    run = api.launch_ok(name="tasks paged")
    r = api.get(f"runs/{run['id']}/tasks", {"per_page": 2})
    assert r.status_code == 200, r.text
    pag = pagination(r.json())
    assert pag["total"] == 4 and pag["total_pages"] == 2 and pag["count"] == 2
    walked = api.walk(f"runs/{run['id']}/tasks", {"per_page": 2})
    assert len(walked) == 4 and len({t["id"] for t in walked}) == 4
    for task in walked:
        for key in (
            "id",
            "title",
            "run_id",
            "step_id",
            "status",
            "owners",
            "deadline",
            "started_at",
            "completed_at",
            "position",
        ):
            assert key in task, (key, task)
        assert HEX32.match(task["id"]) and task["run_id"] == run["id"]
        assert set(task["owners"]) >= {"users", "guests", "groups"}


def test_tasks_list_as_the_sdk_reads_it(api: Api) -> None:
    run = api.launch_ok(name="tasks sdk")
    r = api.get(
        f"runs/{run['id']}/tasks", {"page": 1, "per_page": 100, "without_pagination": "false"}
    )
    assert r.status_code == 200, r.text
    assert len(list_data(r.json())) == 4


def test_get_one_task(api: Api) -> None:
    run = api.launch_ok(name="one task", tasks={S_KICKOFF: {"owners": {"users": [1004]}}})
    tasks = {t["step_id"]: t for t in api.walk(f"runs/{run['id']}/tasks")}
    task_id = tasks[S_KICKOFF]["id"]
    r = api.get(f"runs/{run['id']}/tasks/{task_id}")
    assert r.status_code == 200, r.text
    task = r.json()["data"]
    assert task["id"] == task_id and task["step_id"] == S_KICKOFF
    assert task["run_id"] == run["id"]
    assert ids_of(task["owners"]["users"]) == {1004}


def test_tasks_of_unknown_run_is_404(api: Api) -> None:
    r = api.get(f"runs/{'c' * 32}/tasks")
    assert r.status_code == 404, r.text
    assert error_body(r)["code"] == "RESOURCE_NOT_FOUND"
