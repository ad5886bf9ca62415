"""An apply's cost does not grow with the organisation's history, and exactly once still holds.

The sandbox's admin API makes a template with 10,000 earlier runs in a second (`/_sandbox/
history`); its stats count the run-list pages read per template.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import httpx

from tests.chaos.harness import MONTH_END, write_specs
from tests.support.cli import run_cli
from tests.support.sandbox import SandboxProcess, api_headers

HAND_MADE = {
    "checklist_id": MONTH_END,
    "name": "Hand-made close",
    "prerun": {"de2e7cb6223698268b40e953d3692403": "2026-01",
               "bb45365012ec3bf9d8a3a9105ee7c16a": {"id": 41, "text": "Acme Inc."}},
}


def _admin(sb: SandboxProcess) -> str:
    return sb.url.rsplit("/api", 1)[0] + "/_sandbox"


def _history(sb: SandboxProcess, count: int, launch: Mapping[str, object] = HAND_MADE) -> None:
    r = httpx.post(f"{_admin(sb)}/history", json={"launch": launch, "count": count}, timeout=120)
    assert r.status_code == 200, r.text


def _an_hour_passes(sb: SandboxProcess) -> None:
    r = httpx.post(f"{_admin(sb)}/clock", json={"advance_seconds": 3600}, timeout=10)
    assert r.status_code == 200, r.text


def _pages(sb: SandboxProcess) -> int:
    stats = httpx.get(f"{_admin(sb)}/stats", timeout=10).json()
    return int(stats["run_list_pages"].get(MONTH_END, 0))


def _apply(root: Path, sb: SandboxProcess) -> str:
    result = run_cli(root, "apply", "--yes", "--no-lease", env=sb.env(), timeout=300)
    assert result.code == 0, result.text
    return result.out


def _add_specs(root: Path, prefix: str, count: int) -> None:
    keep = (root / "launchspec.yaml").read_text()
    write_specs(root, count, prefix)
    (root / "launchspec.yaml").write_text(keep)


def test_a_later_apply_reads_only_runs_newer_than_the_last(
    tmp_path: Path, sandbox_factory: object
) -> None:
    sb = sandbox_factory("--admin")  # type: ignore[operator]
    _history(sb, 10_000)
    root = tmp_path / "project"
    write_specs(root, 10, "first")
    before = _pages(sb)
    _apply(root, sb)
    first = _pages(sb) - before
    assert first >= 100  # the lockfile's first apply reads the template's whole history once

    _add_specs(root, "second", 10)
    before = _pages(sb)
    out = _apply(root, sb)
    assert "10 launched" in out, out
    assert _pages(sb) - before <= 3  # one page before launching, one to read the launches back
    scans = json.loads((root / "launchspec.lock.json").read_text())["scans"]
    assert list(scans) == [MONTH_END]


def test_forget_then_plan_adopts_a_run_older_than_the_scan(
    tmp_path: Path, sandbox_factory: object
) -> None:
    sb = sandbox_factory("--admin")  # type: ignore[operator]
    root = tmp_path / "project"
    write_specs(root, 1, "later")
    _apply(root, sb)
    _an_hour_passes(sb)
    _add_specs(root, "after", 1)
    _apply(root, sb)  # its scan starts an hour after the run about to be forgotten
    assert run_cli(root, "forget", "later-000", env=sb.env()).code == 0
    result = run_cli(root, "plan", env=sb.env())
    assert "1 to adopt" in result.out and "later-000  to adopt" in result.out, result.text


def test_a_foreign_marked_run_older_than_the_scan_still_stops_a_launch(
    tmp_path: Path, sandbox_factory: object
) -> None:
    sb = sandbox_factory("--admin")  # type: ignore[operator]
    foreign = dict(HAND_MADE, name="Lost close", summary="launchspec-id: other-lineage/late-000")
    r = httpx.post(f"{sb.url}/organizations/{sb.org}/runs", json=foreign,
                   headers=api_headers(sb), timeout=10)  # fmt: skip
    assert r.status_code in (200, 201), r.text
    root = tmp_path / "project"
    write_specs(root, 1, "early")
    _apply(root, sb)  # reads everything once and keeps the foreign marker in its scan
    _an_hour_passes(sb)
    _add_specs(root, "mid", 1)
    _apply(root, sb)  # reads only the last hour: the foreign run is known from the scan
    _add_specs(root, "late", 1)
    result = run_cli(root, "apply", "--yes", "--no-lease", env=sb.env())
    assert "late-000" in result.text and "carry this key's marker" in result.text, result.text
    assert "launched" not in result.out.split("late-000", 1)[1].splitlines()[0]

    httpx.delete(f"{sb.url}/organizations/{sb.org}/runs/{r.json()['data']['id']}",
                 headers=api_headers(sb), timeout=10).raise_for_status()  # fmt: skip
    out = _apply(root, sb)  # archived: the stale record no longer blocks the key
    assert "1 launched" in out, out
