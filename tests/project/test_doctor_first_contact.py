"""doctor's checks of what the client assumes of Tallyfy (issue 24), through the client: against
the sandbox over real HTTP, and against a stand-in where the sandbox cannot serve the case."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from runner.client.client import TallyfyClient
from runner.client.recording import ReplayTransport
from runner.project.doctor import probe
from runner.project.runprobes import run_findings
from runner.views.doctorview import Finding
from tests.support.cli import make_project, run_cli
from tests.support.client import Harness, start
from tests.support.sandbox import SandboxProcess

ORG = "a" * 32
BASE = "https://go.tallyfy.com/api"


@pytest.fixture
def harness(sandbox: SandboxProcess) -> Iterator[Harness]:
    h = Harness(sandbox)
    yield h
    h.client.close()


def _by_check(findings: list[Finding], check: str) -> Finding:
    (found,) = [f for f in findings if f.check == check]
    return found


def _stand_in(answers: dict[str, Any]) -> TallyfyClient:
    """A client on a server that answers GET paths from `answers` (anything else: 404)."""

    def handle(request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/api")
        for prefix, body in answers.items():
            if path == prefix:
                return httpx.Response(200, json=body)
        return httpx.Response(404, json={"error": True, "message": "API endpoint not found"})

    transport = httpx.MockTransport(handle)
    return TallyfyClient(BASE, ORG, "t", transport=transport, sleep=lambda s: None)


def _listing(*items: dict[str, Any]) -> dict[str, Any]:
    return {"data": list(items), "meta": {"pagination": {"current_page": 1, "total_pages": 1}}}


ORG_READS = {
    "/me": {"data": {"id": 7, "email": "x@example.com"}},
    f"/organizations/{ORG}/users": _listing({"id": 7}),
    f"/organizations/{ORG}/folders": _listing(),
}


# -- 6. membership from GET /me/organizations ------------------------------------------------
def test_membership_is_read_from_me_organizations(harness: Harness) -> None:
    """The CLI's Me type has no organisations; the CLI and SDK read GET /me/organizations."""
    found = _by_check(probe(harness.client, [], lambda: []), "organisation")
    assert found.status == "ok" and "a member" in found.message, found


def test_an_organisation_the_token_is_no_member_of_is_said(harness: Harness) -> None:
    other = _listing({"id": "b" * 32, "name": "Other"})
    with _stand_in({**ORG_READS, "/me/organizations": other}) as client:
        found = _by_check(probe(client, [], lambda: []), "organisation")
    assert found.status == "warn" and "not among" in found.message, found


def test_membership_unknown_is_said_not_skipped() -> None:
    with _stand_in(ORG_READS) as client:  # no /me/organizations: 404
        found = _by_check(probe(client, [], lambda: []), "organisation")
    assert found.status == "warn" and "could not be read" in found.message, found


# -- 7. rate-limit headers: Retry-After is what Tallyfy documents -----------------------------
def test_no_limit_headers_is_what_tallyfy_documents(harness: Harness) -> None:
    """Retry-After is confirmed (documentation, SDK, CLI); X-RateLimit-Remaining appears on one
    page, on 429s only; X-RateLimit-Limit nowhere. Their absence is no warning."""
    found = _by_check(probe(harness.client, [], lambda: [{"x-request-id": "1"}]), "rate limit")
    assert found.status == "ok" and "Retry-After" in found.message, found


def test_limit_headers_are_shown_when_present(harness: Harness) -> None:
    seen = [{"x-ratelimit-remaining": "99"}]
    found = _by_check(probe(harness.client, [], lambda: seen), "rate limit")
    assert found.status == "ok" and "x-ratelimit-remaining: 99" in found.message, found


# -- 9. a step that does not say its owner cap -------------------------------------------------
def test_doctor_says_which_steps_do_not_say_their_cap(harness: Harness) -> None:
    findings = probe(harness.client, ["Month-end Close"], lambda: [])
    (steps,) = [f for f in findings if "max_assignable" in f.message]
    assert "1 step says none" in steps.message and "not checked" in steps.message, steps


