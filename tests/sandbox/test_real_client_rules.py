"""Rules the real server applies that public clients document (docs/tallyfy-api-notes.md):
PHP-empty values, multiselect `selected`, auto-naming, reactivation, organisation roles."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.sandbox.api import (
    F_CLIENT,
    F_CONTACTS,
    F_MODULES,
    F_REGION,
    F_TIER,
    ONBOARDING,
    S_KICKOFF,
    S_SETUP,
    VALID_PRERUN,
    Api,
    errors_422,
)
from tests.support.sandbox import SandboxProcess, api_headers
from tests.support.seed import seed

ROLE_MANAGER = "0f3b8e1c2d4a4b6c8e0f1a2b3c4d5e6f"  # "Account manager", on step Kick-off call
ROLE_TRAINER = "7a9c1e3f5b7d4f6a8c0e2a4c6e8a0c2e"  # "Trainer", on no step


def _prerun(field: str, value: Any) -> dict[str, Any]:
    return {**VALID_PRERUN[ONBOARDING], field: value}


def _value(api: Api, run_id: str, field: str) -> Any:
    fields = api.run(run_id, **{"with": "ko_form_fields"})["ko_form_fields"]["data"]
    return next(f for f in fields if f["id"] == field)["value"]


# ---- PHP empty(): only suppresses the shape check; 0, false and "0" are stored (MCP server) ----


@pytest.mark.parametrize("value", [None, "", [], {}])
def test_a_blank_value_clears_an_optional_field(api: Api, value: Any) -> None:
    run = api.launch_ok(name=f"cleared {value!r}", prerun=_prerun(F_REGION, value))
    assert _value(api, run["id"], F_REGION) is None


@pytest.mark.parametrize("value", [0, False, "0"])
def test_a_php_empty_value_is_stored_unchecked(api: Api, value: Any) -> None:
    """FormValuesValidator's empty() break skips the shape check (a radio "0" names no option
    here) but never clears: a kick-off radio launched with "0" read back as "0"."""
    run = api.launch_ok(name=f"kept {value!r}", prerun=_prerun(F_REGION, value))
    assert _value(api, run["id"], F_REGION) == value


@pytest.mark.parametrize("value", ["", [], {}])
def test_a_blank_value_of_a_required_field_is_missing(api: Api, value: Any) -> None:
    messages = errors_422(api.launch(name="required", prerun=_prerun(F_CLIENT, value)))
    assert "Client name is required" in messages, messages


@pytest.mark.parametrize("value", [0, "0"])
def test_zero_satisfies_a_required_field(api: Api, value: Any) -> None:
    """An assumption (Laravel's blank(): RunRequestValidator::preRunValueIsBlank, cited by the
    CLI): the notes say it is unproven."""
    run = api.launch_ok(name=f"zero {value!r}", prerun=_prerun(F_CLIENT, value))
    assert _value(api, run["id"], F_CLIENT) == value


@pytest.mark.parametrize("value", ["", 0, False, "0"])
def test_a_table_has_no_empty_break(api: Api, value: Any) -> None:
    """The table arm alone has no empty() break: "" (and every other scalar) is refused."""
    messages = errors_422(api.launch(name="table", prerun=_prerun(F_CONTACTS, value)))
    assert "Invalid table field" in messages, messages


def test_values_that_are_not_php_empty_are_kept(api: Api) -> None:
    run = api.launch_ok(name="kept", prerun=_prerun(F_CLIENT, "0.0"))
    assert _value(api, run["id"], F_CLIENT) == "0.0"


# ---- auto-naming, and multiselect `selected` where variables render ----


def _auto_naming_seed(tmp_path: Path, **settings: Any) -> Path:
    data = seed()
    onboarding = next(t for t in data["templates"] if t["id"] == ONBOARDING)
    onboarding.update(
        auto_naming=True,
        default_process_name_format="Onboarding - {{client_name}} - {{modules}} ({{DATE}})",
        **settings,
    )
    path = tmp_path / "seed.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.fixture
def auto_api(
    tmp_path: Path, sandbox_factory: Callable[..., SandboxProcess]
) -> Any:
    sb = sandbox_factory("--seed", str(_auto_naming_seed(tmp_path)))
    with Api(sb) as client:
        yield client


def test_auto_naming_replaces_the_name_sent(auto_api: Api) -> None:
    """Documentation: auto-naming builds the name from kick-off values (`{{alias}}`,
    `{{DATE}}`); `allow_launcher_change_name` applies only with auto-naming off."""
    chosen = [{"id": 21, "text": "Billing", "selected": True}]
    run = auto_api.launch_ok(name="sent name", prerun=_prerun(F_MODULES, chosen))
    assert run["name"].startswith("Onboarding - Globex Corp - Billing (20")
    assert auto_api.run(run["id"])["name"] == run["name"]


def test_multiselect_entries_without_selected_render_as_nothing(auto_api: Api) -> None:
    """CLI kickoff.go: replaceVariableForMultiSelect renders only options flagged `selected`;
    a value without the flag saves, then renders as nothing."""
    unflagged = [{"id": 21, "text": "Billing"}, {"id": 22, "text": "Reporting"}]
    run = auto_api.launch_ok(name="x", prerun=_prerun(F_MODULES, unflagged))
    assert run["name"].startswith("Onboarding - Globex Corp -  (")
    assert _value(auto_api, run["id"], F_MODULES) == unflagged  # saved all the same


def test_without_auto_naming_the_name_sent_is_kept(api: Api) -> None:
    assert api.launch_ok(name="my own name")["name"] == "my own name"


# ---- reactivation keeps the status held before archiving (SDK) ----


def test_reactivation_keeps_the_status_held_before_archiving(
    sandbox_factory: Callable[..., SandboxProcess],
) -> None:
    sb = sandbox_factory("--admin")
    with Api(sb) as api:
        run = api.launch_ok(name="had a problem")
        root = sb.url.rsplit("/api", 1)[0]
        r = httpx.put(f"{root}/_sandbox/runs/{run['id']}", json={"status": "problem"},
                      headers=api_headers(sb), timeout=10)
        assert r.status_code == 200, r.text
        assert api.delete(f"runs/{run['id']}").json()["data"]["status"] == "archived"
        back = api.put(f"runs/{run['id']}/activate").json()["data"]
        assert back["status"] == "problem" and back["archived_at"] is None
        assert "status_before_archive" not in str(api.run(run["id"]))


# ---- roles at launch: `array|org_roles:array_keys` (SDK docstring) ----


def test_a_step_lists_the_roles_it_is_assigned_to(api: Api) -> None:
    template = api.get(f"checklists/{ONBOARDING}", {"with": "steps"}).json()["data"]
    roles = {s["id"]: s["roles"] for s in template["steps"]["data"]}
    assert roles[S_KICKOFF] == [ROLE_MANAGER] and roles[S_SETUP] == []


def test_an_unknown_role_key_is_422(api: Api) -> None:
    r = api.launch(name="bad role", roles={"ffffffffffffffffffffffffffffffff": {"users": [1002]}})
    assert r.status_code == 422, r.text
    assert list(r.json()["errors"]) == ["roles.ffffffffffffffffffffffffffffffff"]


def test_a_list_of_roles_is_422(api: Api) -> None:
    """A JSON list has keys 0, 1, ... which are no role ids (MCP server, kickoff_encoding)."""
    errors_422(api.launch(name="list", roles=[{ROLE_MANAGER: {"users": [1002]}}]))


def test_a_role_takes_known_people(api: Api) -> None:
    r = api.launch(name="bad person", roles={ROLE_MANAGER: {"users": [424242]}})
    assert list(errors_of(r)) == [f"roles.{ROLE_MANAGER}.users.0"]


def test_an_organisation_role_assigns_the_steps_that_use_it(api: Api) -> None:
    """Any organisation role is accepted, also one no step uses (that one assigns nothing)."""
    run = api.launch_ok(
        name="roles",
        roles={ROLE_MANAGER: {"users": [1004]}, ROLE_TRAINER: {"users": [1003]}},
    )
    tasks = api.get(f"runs/{run['id']}/tasks", {"per_page": 100}).json()["data"]
    owners = {t["step_id"]: t["owners"]["users"] for t in tasks}
    assert 1004 in owners[S_KICKOFF] and 1004 not in owners[S_SETUP]
    assert 1003 not in owners[S_KICKOFF]


def errors_of(r: httpx.Response) -> dict[str, Any]:
    assert r.status_code == 422, r.text
    errors: dict[str, Any] = r.json()["errors"]
    return errors


def test_the_dropdown_is_compared_exactly(api: Api) -> None:
    errors_422(api.launch(name="dd", prerun=_prerun(F_TIER, {"id": 2, "text": "growth"})))
