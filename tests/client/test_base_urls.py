"""Both base URLs in use (`https://go.tallyfy.com/api`: documentation, n8n;
`https://api.tallyfy.com`: SDK, CLI, MCP server) are joined with paths the same way."""

from __future__ import annotations

import httpx
import pytest

from runner.client.client import TallyfyClient
from tests.support.client import ONBOARDING, PRERUN
from tests.support.sandbox import SandboxProcess

ORG = "5192e8fadff2a873872ba9aed3f2e334"


@pytest.mark.parametrize(
    ("base", "root"),
    [
        ("https://go.tallyfy.com/api", "https://go.tallyfy.com/api"),
        ("https://go.tallyfy.com/api/", "https://go.tallyfy.com/api"),
        ("https://api.tallyfy.com", "https://api.tallyfy.com"),
        ("https://api.tallyfy.com/", "https://api.tallyfy.com"),
    ],
)
def test_paths_follow_either_base_url(base: str, root: str) -> None:
    """The sandbox cannot be either host, so a transport records the URLs asked for."""
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(200, json={"data": {"id": "x", "title": "t"}})

    with TallyfyClient(base, ORG, "t0k", transport=httpx.MockTransport(answer)) as client:
        client.me()
        client.get_template(ONBOARDING)
    assert asked[0] == f"{root}/me"
    assert asked[1].startswith(f"{root}/organizations/{ORG}/checklists/{ONBOARDING}?with=")


@pytest.mark.parametrize("suffix", ["/api", ""])
def test_a_server_under_api_or_at_its_root_launches_and_reads(
    sandbox: SandboxProcess, suffix: str
) -> None:
    """The sandbox serves every path under `/api` (like go.tallyfy.com/api) and at its root
    (like api.tallyfy.com): a launch and its read-back work from either."""
    base = sandbox.url.removesuffix("/api") + suffix
    with TallyfyClient(base, sandbox.org, sandbox.token, timeout=10) as client:
        run = client.launch_run({"checklist_id": ONBOARDING, "name": "b", "prerun": PRERUN})
        assert client.get_run(run["id"])["name"] == "b"