# -- what the run listing keeps: order (item 3), name search (5), summaries (4) ----------------
ONBOARDING = "efd12534ded06f20e21b33e8dacf1f15"


def _with_runs(factory: Callable[..., SandboxProcess], *flags: str) -> Harness:
    from tests.support.client import PRERUN

    h = start(factory, *flags)
    body = {"checklist_id": ONBOARDING, "name": "Onboarding", "prerun": PRERUN,
            "summary": "Kick-off\nlaunchspec-id: abc/k"}  # fmt: skip
    h.admin("POST", "history", {"launch": body, "count": 3})
    return h


def _runs(h: Harness) -> dict[str, Finding]:
    findings = probe(h.client, ["Client Onboarding"], lambda: [])
    return {f.check: f for f in findings if f.check.startswith("runs")}


def test_doctor_checks_order_name_search_and_summaries(
    sandbox_factory: Callable[..., SandboxProcess],
) -> None:
    h = _with_runs(sandbox_factory)
    runs = _runs(h)
    assert [f.status for f in runs.values()] == ["ok"] * 3, runs
    assert "newest first" in runs["runs: order"].message
    assert "filtered by name" in runs["runs: name search"].message
    assert "same listed and by id" in runs["runs: summaries"].message
    h.client.close()


@pytest.mark.parametrize(
    ("flag", "check", "said"),
    [
        ("--ignore-sort", "runs: order", "reads every run of the template"),
        ("--ignore-q", "runs: name search", "does not filter by q"),
        ("--html-summaries", "runs: summaries", "stored as HTML"),
    ],
)
def test_doctor_says_what_a_server_does_not_keep(
    sandbox_factory: Callable[..., SandboxProcess], flag: str, check: str, said: str
) -> None:
    h = _with_runs(sandbox_factory, flag)
    found = _runs(h)[check]
    assert said in found.message, found
    assert found.status == ("ok" if flag == "--html-summaries" else "warn"), found
    h.client.close()


def test_without_two_runs_doctor_says_it_could_not_check(harness: Harness) -> None:
    (found,) = _runs(harness).values()
    assert found.status == "ok" and "were not checked" in found.message, found


def test_a_listing_without_summaries_is_said() -> None:
    runs = [{"id": "r1", "created_at": "2026-01-02T00:00:00Z"},
            {"id": "r2", "created_at": "2026-01-01T00:00:00Z"}]  # fmt: skip
    answers = {
        **ORG_READS,
        "/me/organizations": _listing({"id": ORG}),
        f"/organizations/{ORG}/runs": _listing(*runs),
    }
    with _stand_in(answers) as client:
        findings = run_findings(client, [ONBOARDING])
    summaries = next(f for f in findings if f.check == "runs: summaries")
    assert summaries.status == "warn" and "do not carry summaries" in summaries.message


@pytest.mark.parametrize("flags", [(), ("--ignore-sort", "--ignore-q")])
def test_the_run_checks_replay_from_a_recording(
    tmp_path: Path, sandbox_factory: Callable[..., SandboxProcess], flags: tuple[str, ...]
) -> None:
    """doctor --record keeps what the run checks read; replayed, they conclude the same."""
    h = _with_runs(sandbox_factory, *flags)
    root, fixtures = make_project(tmp_path), tmp_path / "fixtures"
    result = run_cli(root, "doctor", "--format", "json", "--record", str(fixtures), env=h.sb.env())
    live = {f["check"]: f["status"] for f in json.loads(result.out)["findings"]}
    meta = json.loads((fixtures / "index.json").read_text())
    transport = ReplayTransport(fixtures, BASE)
    with TallyfyClient(BASE, meta["org_id"], "replay-token", transport=transport) as client:
        replayed = {f.check: f.status for f in probe(client, meta["templates"], lambda: [])}
    checks = {"runs: order", "runs: name search", "runs: summaries"}
    assert {c: live[c] for c in checks} == {c: replayed[c] for c in checks}
    assert (live["runs: order"] == "warn") == bool(flags)
    h.client.close()
