"""What real Tallyfy does that the client once got wrong (issue 24), through the client against
the sandbox over real HTTP. docs/tallyfy-api-notes.md cites the evidence for each."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from runner.errors import SpecError
from runner.plan.clashes import names_in_use
from runner.plan.plan import Desired
from runner.project import stages
from runner.remote.reconcile import RunIndex
from runner.render.render import RenderContext, render_spec
from runner.resolve.request import LaunchRequest
from runner.state.provenance import marker_for, with_marker
from runner.state.scans import Scan
from tests.support import seed
from tests.support.cli import make_project, run_cli
from tests.support.client import PRERUN as PRERUN_
from tests.support.client import Harness, start
from tests.support.launches import AT, REQUIRED
from tests.support.sandbox import SandboxProcess


@pytest.fixture
def harness(sandbox: SandboxProcess) -> Iterator[Harness]:
    h = Harness(sandbox)
    yield h
    h.client.close()


def resolve_live(h: Harness, extra: str = "", prerun: str = "") -> LaunchRequest:
    """A spec of Client Onboarding resolved against the sandbox, as `plan` does."""
    return resolve_noted(h, extra, prerun)[0]


def resolve_noted(h: Harness, extra: str = "", prerun: str = "") -> tuple[LaunchRequest, list[str]]:
    """resolve_live, with the notes the plan would show."""
    text = f"id: k\ntemplate: Client Onboarding\n{extra}prerun:\n{REQUIRED}{prerun}"
    rendered, problems = render_spec(seed.spec(text), RenderContext(launch_at=AT))
    assert rendered is not None, problems
    desired, notes = stages.resolve_all(h.client, [rendered])
    (one,) = desired
    assert one.request is not None
    return one.request, notes


def refusal(h: Harness, extra: str = "", prerun: str = "") -> str:
    with pytest.raises(SpecError) as caught:
        resolve_live(h, extra, prerun)
    return "\n".join(d.message for d in caught.value.diagnostics)


# -- 1. folders: read by type ---------------------------------------------------------------
CLIENTS, EMEA = "101ec8e914ec2dba5fd8e77c5d61aa0c", "3c1f6a0e9b2d4c7e8f1a2b3c4d5e6f70"


def test_run_folders_resolve_although_a_bare_listing_holds_template_folders(
    harness: Harness,
) -> None:
    """Without `folder_type` Tallyfy lists template folders only: process folders must be
    asked for with `folder_type=run`, nested ones included."""
    body = resolve_live(harness, "folders: [Clients, EMEA clients]\n").body
    assert body["folders"] == [CLIENTS, EMEA]


def test_a_template_folder_is_named_as_such(harness: Harness) -> None:
    message = refusal(harness, "folders: [Template library]\n")
    assert "holds templates" in message, message


def _kinds(folders: list[dict[str, Any]]) -> dict[str, str]:
    return {str(f["name"]): str(f["folder_type"]) for f in folders}


def test_the_client_lists_both_kinds_each_with_its_type(harness: Harness) -> None:
    assert _kinds(harness.client.list_folders()) == {
        "Clients": "run", "Finance": "run", "EMEA clients": "run", "Template library": "checklist"
    }  # fmt: skip


# -- 2. 0 and "0" are values ---------------------------------------------------------------
NOTES, CLIENT_NAME = "d12f09ce23d86773121e7a7842bf969a", "b4c890d5160634ef2b484da2eedb1d71"


def _stored(h: Harness, run_id: str, field: str) -> Any:
    run = h.client.get_run(run_id, ["ko_form_fields"])
    return next(f for f in run["ko_form_fields"]["data"] if f["id"] == field)["value"]


@pytest.mark.parametrize("written", ["0", "'0'"])
def test_zero_is_sent_as_written_and_stored(harness: Harness, written: str) -> None:
    """MCP server (field_value_encoding.py), live-verified: a kick-off value "0" returned 201
    and read back as "0"; PHP empty() only suppresses the invalid-choice error."""
    request = resolve_live(harness, prerun=f"  Notes: {written}\n")
    assert request.body["prerun"][NOTES] == "0"
    run = harness.client.launch_run(request.body)
    assert _stored(harness, run["id"], NOTES) == "0"


def test_a_required_field_written_zero_is_launched(harness: Harness) -> None:
    """Whether "0" satisfies a required field is unproven (notes: "0 and "0""); launchspec sends
    it, and Tallyfy's answer decides."""
    text = "  Client name: '0'\n  Start date: 2026-12-01\n  Plan tier: Growth\n"
    rendered, problems = render_spec(
        seed.spec(f"id: k\ntemplate: Client Onboarding\nprerun:\n{text}"),
        RenderContext(launch_at=AT),
    )
    assert rendered is not None, problems
    (desired,), _ = stages.resolve_all(harness.client, [rendered])
    assert desired.request is not None
    run = harness.client.launch_run(desired.request.body)
    assert _stored(harness, run["id"], CLIENT_NAME) == "0"


