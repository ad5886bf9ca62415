"""Kick-off values encoded per field type, and the values the API would refuse."""

from __future__ import annotations

import pytest

from runner.diagnostics import Position
from tests.support.launches import FIELD, launch, one, run, value

# --- value shapes -------------------------------------------------------------------------


def test_text_and_textarea_are_strings() -> None:
    assert value("Client name", "12") == "12"
    assert value("Notes", "12") == "12"  # a number would get 422 from the API
    assert value("Notes", "'line'") == "line"


def test_booleans_are_refused_with_a_quoting_hint() -> None:
    p = one(prerun="  Notes: true\n")
    assert "'Notes' needs text, not the boolean true" in p.message
    assert p.hint is not None and "quote" in p.hint


def test_email() -> None:
    assert value("Billing email", "ap@globex.example") == "ap@globex.example"
    p = one(prerun="  Billing email: not-an-email\n")
    assert "'Billing email' needs an email address" in p.message


def test_dates_are_iso_utc() -> None:
    assert launch().body["prerun"][FIELD["Start date"]] == "2026-12-01T00:00:00Z"
    prerun = "  Client name: x\n  Start date: '2026-12-01T09:00:00+01:00'\n  Plan tier: Growth\n"
    request, _ = run(f"id: k\ntemplate: x\nprerun:\n{prerun}")
    assert request is not None
    assert request.body["prerun"][FIELD["Start date"]] == "2026-12-01T08:00:00Z"


def test_epoch_dates_are_refused() -> None:
    request, problems = run(
        "id: k\ntemplate: x\nprerun:\n  Client name: x\n  Start date: 1764547200\n"
        "  Plan tier: Growth\n"
    )
    assert request is None
    assert "'Start date' needs an ISO 8601 date" in problems[0].message
    assert problems[0].hint == "epoch numbers are refused by the API"
    assert problems[0].pos == Position("specs/test.yaml", 5, 15)


def test_dropdown_is_id_and_exact_text() -> None:
    assert launch().body["prerun"][FIELD["Plan tier"]] == {"id": 2, "text": "Growth"}


def test_dropdown_value_not_an_option_lists_options() -> None:
    request, problems = run(
        "id: k\ntemplate: x\nprerun:\n  Client name: x\n  Start date: 2026-12-01\n"
        "  Plan tier: growth\n"
    )
    assert request is None
    (p,) = problems
    assert (
        p.message
        == "'growth' is not an option of 'Plan tier' (options: Starter, Growth, Enterprise)"
    )
    assert p.hint == "did you mean 'Growth'? options must match exactly"
    assert p.pos == Position("specs/test.yaml", 6, 14)


def test_radio_is_the_exact_option_text() -> None:
    assert value("Region", "APAC") == "APAC"
    p = one(prerun="  Region: emea\n")
    assert "'emea' is not an option of 'Region' (options: EMEA, Americas, APAC)" in p.message
    assert p.hint is not None and "'EMEA'" in p.hint


def test_multiselect_marks_each_option_selected() -> None:
    assert value("Modules", "[SSO, Billing]") == [
        {"id": 24, "text": "SSO", "selected": True},
        {"id": 21, "text": "Billing", "selected": True},
    ]
    assert value("Modules", "Reporting") == [{"id": 22, "text": "Reporting", "selected": True}]
    assert "is not an option of 'Modules'" in one(prerun="  Modules: [Billing, CRM]\n").message
    assert "listed twice" in one(prerun="  Modules: [SSO, SSO]\n").message


def test_a_table_row_is_a_flat_list_of_cells_in_column_order() -> None:
    """Evidence: every public sender writes `["Widget", "3"]` (docs/tallyfy-api-notes.md)."""
    assert value("Key contacts", "{Name: Ann, email: ann@x.io}") == ["Ann", "", "ann@x.io"]
    assert value("Key contacts", "[{Name: Ann, email: ann@x.io}]") == ["Ann", "", "ann@x.io"]
    assert value("Key contacts", "[[Bob, CTO, bob@x.io]]") == ["Bob", "CTO", "bob@x.io"]


def test_several_table_rows_are_refused_until_their_shape_is_known() -> None:
    p = one(prerun="  Key contacts: [{Name: Ann}, {Name: Bob}]\n")
    assert "2 rows" in p.message and "one row" in p.message


def test_table_with_the_wrong_column_count_or_names() -> None:
    p = one(prerun="  Key contacts: [[Ann, CFO]]\n")
    assert p.message == (
        "row 1 of 'Key contacts' has 2 cells; the table has 3 columns (Name, Role, Email)"
    )
    p = one(prerun="  Key contacts: [{Nmae: Ann}]\n")
    assert "row 1 of 'Key contacts' has no column 'Nmae'" in p.message
    assert p.hint == "did you mean 'Name'?"


def test_assignees_form_resolves_people() -> None:
    written = "{users: [JANE@example.com, 1003], groups: [Sales], guests: [cfo@globex.example]}"
    request = launch(prerun=f"  Account team: {written}\n")
    assert request.body["prerun"][FIELD["Account team"]] == {
        "users": [1002, 1003],
        "guests": ["cfo@globex.example"],
        "groups": ["494f655ebf7b5ec5843f9cea26b8101d"],
    }
    assert request.guests == ("cfo@globex.example",)
    assert value("Account team", "[raj@example.com]")["users"] == [1003]
    assert "user 'nobody@example.com' is not in the organisation" in (
        one(prerun="  Account team: [nobody@example.com]\n").message
    )


def test_file_fields_cannot_be_set() -> None:
    p = one(prerun="  Signed contract: contract.pdf\n")
    assert "file fields cannot be set from a spec yet" in p.message


# --- 0 and "0" are values (MCP server, field_value_encoding.py, live-verified) ----------------


@pytest.mark.parametrize("written", ["0", "'0'"])
def test_zero_is_a_value_sent_as_written(written: str) -> None:
    """PHP empty() only suppresses an invalid-choice error; "0" is stored and read back."""
    assert value("Notes", written) == "0"
    assert value("Client name", written) == "0"


def test_values_that_only_look_empty_are_sent() -> None:
    assert value("Notes", "'0.0'") == "0.0"
    assert value("Notes", "'00'") == "00"
    assert value("Notes", "''") == ""  # an empty optional value clears it, as written


def test_an_empty_table_value_is_refused() -> None:
    """The table arm has no empty() break: "" is "Invalid table field"."""
    p = one(prerun="  Key contacts: ''\n")
    assert "'Key contacts' needs a list of rows" in p.message
