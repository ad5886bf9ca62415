"""doctor's checks of what the client assumes of Tallyfy (issue 24), through the client: against
the sandbox over real HTTP, and against a stand-in where the sandbox cannot serve the case."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from runner.client.client import TallyfyClient
from runner.project.doctor import probe
from runner.views.doctorview import Finding
from tests.support.client import Harness
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
