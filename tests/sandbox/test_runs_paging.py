"""Paging across 250 runs: per_page default 10 and cap 100, every run seen exactly once."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.sandbox.api import Api, list_data, pagination, parse_time
from tests.support.sandbox import SandboxPool, SandboxProcess

N = 250


class Many:
    def __init__(self, sb: SandboxProcess, api: Api, launched: set[str]) -> None:
        self.sb = sb
        self.api = api
        self.launched = launched


def _launch_batch(sb: SandboxProcess, names: list[str]) -> list[str]:
    with Api(sb) as api:
        return [api.launch_ok(name=name)["id"] for name in names]


@pytest.fixture(scope="module")
def many(sandbox_pool: SandboxPool) -> Iterator[Many]:
    sb = sandbox_pool.take()
    try:
        names = [f"paging run {i:03d}" for i in range(N)]
        batches = [names[i::5] for i in range(5)]
        with ThreadPoolExecutor(5) as pool:
            launched = {
                rid for ids in pool.map(lambda b: _launch_batch(sb, b), batches) for rid in ids
            }
        assert len(launched) == N
        with Api(sb) as api:
            yield Many(sb, api, launched)
    finally:
        sandbox_pool.give_back(sb)


def test_default_per_page_is_10(many: Many) -> None:
    r = many.api.get("runs")
    pag = pagination(r.json())
    assert pag["per_page"] == 10 and pag["count"] == 10
    assert pag["total"] == N and pag["total_pages"] == 25 and pag["current_page"] == 1


def test_per_page_100_pages(many: Many) -> None:
    counts = []
    for page in (1, 2, 3):
        pag = pagination(many.api.get("runs", {"per_page": 100, "page": page}).json())
        assert pag["total_pages"] == 3 and pag["current_page"] == page
        counts.append(pag["count"])
    assert counts == [100, 100, 50]


def test_links_point_the_right_way(many: Many) -> None:
    for page in (1, 2, 3):
        links = pagination(many.api.get("runs", {"per_page": 100, "page": page}).json())["links"]
        # `[]` is what a single page gets (as PHP encodes an empty map); three pages each have
        # another, so each must say where it is.
        assert links != [], (page, links)
        assert (links["previous"] is None) == (page == 1), (page, links)
        assert (links["next"] is None) == (page == 3), (page, links)


@pytest.mark.parametrize("asked", [101, 250, 1000])
def test_per_page_is_capped_at_100(many: Many, asked: int) -> None:
    r = many.api.get("runs", {"per_page": asked})
    assert r.status_code == 200, r.text
    pag = pagination(r.json())
    assert len(list_data(r.json())) == 100
    assert pag["per_page"] == 100 and pag["total_pages"] == 3 and pag["total"] == N


@pytest.mark.parametrize("params", [{}, {"per_page": 37}, {"per_page": 100}])
def test_walk_sees_every_run_once(many: Many, params: dict[str, int]) -> None:
    seen = [run["id"] for run in many.api.walk("runs", params)]
    assert len(seen) == N
    assert set(seen) == many.launched


def test_walk_sorted_newest_first(many: Many) -> None:
    runs = many.api.walk("runs", {"per_page": 100, "sort": "-created_at"})
    assert {r["id"] for r in runs} == many.launched and len(runs) == N
    times = [parse_time(r["created_at"]) for r in runs]
    assert times == sorted(times, reverse=True)


def test_walk_sorted_by_name(many: Many) -> None:
    runs = many.api.walk("runs", {"per_page": 100, "sort": "name"})
    names = [r["name"] for r in runs]
    assert names == [f"paging run {i:03d}" for i in range(N)]
