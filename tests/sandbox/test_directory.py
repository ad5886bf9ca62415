"""GET /me and the users, groups, tags and folders lists: envelope and pagination meta."""

from __future__ import annotations

import pytest

from tests.sandbox.api import (
    FOLDER_TEMPLATES,
    FOLDERS,
    GROUPS,
    ME,
    ORG,
    TAGS,
    USERS,
    Api,
    ids,
    list_data,
    pagination,
)
from tests.support.sandbox import SandboxProcess


def test_ready_line_names_default_org_token_and_no_faults(module_sandbox: SandboxProcess) -> None:
    sb = module_sandbox
    assert sb.org == ORG
    assert sb.token == "lsbx-test-token-not-a-secret"
    assert sb.url.startswith("http://127.0.0.1:") and sb.url.endswith("/api")
    assert sb.ready_line.split()[-1] == "faults=none", sb.ready_line


def test_me_is_not_org_scoped(api: Api) -> None:
    r = api.http.get("/me")
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) >= {"data"}
    me = body["data"]
    assert isinstance(me, dict)
    assert me["id"] == ME and isinstance(me["id"], int)
    assert me.get("email") == USERS[ME]


def test_users(api: Api) -> None:
    r = api.get("users")
    assert r.status_code == 200, r.text
    users = list_data(r.json())
    pag = pagination(r.json())
    assert pag["total"] == len(USERS) == pag["count"]
    assert pag["current_page"] == 1 and pag["total_pages"] == 1
    by_id = {u["id"]: u for u in users}
    assert set(by_id) == set(USERS)
    for uid, email in USERS.items():
        assert isinstance(uid, int)
        assert by_id[uid]["email"] == email


@pytest.mark.parametrize(
    ("rel", "params", "expected"),
    [
        ("groups", {}, GROUPS),
        ("tags", {}, TAGS),
        # as Tallyfy's FolderService: a missing folder_type lists template folders only
        ("folders", {}, {FOLDER_TEMPLATES}),
        ("folders", {"folder_type": "checklist"}, {FOLDER_TEMPLATES}),
        ("folders", {"folder_type": "run"}, FOLDERS - {FOLDER_TEMPLATES}),
    ],
)
def test_lists(api: Api, rel: str, params: dict[str, str], expected: set[str]) -> None:
    r = api.get(rel, params)
    assert r.status_code == 200, r.text
    items = list_data(r.json())
    pag = pagination(r.json())
    assert set(ids(items)) == expected
    assert all(isinstance(i, str) for i in ids(items))
    assert pag["total"] == len(expected)
    assert pag["current_page"] == 1 and pag["total_pages"] == 1


def test_list_paging_meta(api: Api) -> None:
    r = api.get("users", {"per_page": 2, "page": 2})
    assert r.status_code == 200, r.text
    pag = pagination(r.json())
    assert pag["total"] == 5
    assert pag["per_page"] == 2
    assert pag["current_page"] == 2
    assert pag["total_pages"] == 3
    assert pag["count"] == 2
    seen = [u["id"] for u in api.walk("users", {"per_page": 2})]
    assert sorted(seen) == sorted(USERS)
