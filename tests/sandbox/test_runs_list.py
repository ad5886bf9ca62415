"""Listing runs: filters (q, status, checklist_id, owners, tag, folder, starred), archived, sort."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.sandbox.api import (
    AUDIT,
    FOLDER_FINANCE,
    MONTH_END,
    ONBOARDING,
    TAG_FINANCE,
    TAG_PRIORITY,
    Api,
    list_data,
    pagination,
    parse_time,
)
from tests.support.sandbox import SandboxPool


class Data:
    """Five runs with known properties; R5 is archived."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.r1 = api.launch_ok(
            name="Globex Alpha onboarding", tags=[TAG_PRIORITY], starred=True, users=[1002]
        )["id"]
        self.r2 = api.launch_ok(name="Initech onboarding", starred=False)["id"]
        self.r3 = api.launch_ok(MONTH_END, name="Close January", tags=[TAG_FINANCE])["id"]
        self.r4 = api.launch_ok(
            AUDIT, name="Audit payables", owner_id=1005, folders=[FOLDER_FINANCE]
        )["id"]
        self.r5 = api.launch_ok(name="Umbrella archived onboarding")["id"]
        r = api.delete(f"runs/{self.r5}")
        assert r.status_code == 200, r.text
        self.active = {self.r1, self.r2, self.r3, self.r4}

    def ids(self, **params: Any) -> set[str]:
        r = self.api.get("runs", {"per_page": 100, **params})
        assert r.status_code == 200, (params, r.status_code, r.text)
        items = list_data(r.json())
        got = [i["id"] for i in items]
        assert len(got) == len(set(got)), got
        assert pagination(r.json())["total"] == len(got)
        return set(got)


@pytest.fixture(scope="module")
def data(sandbox_pool: SandboxPool) -> Iterator[Data]:
    sb = sandbox_pool.take()
    try:
        with Api(sb) as api:
            yield Data(api)
    finally:
        sandbox_pool.give_back(sb)


def test_default_list_leaves_archived_out(data: Data) -> None:
    assert data.ids() == data.active


def test_status_active(data: Data) -> None:
    assert data.ids(status="active") == data.active


def test_status_archived(data: Data) -> None:
    assert data.ids(status="archived") == {data.r5}


def test_archived_only(data: Data) -> None:
    assert data.ids(archived="only") == {data.r5}


def test_archived_true_lists_archived(data: Data) -> None:
    assert data.r5 in data.ids(archived="true")


def test_checklist_id(data: Data) -> None:
    assert data.ids(checklist_id=ONBOARDING) == {data.r1, data.r2}
    assert data.ids(checklist_id=MONTH_END) == {data.r3}
    assert data.ids(checklist_id=ONBOARDING, status="archived") == {data.r5}


def test_q_exact_name_with_spaces(data: Data) -> None:
    assert data.ids(q="Globex Alpha onboarding") == {data.r1}
    assert data.ids(q="Close January") == {data.r3}
    assert data.ids(q="no run has this name") == set()


def test_owners(data: Data) -> None:
    # 1005 owns R4 (owner_id) and its first two tasks; no other run involves 1005
    assert data.ids(owners="1005") == {data.r4}


def test_tag(data: Data) -> None:
    assert data.ids(tag=TAG_PRIORITY) == {data.r1}
    assert data.r3 in data.ids(tag=TAG_FINANCE)
    assert not data.ids(tag=TAG_FINANCE) & {data.r1, data.r2}


def test_folder(data: Data) -> None:
    got = data.ids(folder=FOLDER_FINANCE)
    assert data.r4 in got
    assert not got & {data.r1, data.r2, data.r5}


def test_starred(data: Data) -> None:
    assert data.ids(starred="true") == {data.r1}


def test_filters_combine(data: Data) -> None:
    assert data.ids(checklist_id=ONBOARDING, starred="true") == {data.r1}
    assert data.ids(checklist_id=MONTH_END, starred="true") == set()


def _listed(data: Data, sort: str) -> list[dict[str, Any]]:
    r = data.api.get("runs", {"per_page": 100, "sort": sort})
    assert r.status_code == 200, r.text
    return list_data(r.json())


def test_sort_by_name(data: Data) -> None:
    names = [run["name"] for run in _listed(data, "name")]
    assert names == sorted(names) and len(names) == 4


def test_sort_by_created_at(data: Data) -> None:
    asc = _listed(data, "created_at")
    desc = _listed(data, "-created_at")
    times_asc = [parse_time(r["created_at"]) for r in asc]
    times_desc = [parse_time(r["created_at"]) for r in desc]
    assert times_asc == sorted(times_asc)
    assert times_desc == sorted(times_desc, reverse=True)
    assert {r["id"] for r in asc} == {r["id"] for r in desc} == data.active


def test_with_tags_is_wrapped(data: Data) -> None:
    run = data.api.run(data.r1, **{"with": "tags,checklist"})
    tags = run["tags"]
    assert isinstance(tags, dict) and isinstance(tags.get("data"), list), tags
    got = {t["id"] if isinstance(t, dict) else t for t in tags["data"]}
    assert TAG_PRIORITY in got
    assert "checklist" in run
