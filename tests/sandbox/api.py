"""Helpers for the sandbox tests: httpx clients with Tallyfy's headers, seed ids, shape checks."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from tests.support.sandbox import SandboxProcess

# ---- ids from runner/sandbox/default_seed.yaml (documented as stable) ----
ORG = "5192e8fadff2a873872ba9aed3f2e334"
ME = 1001
USERS = {
    1001: "ops@example.com",
    1002: "jane@example.com",
    1003: "raj@example.com",
    1004: "mei@example.com",
    1005: "auditor@example.com",
}
GROUP_SALES = "494f655ebf7b5ec5843f9cea26b8101d"
GROUP_FINANCE = "d02a00548061939b8c89e2603285b966"
GROUP_OPS = "8dfdedfd7df39deb332539f846500ab9"
GROUPS = {GROUP_SALES, GROUP_FINANCE, GROUP_OPS}
TAG_ONBOARDING = "e7cfab272b1b772d96c89ed26a66bc39"
TAG_FINANCE = "493b77aa12272c76bd8e6ea627841566"
TAG_AUDIT = "35af16fa5685495c2b63a0e0302e5a8f"
TAG_PRIORITY = "625c8db1934d35264c0d10be0d3e2164"
TAGS = {TAG_ONBOARDING, TAG_FINANCE, TAG_AUDIT, TAG_PRIORITY}
FOLDER_CLIENTS = "101ec8e914ec2dba5fd8e77c5d61aa0c"
FOLDER_FINANCE = "1ad40adb9b31b94e680dfcf6b468433c"
FOLDER_TEMPLATES = "5d2e7b1f0c3a4d8e9f2b3c4d5e6f7081"  # folder_type checklist
FOLDERS = {FOLDER_CLIENTS, FOLDER_FINANCE, FOLDER_TEMPLATES}  # the top level

ONBOARDING = "efd12534ded06f20e21b33e8dacf1f15"
MONTH_END = "7bd3db0bb939aef446ffc68c3e8e653f"
AUDIT = "e79a024ff808cbbb702fff307d2abcc2"
VENDOR_DRAFT = "61fa169a59262d246dfe11bf19c05969"
PUBLISHED = {ONBOARDING, MONTH_END, AUDIT}
TITLES = {
    ONBOARDING: "Client Onboarding",
    MONTH_END: "Month-end Close",
    AUDIT: "Internal Audit",
}

# Client Onboarding kick-off fields (timeline ids) and steps.
F_CLIENT = "b4c890d5160634ef2b484da2eedb1d71"  # text, required
F_START = "55dc96de2bfdda9557c0e8a1481c4076"  # date, required
F_TIER = "89dc6258a8e9ef206778bc562ac2b4aa"  # dropdown, required: 1 Starter, 2 Growth, 3 Enterprise
F_BILLING = "6754f75615a8b64a8bfd4a2a3c43f5b1"  # email
F_NOTES = "d12f09ce23d86773121e7a7842bf969a"  # textarea
F_REGION = "c53937e526520aec4bde154b1f86820d"  # radio: 11 EMEA, 12 Americas, 13 APAC
F_MODULES = "5fa7d931b1190b5441c82f917062969d"  # multiselect: 21 Billing .. 24 SSO
F_CONTACTS = "6bfab34fefd7aebaa32a90d7c31cc416"  # table: 31 Name, 32 Role, 33 Email
F_TEAM = "af929d38eab6dbd5ddeced1988e4ce8d"  # assignees_form
F_CONTRACT = "9c637fac971e315fe288bae42cefe3d6"  # file
ONBOARDING_FIELD_TYPES = {
    F_CLIENT: "text",
    F_START: "date",
    F_TIER: "dropdown",
    F_BILLING: "email",
    F_NOTES: "textarea",
    F_REGION: "radio",
    F_MODULES: "multiselect",
    F_CONTACTS: "table",
    F_TEAM: "assignees_form",
    F_CONTRACT: "file",
}
S_KICKOFF = "18c10325629613d2608de126489ab828"  # default owner 1002, max_assignable 3
S_SETUP = "740d2cf07ad9f77aa91ecbc6e40fabd6"  # 1003 + group Ops, max_assignable 0 (unlimited)
S_TRAINING = "109fffa180b8e74f405a8b4b20d41f77"  # 1002, max_assignable 2
S_REVIEW = "3e4926a1f526b6dd75a7f25af98d07b5"  # 1001, max_assignable 1
ONBOARDING_STEPS = [S_KICKOFF, S_SETUP, S_TRAINING, S_REVIEW]

VALID_PRERUN: dict[str, dict[str, Any]] = {
    ONBOARDING: {
        F_CLIENT: "Globex Corp",
        F_START: "2026-12-01T00:00:00Z",
        F_TIER: {"id": 2, "text": "Growth"},
    },
    MONTH_END: {
        "de2e7cb6223698268b40e953d3692403": "2026-01",
        "bb45365012ec3bf9d8a3a9105ee7c16a": {"id": 41, "text": "Acme Inc."},
    },
    AUDIT: {
        "4cd794c49406ea94414063b4c906b91e": "Accounts payable",
        "153465b821e4c8c5ae4240f2fbae68e0": {"id": 61, "text": "Finance"},
    },
}

HEX32 = re.compile(r"^[0-9a-f]{32}$")
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
TRANSIENT = {500, 502, 503}


def headers(
    token: str | None, client: str | None = "APIClient", content_type: bool = True
) -> dict[str, str]:
    """The headers Tallyfy wants on every call (any of them can be left out for a test)."""
    out = {"Accept": "application/json"}
    if token is not None:
        out["Authorization"] = f"Bearer {token}"
    if client is not None:
        out["X-Tallyfy-Client"] = client
    if content_type:
        out["Content-Type"] = "application/json"
    return out


def qs(params: Mapping[str, Any] | None) -> str:
    """A query string with spaces as %20 (never '+'), as Tallyfy wants."""
    if not params:
        return ""
    return "?" + urlencode({k: str(v) for k, v in params.items()}, quote_via=quote, safe=",")


# One TLS context for every client here: building one reads the CA bundle (tens of ms).
_TLS = httpx.create_ssl_context()


class Api:
    """A thin httpx wrapper bound to one sandbox and its organisation."""

    def __init__(
        self,
        sb: SandboxProcess,
        *,
        token: str | None = "default",
        client: str | None = "APIClient",
        base: str | None = None,
        timeout: float = 15.0,
    ) -> None:
        self.sb = sb
        self.org = sb.org
        tok = sb.token if token == "default" else token
        self.http = httpx.Client(
            base_url=base or sb.url, headers=headers(tok, client), timeout=timeout, verify=_TLS
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def path(self, rel: str) -> str:
        return f"/organizations/{self.org}/{rel.lstrip('/')}"

    def get(self, rel: str, params: Mapping[str, Any] | None = None) -> httpx.Response:
        return self.http.get(self.path(rel) + qs(params))

    def post(self, rel: str, body: Any) -> httpx.Response:
        return self.http.post(self.path(rel), json=body)

    def put(self, rel: str, body: Any = None) -> httpx.Response:
        if body is None:
            return self.http.put(self.path(rel))
        return self.http.put(self.path(rel), json=body)

    def delete(self, rel: str) -> httpx.Response:
        return self.http.delete(self.path(rel))

    # ---- conveniences ----
    def launch(self, template: str = ONBOARDING, **body: Any) -> httpx.Response:
        payload: dict[str, Any] = {"checklist_id": template}
        if template in VALID_PRERUN:
            payload["prerun"] = dict(VALID_PRERUN[template])
        payload.update(body)
        return self.post("runs", payload)

    def launch_ok(self, template: str = ONBOARDING, **body: Any) -> dict[str, Any]:
        r = self.launch(template, **body)
        assert r.status_code in (200, 201), (r.status_code, r.text)
        run: dict[str, Any] = r.json()["data"]
        return run

    def run(self, run_id: str, **params: Any) -> dict[str, Any]:
        r = self.get(f"runs/{run_id}", params)
        assert r.status_code == 200, (r.status_code, r.text)
        data: dict[str, Any] = r.json()["data"]
        return data

    def walk(self, rel: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Every item of a paged list, fetching while current_page < total_pages."""
        items: list[dict[str, Any]] = []
        page = 1
        for _ in range(1000):
            r = self.get(rel, {**(params or {}), "page": page})
            assert r.status_code == 200, (r.status_code, r.text)
            body = r.json()
            items.extend(list_data(body))
            pag = body["meta"]["pagination"]
            assert pag["current_page"] == page
            if pag["current_page"] >= pag["total_pages"]:
                return items
            page += 1
        raise AssertionError("paging never ended")