@pytest.mark.parametrize("empty", ['""', "[]", "{}"])
def test_what_is_really_empty_is_refused_where_required(harness: Harness, empty: str) -> None:
    text = f"  Client name: {empty}\n  Start date: 2026-12-01\n  Plan tier: Growth\n"
    rendered, _ = render_spec(
        seed.spec(f"id: k\ntemplate: Client Onboarding\nprerun:\n{text}"),
        RenderContext(launch_at=AT),
    )
    assert rendered is not None
    with pytest.raises(SpecError) as caught:
        stages.resolve_all(harness.client, [rendered])
    assert "'Client name' is empty" in str(caught.value.diagnostics[0].message)


# -- 8. assign_run_starter is a step setting ---------------------------------------------------
S_TRAINING, S_REVIEW = "109fffa180b8e74f405a8b4b20d41f77", "3e4926a1f526b6dd75a7f25af98d07b5"


def test_assign_run_starter_is_read_per_step(
    tmp_path: Path, sandbox_factory: Callable[..., SandboxProcess]
) -> None:
    """Documentation (launch-process, troubleshooting-launch-permissions) and the SDK's Step
    model: the launcher is assigned to a step with no assignee anywhere unless that step says
    `assign_run_starter: false`; a template-level key means nothing."""
    data = seed.seed()
    onboarding = next(t for t in data["templates"] if t["title"] == "Client Onboarding")
    onboarding["assign_run_starter"] = True  # not a template setting: no effect
    review = next(s for s in onboarding["steps"] if s["id"] == S_REVIEW)
    review["assign_run_starter"] = False
    path = tmp_path / "seed.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    h = Harness(sandbox_factory("--seed", str(path)))
    steps = {s["id"]: s for s in h.client.get_template(onboarding["id"])["steps"]}
    assert steps[S_REVIEW]["assign_run_starter"] is False
    assert steps[S_TRAINING]["assign_run_starter"] is True  # the default, said
    nobody: dict[str, dict[str, list[str]]] = {"owners": {"users": [], "guests": [], "groups": []}}
    request = resolve_live(h)
    run = h.client.launch_run({**request.body, "tasks": {S_REVIEW: nobody, S_TRAINING: nobody}})
    owners = {t["step_id"]: t["owners"]["users"] for t in h.client.list_tasks(run["id"])}
    assert owners[S_REVIEW] == [] and owners[S_TRAINING] == [run["started_by"]]
    h.client.close()


# -- 9. a step that does not say how many owners it takes ------------------------------------
S_KICKOFF = "18c10325629613d2608de126489ab828"


def _unsaid_cap(tmp_path: Path, factory: Callable[..., SandboxProcess]) -> Harness:
    data = seed.seed()
    onboarding = next(t for t in data["templates"] if t["title"] == "Client Onboarding")
    kickoff = next(s for s in onboarding["steps"] if s["id"] == S_KICKOFF)
    del kickoff["max_assignable"]  # the sandbox answers null: nothing said
    path = tmp_path / "seed.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return Harness(factory("--seed", str(path)))


