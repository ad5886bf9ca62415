"""Auth, headers, base URLs and the documented 404 bodies (docs/tallyfy-api-notes.md)."""

from __future__ import annotations

import httpx
import pytest

from tests.sandbox.api import ONBOARDING, Api, error_body, headers, wrapped
from tests.support.sandbox import SandboxProcess

MISSING_RUN = "0123456789abcdef0123456789abcdef"


def _get(sb: SandboxProcess, path: str, hdrs: dict[str, str]) -> httpx.Response:
    return httpx.get(sb.url + path, headers=hdrs, timeout=10)


def _assert_401(r: httpx.Response) -> None:
    assert r.status_code == 401, (r.status_code, r.text)
    body = error_body(r)
    # a rejected token must not read as "not found"
    assert body.get("code") not in ("ENDPOINT_NOT_FOUND", "RESOURCE_NOT_FOUND"), body
    assert "not found" not in body["message"].lower(), body


@pytest.mark.parametrize("path", ["/me", "/organizations/{org}/runs", "/organizations/{org}/users"])
def test_no_token_is_401(module_sandbox: SandboxProcess, path: str) -> None:
    sb = module_sandbox
    _assert_401(_get(sb, path.format(org=sb.org), headers(None)))


def test_wrong_token_is_401(module_sandbox: SandboxProcess) -> None:
    sb = module_sandbox
    _assert_401(_get(sb, f"/organizations/{sb.org}/runs", headers(sb.token + "x")))
    _assert_401(_get(sb, "/me", headers("lsbx-something-else")))


def test_malformed_authorization_is_401(module_sandbox: SandboxProcess) -> None:
    sb = module_sandbox
    hdrs = headers(None)
    hdrs["Authorization"] = sb.token  # no "Bearer "
    _assert_401(_get(sb, f"/organizations/{sb.org}/runs", hdrs))


def test_missing_client_header_is_401(module_sandbox: SandboxProcess) -> None:
    sb = module_sandbox
    _assert_401(_get(sb, f"/organizations/{sb.org}/runs", headers(sb.token, client=None)))
    _assert_401(_get(sb, "/me", headers(sb.token, client=None)))


def test_missing_client_header_on_launch_is_401_and_launches_nothing(
    module_sandbox: SandboxProcess, api: Api
) -> None:
    sb = module_sandbox
    before = api.get("runs").json()["meta"]["pagination"]["total"]
    r = httpx.post(
        f"{sb.url}/organizations/{sb.org}/runs",
        headers=headers(sb.token, client=None),
        json={"checklist_id": ONBOARDING, "name": "no client header"},
        timeout=10,
    )
    _assert_401(r)
    assert api.get("runs").json()["meta"]["pagination"]["total"] == before


@pytest.mark.parametrize("client", ["APIClient", "TallyfySDK", "n8n"])
def test_client_header_values_in_use_are_accepted(
    module_sandbox: SandboxProcess, client: str
) -> None:
    sb = module_sandbox
    r = _get(sb, f"/organizations/{sb.org}/runs", headers(sb.token, client=client))
    assert r.status_code == 200, (r.status_code, r.text)
    r = _get(sb, "/me", headers(sb.token, client=client))
    assert r.status_code == 200, (r.status_code, r.text)


def test_both_base_url_forms(module_sandbox: SandboxProcess) -> None:
    sb = module_sandbox
    assert sb.url.endswith("/api"), sb.url
    root = sb.url[: -len("/api")]
    with Api(sb) as docs_form, Api(sb, base=root) as sdk_form:
        a = docs_form.get(f"checklists/{ONBOARDING}")
        b = sdk_form.get(f"checklists/{ONBOARDING}")
        assert a.status_code == b.status_code == 200, (a.text, b.text)
        assert a.json()["data"]["id"] == b.json()["data"]["id"] == ONBOARDING
        assert sdk_form.get("runs").status_code == 200
        me = sdk_form.http.get("/me")
        assert me.status_code == 200, me.text