def list_data(body: Any) -> list[dict[str, Any]]:
    """Check a list envelope (data + meta.pagination as documented) and return data."""
    assert isinstance(body, dict), body
    assert isinstance(body.get("data"), list), body
    meta = body.get("meta")
    assert isinstance(meta, dict), f"meta must be an object: {meta!r}"
    pag = meta.get("pagination")
    assert isinstance(pag, dict), f"meta.pagination must be an object: {meta!r}"
    for key in ("total", "count", "per_page", "current_page", "total_pages"):
        assert isinstance(pag.get(key), int) and not isinstance(pag.get(key), bool), (key, pag)
    assert pag["count"] == len(body["data"]), pag
    links = pag.get("links")
    assert links == [] or (isinstance(links, dict) and {"previous", "next"} <= set(links)), links
    return list(body["data"])


def pagination(body: Any) -> dict[str, Any]:
    list_data(body)
    pag: dict[str, Any] = body["meta"]["pagination"]
    return pag


def wrapped(value: Any) -> list[dict[str, Any]]:
    """Related data asked for with `with=` arrives as {"data": [...]}."""
    assert isinstance(value, dict) and isinstance(value.get("data"), list), value
    return list(value["data"])


def error_body(r: httpx.Response) -> dict[str, Any]:
    """A documented error body: a JSON object with error true and a message."""
    body = r.json()
    assert isinstance(body, dict), body
    assert body.get("error") is True, body
    assert isinstance(body.get("message"), str) and body["message"], body
    return body