def test_a_missing_max_assignable_is_unknown_not_unlimited(
    tmp_path: Path, sandbox_factory: Callable[..., SandboxProcess]
) -> None:
    """The SDK's Step reads a missing max_assignable as 1; 0 means unlimited only where it is
    said. Unknown: nothing is refused, and the plan says the cap was not checked."""
    h = _unsaid_cap(tmp_path, sandbox_factory)
    four = "users: [ops@example.com, jane@example.com, raj@example.com, mei@example.com]"
    request, notes = resolve_noted(h, f"tasks:\n  Kick-off call:\n    owners: {{{four}}}\n")
    assert len(request.body["tasks"][S_KICKOFF]["owners"]["users"]) == 4
    assert any("'Kick-off call' does not say how many owners" in n for n in notes), notes
    h.client.close()


def test_no_note_when_no_owners_are_given(
    tmp_path: Path, sandbox_factory: Callable[..., SandboxProcess]
) -> None:
    h = _unsaid_cap(tmp_path, sandbox_factory)
    assert resolve_noted(h)[1] == []
    h.client.close()


def test_one_owner_passes_every_reading_and_is_not_noted(
    tmp_path: Path, sandbox_factory: Callable[..., SandboxProcess]
) -> None:
    h = _unsaid_cap(tmp_path, sandbox_factory)
    one = "tasks:\n  Kick-off call:\n    owners: {users: [jane@example.com]}\n"
    assert resolve_noted(h, one)[1] == []
    h.client.close()


# -- 5. the name search reads one page ----------------------------------------------------------
ONBOARDING_ID = "efd12534ded06f20e21b33e8dacf1f15"


def _history(h: Harness, count: int, name: str) -> None:
    """`count` runs of Client Onboarding named `name #i`, the newest `name`."""
    from tests.support.client import PRERUN

    body = {"checklist_id": ONBOARDING_ID, "name": name, "prerun": PRERUN}
    h.admin("POST", "history", {"launch": body, "count": count})


def _pages_read(h: Harness) -> int:
    return int(h.admin("GET", "stats")["run_list_pages"].get(ONBOARDING_ID, 0))


def test_a_server_that_ignores_q_costs_one_page_and_says_so(
    sandbox_factory: Callable[..., SandboxProcess],
) -> None:
    """Only the documentation mentions `q` for runs (and n8n's ID finder sends it); if a server
    ignores it, the same-name check must not page through the template's whole history."""
    h = start(sandbox_factory, "--ignore-q")
    _history(h, 250, "Older onboarding")
    request = resolve_live(h, "name: Onboarding - Globex\n")
    before = _pages_read(h)
    notes = names_in_use([_desired(request)], _search(h))
    assert _pages_read(h) - before == 1
    (note,) = notes
    assert "only the first 100 runs" in note and "Onboarding - Globex" in note, note
    h.client.close()


def test_a_name_in_use_is_found_on_the_first_page(
    sandbox_factory: Callable[..., SandboxProcess],
) -> None:
    h = start(sandbox_factory)
    _history(h, 3, "Onboarding - Globex")
    request = resolve_live(h, "name: Onboarding - Globex\n")
    (note,) = names_in_use([_desired(request)], _search(h))
    assert "already used by run" in note, note
    h.client.close()


def _search(h: Harness) -> Callable[[str, str], tuple[list[dict[str, Any]], bool]]:
    return lambda template, name: h.client.first_runs(checklist_id=template, q=name)


def _desired(request: LaunchRequest) -> Desired:
    text = "id: k\ntemplate: Client Onboarding\nname: Onboarding - Globex\n"
    rendered, _ = render_spec(seed.spec(f"{text}prerun:\n{REQUIRED}"), RenderContext(launch_at=AT))
    assert rendered is not None
    return Desired(rendered, request)


# -- 3. a server that ignores sort -------------------------------------------------------------
LINEAGE = "0b6c5d1e-7f3a-4c2b-9d8e-1a2b3c4d5e6f"