def test_launch_under_sdk_base_url(module_sandbox: SandboxProcess) -> None:
    root = module_sandbox.url[: -len("/api")]
    with Api(module_sandbox, base=root) as sdk_form, Api(module_sandbox) as docs_form:
        r = sdk_form.launch(name="via sdk base url")
        assert r.status_code in (200, 201), r.text
        run_id = r.json()["data"]["id"]
        assert docs_form.run(run_id)["name"] == "via sdk base url"


def test_request_id_on_responses(module_sandbox: SandboxProcess, api: Api) -> None:
    ok = api.get("runs")
    missing = api.get(f"runs/{MISSING_RUN}")
    unauth = _get(module_sandbox, "/me", headers(None))
    for r in (ok, missing, unauth):
        assert r.headers.get("X-Request-Id"), (r.status_code, dict(r.headers))
    assert ok.headers["X-Request-Id"] != missing.headers["X-Request-Id"]


@pytest.mark.parametrize(
    "path",
    ["/organizations/{org}/nonsense", "/organizations/{org}/runs/x/y/z/w", "/nothing-here"],
)
def test_unknown_path_is_endpoint_not_found(module_sandbox: SandboxProcess, path: str) -> None:
    sb = module_sandbox
    r = _get(sb, path.format(org=sb.org), headers(sb.token))
    assert r.status_code == 404, (r.status_code, r.text)
    body = error_body(r)
    assert body["message"] == "API endpoint not found"
    assert body["code"] == "ENDPOINT_NOT_FOUND"


def test_unknown_run_is_resource_not_found(api: Api) -> None:
    r = api.get(f"runs/{MISSING_RUN}")
    assert r.status_code == 404, (r.status_code, r.text)
    body = error_body(r)
    assert body["message"] == "Resource not found"
    assert body["code"] == "RESOURCE_NOT_FOUND"


def test_unknown_template_is_resource_not_found(api: Api) -> None:
    r = api.get(f"checklists/{MISSING_RUN}")
    assert r.status_code == 404, (r.status_code, r.text)
    body = error_body(r)
    assert body["message"] == "Resource not found"
    assert body["code"] == "RESOURCE_NOT_FOUND"


def test_unknown_task_is_resource_not_found(api: Api) -> None:
    run = api.launch_ok(name="task 404")
    r = api.get(f"runs/{run['id']}/tasks/{MISSING_RUN}")
    assert r.status_code == 404, (r.status_code, r.text)
    assert error_body(r)["code"] == "RESOURCE_NOT_FOUND"


def test_content_type_json_on_bodyless_get_is_accepted(module_sandbox: SandboxProcess) -> None:
    sb = module_sandbox
    hdrs = headers(sb.token, content_type=True)
    assert hdrs["Content-Type"] == "application/json"
    r = _get(sb, f"/organizations/{sb.org}/checklists/{ONBOARDING}", hdrs)
    assert r.status_code == 200, r.text
    r = _get(sb, f"/organizations/{sb.org}/runs", hdrs)
    assert r.status_code == 200, r.text


def test_with_encoded_commas_and_unknown_values(module_sandbox: SandboxProcess) -> None:
    sb = module_sandbox
    url = (
        f"{sb.url}/organizations/{sb.org}/checklists/{ONBOARDING}"
        "?with=steps%2Cautomated_actions%2Cprerun%2Ctags"
    )
    r = httpx.get(url, headers=headers(sb.token, client="TallyfySDK"), timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    steps = wrapped(r.json()["data"]["steps"])
    assert len(steps) == 4


def test_with_unknown_value_on_run_is_ignored(api: Api) -> None:
    run = api.launch_ok(name="with unknown")
    r = api.get(f"runs/{run['id']}", {"with": "tasks,no_such_thing"})
    assert r.status_code == 200, r.text
    assert len(wrapped(r.json()["data"]["tasks"])) == 4