def errors_422(r: httpx.Response) -> list[str]:
    """Check a 422 body ({error: true, message, errors: {field: [msg]}}); return all messages."""
    assert r.status_code == 422, (r.status_code, r.text)
    body = error_body(r)
    errs = body.get("errors")
    assert isinstance(errs, dict) and errs, body
    out: list[str] = []
    for key, msgs in errs.items():
        assert isinstance(key, str)
        assert isinstance(msgs, list) and msgs, (key, msgs)
        assert all(isinstance(m, str) for m in msgs), (key, msgs)
        out.extend(msgs)
    return out


def parse_time(value: str) -> datetime:
    """An ISO 8601 UTC timestamp from a response (`...Z`)."""
    assert isinstance(value, str) and ISO_UTC.match(value), f"not ISO 8601 UTC with Z: {value!r}"
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def ids_of(value: Any) -> set[Any]:
    """Member ids from a list of ids, of {id: ...} objects, or a wrapped {data: [...]}."""
    if value is None:
        return set()
    if isinstance(value, dict) and "data" in value:
        value = value["data"]
    assert isinstance(value, list), value
    return {v["id"] if isinstance(v, dict) else v for v in value}


def ids(items: Iterable[Mapping[str, Any]]) -> list[Any]:
    return [item["id"] for item in items]
