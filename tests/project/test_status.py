"""`launchspec status`: live state of launched keys, archived and deleted runs flagged."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from runner.project.status import format_text, summarise
from runner.resolve.directory import Directory
from runner.state.lockfile import LockEntry
from tests.support.cli import make_project, run_cli
from tests.support.sandbox import SandboxProcess

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def api(sb: SandboxProcess, method: str, path: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {sb.token}", "X-Tallyfy-Client": "APIClient",
               "Accept": "application/json"}
    response = httpx.request(method, f"{sb.url}/organizations/{sb.org}/{path}",
                             headers=headers, timeout=10)
    response.raise_for_status()
    return response


def launched(tmp: Path, sb: SandboxProcess) -> tuple[Path, dict[str, str]]:
    """The example project applied, with month-end-kk's CFO sign-off due in the past."""
    root = make_project(tmp)
    spec = root / "specs" / "month-end-close.yaml"
    text = spec.read_text().replace(
        "  Post accruals:\n", "  CFO sign-off:\n    deadline: 2020-01-06T17:00:00Z\n"
        "  Post accruals:\n")
    spec.write_text(text)
    result = run_cli(root, "apply", "--yes", env=sb.env())
    assert result.code == 0, result.text
    lock = json.loads((root / "launchspec.lock.json").read_text())["launches"]
    return root, {key: entry["run_id"] for key, entry in lock.items()}


def test_status_of_launched_archived_and_deleted_keys(
    tmp_path: Path, sandbox: SandboxProcess
) -> None:
    root, runs = launched(tmp_path, sandbox)
    api(sandbox, "DELETE", f"runs/{runs['onboarding-globex']}")
    api(sandbox, "DELETE", f"runs/{runs['audit-2026-q4-finance']}")
    api(sandbox, "DELETE", f"runs/{runs['audit-2026-q4-finance']}/delete")

    result = run_cli(root, "status", "--format", "json", env=sandbox.env())
    assert result.code == 0, result.text
    by_key = {r["key"]: r for r in json.loads(result.out)["runs"]}
    assert set(by_key) == set(runs)
    inc = by_key["month-end-2026-11-acme-inc"]
    assert inc["status"] == "active" and (inc["done"], inc["total"]) == (0, 4)
    assert inc["next_task"]["title"] == "Reconcile bank accounts"
    assert inc["next_task"]["owners"] == ["mei@example.com"] and not inc["flagged"]
    kk = by_key["month-end-2026-11-acme-kk"]
    assert [t["title"] for t in kk["overdue"]] == ["CFO sign-off"]
    assert kk["overdue"][0]["deadline"] == "2020-01-06T17:00:00Z"
    assert by_key["onboarding-globex"]["status"] == "archived"
    assert by_key["onboarding-globex"]["flagged"]
    assert by_key["audit-2026-q4-finance"]["status"] == "deleted"

    text = run_cli(root, "status", env=sandbox.env())
    assert text.code == 0, text.text
    assert "5 launches, 1 overdue task, 2 flagged" in text.out
    assert f"! onboarding-globex: run {runs['onboarding-globex']} is archived" in text.out
    assert "! audit-2026-q4-finance: run" in text.out and "no longer exists" in text.out
    assert "! month-end-2026-11-acme-kk: task 'CFO sign-off' (ops@example.com) was due " \
           "2020-01-06 17:00 UTC" in text.out


def test_watch_refreshes_and_stops(tmp_path: Path, sandbox: SandboxProcess) -> None:
    root, _ = launched(tmp_path, sandbox)
    started = time.monotonic()
    result = run_cli(root, "status", "--watch", "2", "--count", "2", env=sandbox.env())
    assert result.code == 0, result.text
    assert result.out.count("launchspec status: 5 launches") == 2
    assert time.monotonic() - started >= 2
    too_fast = run_cli(root, "status", "--watch", "0.1", env=sandbox.env())
    assert too_fast.code == 2


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_ctrl_c_stops_watching_cleanly(
    tmp_path: Path, sandbox: SandboxProcess, sig: signal.Signals
) -> None:
    root, _ = launched(tmp_path, sandbox)
    env = {**os.environ, **sandbox.env()}
    proc = subprocess.Popen([sys.executable, "-m", "runner", "-C", str(root), "status", "--watch",
                             "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()  # the first refresh is out: now in the wait or a read
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
        proc.communicate()
    assert proc.returncode == 0, err
    assert err == "stopped watching\n" and first.startswith("launchspec status: 5 launches")


def test_status_without_launches_or_token(tmp_path: Path, sandbox: SandboxProcess) -> None:
    root = make_project(tmp_path)
    empty = run_cli(root, "status", env=sandbox.env())
    assert empty.code == 0 and "No launches are recorded" in empty.out
    offline = run_cli(root, "status")
    assert offline.code == 2 and "TALLYFY_TOKEN" in offline.err


def test_summarise_counts_done_tasks_and_picks_the_next_open_one() -> None:
    entry = LockEntry(run_id="r1", template_id="t", launched_at="2026-12-01T09:00:00Z",
                      name="Close", digest="d")
    tasks = [
        {"id": "c", "title": "Third", "position": 3, "status": "not-started",
         "deadline": "2026-12-10 17:00:00", "owners": {"groups": ["g1"]}},
        {"id": "a", "title": "First", "position": 1, "status": "completed",
         "deadline": "2026-12-01T17:00:00Z"},
        {"id": "b", "title": "Second", "position": 2, "status": "in-progress",
         "deadline": "2026-12-02T17:00:00+00:00", "owners": {"users": [7], "guests": ["x@y.z"]}},
    ]
    directory = Directory(users=[{"id": 7, "email": "a@b.c"}], groups=[{"id": "g1", "name": "G"}])
    s = summarise("k", entry, {"status": "active", "name": "Close"}, tasks, directory, NOW)
    assert (s.done, s.total) == (1, 3)
    assert s.next_task is not None and s.next_task.title == "Second"
    assert s.next_task.owners == ("a@b.c", "x@y.z (guest)") and s.next_task.overdue
    assert [t.title for t in s.overdue] == ["Second"]
    assert not s.flagged
    gone = summarise("k", entry, None, [], directory, NOW)
    assert gone.status == "deleted" and gone.flagged
    text = format_text([s, gone], NOW)
    assert "! k: run r1 no longer exists" in text and "2026-12-02 17:00 UTC OVERDUE" in text
