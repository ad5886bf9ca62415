"""What real clients send and read (docs/tallyfy-api-notes.md), served as they expect it."""

from __future__ import annotations

import pytest

from tests.sandbox.api import Api


def _listed(api: Api, run_id: str, **params: str) -> bool:
    r = api.get("runs", {"per_page": 100, **params})
    assert r.status_code == 200, r.text
    return run_id in {run["id"] for run in r.json()["data"]}


def test_archived_true_includes_archived_runs_with_the_others(api: Api) -> None:
    """SDK and MCP server: `archived=true` includes, `archived=only` alone."""
    live = api.launch_ok(name="stays active")["id"]
    gone = api.launch_ok(name="archived one")["id"]
    assert api.delete(f"runs/{gone}").status_code == 200
    assert _listed(api, live, archived="true") and _listed(api, gone, archived="true")
    assert _listed(api, gone, archived="only") and not _listed(api, live, archived="only")
    assert not _listed(api, gone)  # left out by default


def test_statuses_issue_and_improvement_are_valid_filters(api: Api) -> None:
    for status in ("issue", "improvement"):
        assert api.get("runs", {"status": status}).status_code == 200


def test_permanent_delete_answers_200_with_an_empty_body(api: Api) -> None:
    run = api.launch_ok(name="to delete")["id"]
    api.delete(f"runs/{run}")
    r = api.delete(f"runs/{run}/delete")
    assert r.status_code == 200 and r.content == b""


def test_a_task_with_no_assignee_anywhere_goes_to_the_launcher(api: Api) -> None:
    """Evidence: with no assignee anywhere, `assign_run_starter` (default true) assigns the
    person who launched."""
    from tests.sandbox.api import S_REVIEW

    nobody: dict[str, list[str]] = {"users": [], "guests": [], "groups": []}
    run = api.launch_ok(name="nobody assigned", tasks={S_REVIEW: {"owners": nobody}})
    tasks = api.get(f"runs/{run['id']}/tasks", {"per_page": 100}).json()["data"]
    review = next(t for t in tasks if t["step_id"] == S_REVIEW)
    users = [u if isinstance(u, int) else u.get("id") for u in review["owners"]["users"]]
    assert users == [run["started_by"]]


def test_folders_are_listed_by_type_and_nest(api: Api) -> None:
    """`folder_type=run` lists process folders; `with=children` shows nested ones."""
    runs = api.get("folders", {"with": "children", "folder_type": "run"}).json()["data"]
    assert {f["name"]: f["folder_type"] for f in runs} == {"Clients": "run", "Finance": "run"}
    clients = next(f for f in runs if f["name"] == "Clients")
    assert [c["name"] for c in clients["children"]["data"]] == ["EMEA clients"]
    templates = api.get("folders", {"folder_type": "checklist"}).json()["data"]
    assert [f["name"] for f in templates] == ["Template library"]


@pytest.mark.parametrize("asked", [{}, {"folder_type": "process"}, {"folder_type": ""}])
def test_without_folder_type_only_template_folders_are_listed(
    api: Api, asked: dict[str, str]
) -> None:
    """FolderService::normalizeFolderTypeToClass: every value but `run`, a missing one
    included, means template folders (MCP server, server/tools/folder_management.py)."""
    found = api.get("folders", {"with": "children", **asked}).json()["data"]
    assert [f["name"] for f in found] == ["Template library"]