def _launch_marked(h: Harness, key: str, summary: str | None = "Kick-off") -> dict[str, Any]:
    from tests.support.client import PRERUN

    body = {"checklist_id": ONBOARDING_ID, "name": f"Onboarding {key}", "prerun": PRERUN,
            "summary": with_marker(summary, marker_for(LINEAGE, key))}  # fmt: skip
    return h.client.launch_run(body)


def test_a_launch_is_found_on_a_server_that_ignores_sort(
    sandbox_factory: Callable[..., SandboxProcess],
) -> None:
    """Oldest first, and a scan point after the oldest run: reading newest first must not stop
    at the first (oldest) run and judge the lost launch "not launched"."""
    h = start(sandbox_factory, "--ignore-sort")
    runs = []
    for key in ("first", "second", "lost"):
        runs.append(_launch_marked(h, key))
        h.admin("POST", "clock", {"advance_seconds": 3600})
    scan = Scan(through=str(runs[1]["created_at"]))
    index = RunIndex(h.client, {ONBOARDING_ID: scan})
    entry = {"template_id": ONBOARDING_ID}
    found = index.find("lost", marker_for(LINEAGE, "lost"), entry, 0)
    assert found.run_ids == (runs[2]["id"],)
    h.client.close()


def test_with_sort_honoured_only_the_newest_runs_are_read(
    sandbox_factory: Callable[..., SandboxProcess],
) -> None:
    """The same read on a server that keeps the order stops at the scan: one page."""
    h = start(sandbox_factory)
    h.admin("POST", "history", {"launch": {"checklist_id": ONBOARDING_ID, "name": "old",
                                           "prerun": PRERUN_}, "count": 150})  # fmt: skip
    h.admin("POST", "clock", {"advance_seconds": 3600})
    lost = _launch_marked(h, "lost")
    index = RunIndex(h.client, {ONBOARDING_ID: Scan(through=str(lost["created_at"]))})
    before = _pages_read(h)
    found = index.find("lost", marker_for(LINEAGE, "lost"), {"template_id": ONBOARDING_ID}, 0)
    assert found.run_ids == (lost["id"],) and _pages_read(h) - before == 1
    h.client.close()


# -- 4. the provenance marker after a hand edit ------------------------------------------------
def test_a_marker_saved_as_html_is_found(sandbox_factory: Callable[..., SandboxProcess]) -> None:
    """A hand edit in the Process Notes editor may save `<p>...</p>`: the run must not be lost
    to dedupe and adoption."""
    h = start(sandbox_factory, "--html-summaries")
    run = _launch_marked(h, "edited", "Kick-off for Globex & co")
    assert str(h.client.get_run(run["id"])["summary"]).startswith("<p>")
    found = RunIndex(h.client).find(
        "edited", marker_for(LINEAGE, "edited"), {"template_id": ONBOARDING_ID}, 0
    )
    assert found.run_ids == (run["id"],) and found.exact
    h.client.close()


def test_a_summary_saved_as_html_is_not_drift(
    tmp_path: Path, sandbox_factory: Callable[..., SandboxProcess]
) -> None:
    """plan --refresh compares the text, without the provenance line: markup is no change."""
    sb = sandbox_factory("--html-summaries")
    root = make_project(tmp_path)
    assert run_cli(root, "apply", "--yes", env=sb.env()).code == 0
    fresh = run_cli(root, "plan", "--refresh", "--detailed-exitcode", env=sb.env())
    assert fresh.code == 0 and "No changes" in fresh.out, fresh.text


def test_without_markers_a_summary_saved_as_html_is_not_drift(
    tmp_path: Path, sandbox_factory: Callable[..., SandboxProcess]
) -> None:
    """provenance: false: the summary is compared as text all the same."""
    sb = sandbox_factory("--html-summaries")
    root = make_project(tmp_path)
    (root / "launchspec.yaml").write_text("limits: {settle_seconds: 1}\nprovenance: false\n")
    assert run_cli(root, "apply", "--yes", env=sb.env()).code == 0
    fresh = run_cli(root, "plan", "--refresh", "--detailed-exitcode", env=sb.env())
    assert fresh.code == 0 and "No changes" in fresh.out, fresh.text
