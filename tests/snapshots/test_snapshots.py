"""Template snapshots: deterministic pulls, offline checks from them, drift reported at specs."""

from __future__ import annotations

import json
import shutil
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from runner.errors import ConfigError
from runner.snapshots.diff import template_changes
from runner.snapshots.store import SnapshotStore, dumps, normalise_template
from tests.support.cli import REPO, make_project, run_cli
from tests.support.sandbox import SandboxProcess

ONBOARDING = "efd12534ded06f20e21b33e8dacf1f15"
SEED = REPO / "runner" / "sandbox" / "default_seed.yaml"


def with_snapshots(tmp: Path) -> Path:
    """A project holding the example specs and the repo's example snapshots."""
    root = make_project(tmp)
    shutil.copytree(REPO / "templates", root / "templates")
    return root


def snapshot_bytes(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "templates").glob("*.json"))}


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A port that accepts connections, to prove that nothing connects to it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.setblocking(False)
    yield sock
    sock.close()


def no_connection_was_made(sock: socket.socket) -> bool:
    try:
        sock.accept()[0].close()
    except BlockingIOError:
        return True
    return False


def offline_env(sock: socket.socket) -> dict[str, str]:
    port = sock.getsockname()[1]
    return {"TALLYFY_API_URL": f"http://127.0.0.1:{port}/api",
            "TALLYFY_ORG_ID": "5192e8fadff2a873872ba9aed3f2e334"}


def line_of(path: Path, prefix: str) -> int:
    lines = path.read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith(prefix))


# -- pull ---------------------------------------------------------------------------------


def test_pull_twice_gives_identical_bytes(tmp_path: Path, sandbox: SandboxProcess) -> None:
    root = make_project(tmp_path)
    first = run_cli(root, "templates", "pull", env=sandbox.env())
    assert first.code == 0, first.text
    assert first.out.count("new ") == 4
    before = snapshot_bytes(root)
    assert set(before) == {"_directory.json", "7bd3db0bb939aef446ffc68c3e8e653f.json",
                           "e79a024ff808cbbb702fff307d2abcc2.json", f"{ONBOARDING}.json"}
    second = run_cli(root, "templates", "pull", env=sandbox.env())
    assert second.code == 0 and second.out.count("unchanged") == 4, second.text
    assert snapshot_bytes(root) == before
    for data in before.values():
        assert data.endswith(b"}\n") and dumps(json.loads(data)).encode() == data


def test_repo_example_snapshots_match_the_default_seed(
    tmp_path: Path, sandbox: SandboxProcess
) -> None:
    root = make_project(tmp_path)
    assert run_cli(root, "templates", "pull", env=sandbox.env()).code == 0
    assert snapshot_bytes(root) == snapshot_bytes(REPO), "run `templates pull` in the repo"


def test_pull_names_templates_and_keeps_secrets_out(
    tmp_path: Path, sandbox: SandboxProcess
) -> None:
    root = make_project(tmp_path)
    result = run_cli(root, "templates", "pull", "month-end close", env=sandbox.env())
    assert result.code == 0, result.text
    assert set(snapshot_bytes(root)) == {"_directory.json",
                                         "7bd3db0bb939aef446ffc68c3e8e653f.json"}
    text = b"".join(snapshot_bytes(root).values()).decode()
    assert sandbox.token not in text and "last_updated" not in text
    users = json.loads((root / "templates" / "_directory.json").read_text())["users"]
    assert users[0] == {"email": "ops@example.com", "id": 1001}


def test_pull_of_an_unknown_template_writes_nothing(
    tmp_path: Path, sandbox: SandboxProcess
) -> None:
    root = make_project(tmp_path)
    result = run_cli(root, "templates", "pull", "Client Onboarding", "No Such",
                     env=sandbox.env())
    assert result.code == 1 and "no template is titled 'No Such'" in result.err
    assert not (root / "templates").exists()


def test_pull_needs_a_token(tmp_path: Path) -> None:
    result = run_cli(make_project(tmp_path), "templates", "pull")
    assert result.code == 2 and "TALLYFY_TOKEN" in result.err


# -- offline checks -------------------------------------------------------------------------


def test_offline_plan_catches_label_and_option_without_network(
    tmp_path: Path, listener: socket.socket
) -> None:
    root = with_snapshots(tmp_path)
    spec = root / "specs" / "onboarding-globex.yaml"
    text = spec.read_text().replace("  Region: EMEA", "  Regoin: EMEA")
    spec.write_text(text.replace('Plan tier: "{{ vars.tier }}"', "Plan tier: Enterprize"))
    result = run_cli(root, "plan", env=offline_env(listener))
    assert result.code == 1, result.text
    region, tier = line_of(spec, "  Regoin"), line_of(spec, "  Plan tier")
    assert f"specs/onboarding-globex.yaml:{region}:11: error: unknown kick-off field 'Regoin'" \
        in result.err
    assert f"specs/onboarding-globex.yaml:{tier}:14: error: 'Enterprize' is not an option" \
        in result.err
    assert "did you mean 'Region'?" in result.err and "Traceback" not in result.text
    assert no_connection_was_made(listener)


def test_validate_checks_fields_from_snapshots_without_network(
    tmp_path: Path, listener: socket.socket
) -> None:
    root = with_snapshots(tmp_path)
    assert run_cli(root, "validate", env=offline_env(listener)).code == 0
    spec = root / "specs" / "internal-audit.yaml"
    spec.write_text(spec.read_text().replace("Audit area: Finance ", "Audit area: Finances"))
    result = run_cli(root, "validate", "--format", "github", env=offline_env(listener))
    assert result.code == 1, result.text
    line = line_of(spec, "  Audit area")
    assert f"::error file=specs/internal-audit.yaml,line={line},col=15::'Finances' is not an " \
           "option of 'Audit area'" in result.out
    assert no_connection_was_made(listener)


def test_offline_plan_checks_owners_steps_and_max_assignable(
    tmp_path: Path, listener: socket.socket
) -> None:
    root = with_snapshots(tmp_path)
    spec = root / "specs" / "month-end-close.yaml"
    text = spec.read_text().replace("  CFO sign-off:\n", "  CFO signoff:\n", 1)
    spec.write_text(text.replace("owners: {users: [mei@example.com]}",
                                 "owners: {users: [mei@example.com, jane@example.com, "
                                 "raj@example.com]}", 1))
    result = run_cli(root, "plan", env=offline_env(listener))
    assert result.code == 1
    assert "unknown step 'CFO signoff'" in result.err
    assert "takes at most 2 owners; 3 given" in result.err
    assert no_connection_was_made(listener)


def test_offline_plan_compares_by_request_digest(
    tmp_path: Path, sandbox: SandboxProcess, listener: socket.socket
) -> None:
    root = with_snapshots(tmp_path)
    assert run_cli(root, "apply", "--yes", env=sandbox.env()).code == 0
    same = run_cli(root, "plan", "--format", "json", "--detailed-exitcode",
                   env=offline_env(listener))
    assert same.code == 0, same.text
    doc = json.loads(same.out)
    assert {a["row"] for a in doc["actions"]} == {"unchanged"}
    assert all(a["digest"] for a in doc["actions"]) and doc["offline"] is False
    assert "checked against the snapshots in templates/" in doc["notes"][0]
    spec = root / "specs" / "month-end-close.yaml"
    spec.write_text(spec.read_text().replace("Reporting currency: JPY", "Reporting currency: USD"))
    edited = run_cli(root, "plan", "--format", "json", env=offline_env(listener))
    kinds = {a["key"]: a["row"] for a in json.loads(edited.out)["actions"]}
    assert kinds["month-end-2026-11-acme-kk"] == "edited"
    assert no_connection_was_made(listener)


def test_a_template_without_snapshot_gets_a_note(tmp_path: Path, listener: socket.socket) -> None:
    """Named by id, a template not pulled yet is a note; named by a title the snapshots do not
    hold, it is an error at the spec's line (a typo as often as not), with the pull command."""
    root = with_snapshots(tmp_path)
    (root / "templates" / f"{ONBOARDING}.json").unlink()
    titled = run_cli(root, "plan", env=offline_env(listener))
    assert titled.code == 1, titled.text
    assert "error: no template titled 'Client Onboarding' in the snapshots in templates/" \
        in titled.err
    assert 'launchspec templates pull "Client Onboarding"' in titled.err
    spec = root / "specs" / "onboarding-globex.yaml"
    spec.write_text(spec.read_text().replace("template: Client Onboarding",
                                             f"template: {ONBOARDING}"))
    result = run_cli(root, "plan", env=offline_env(listener))
    assert result.code == 0, result.text
    assert f"no snapshot in templates/ of template '{ONBOARDING}' (used by " \
           "onboarding-globex)" in result.out
    assert "templates pull" in result.out


def test_without_snapshots_the_plan_is_offline_as_before(tmp_path: Path) -> None:
    result = run_cli(make_project(tmp_path), "plan", "--format", "json")
    doc = json.loads(result.out)
    assert doc["offline"] is True and all(a["digest"] is None for a in doc["actions"])


# -- drift --------------------------------------------------------------------------------


def changed_seed(tmp: Path) -> Path:
    """The default seed with Client Onboarding changed: a field removed, an option renamed."""
    seed = yaml.safe_load(SEED.read_text())
    onboarding = next(t for t in seed["templates"] if t["id"] == ONBOARDING)
    onboarding["prerun"] = [f for f in onboarding["prerun"] if f["label"] != "Key contacts"]
    tier = next(f for f in onboarding["prerun"] if f["label"] == "Plan tier")
    tier["options"][1]["text"] = "Scale"
    path = tmp / "seed.yaml"
    path.write_text(yaml.safe_dump(seed))
    return path


def test_changed_live_template_is_reported_at_the_specs_using_it(
    tmp_path: Path, sandbox_factory: Callable[..., SandboxProcess]
) -> None:
    root = with_snapshots(tmp_path)
    sb = sandbox_factory("--seed", str(changed_seed(tmp_path)))
    result = run_cli(root, "plan", env=sb.env())
    assert result.code == 1, result.text
    spec = root / "specs" / "onboarding-globex.yaml"
    where = f"specs/onboarding-globex.yaml:{line_of(spec, 'template:')}:11"
    assert f"{where}: error: template 'Client Onboarding' changed since its snapshot was " \
           "pulled" in result.err
    assert "kick-off field 'Key contacts' was removed" in result.err
    assert "option 'Growth' was renamed to 'Scale'" in result.err
    assert "templates pull" in result.err
    assert "month-end" not in result.err and "audit" not in result.err
    apply = run_cli(root, "apply", "--yes", env=sb.env())
    assert apply.code == 1 and "changed since its snapshot" in apply.err
    assert run_cli(root, "templates", "pull", env=sb.env()).code == 0
    assert run_cli(root, "plan", env=sb.env()).code == 0


# -- pure parts -----------------------------------------------------------------------------


def test_template_changes_in_words() -> None:
    old = {"title": "T", "status": "published",
           "prerun": [{"id": "a", "label": "A", "field_type": "text", "required": False},
                      {"id": "b", "label": "B", "field_type": "dropdown",
                       "options": [{"id": 1, "text": "x"}, {"id": 2, "text": "y"}]}],
           "steps": {"data": [{"id": "s", "title": "S", "max_assignable": 2,
                               "assignees": [1, 2]}]}}
    new = json.loads(json.dumps(old))
    new["status"] = "draft"
    new["prerun"][0]["required"] = True
    new["prerun"][1]["options"] = [{"id": 2, "text": "Y"}, {"id": 3, "text": "z"}]
    new["prerun"].append({"id": "c", "label": "C", "required": True})
    new["steps"]["data"][0].update(max_assignable=1, assignees=[2, 1], summary="changed")
    assert template_changes(old, new) == [
        "status changed from 'published' to 'draft'",
        "kick-off field 'A': required changed from False to True",
        "kick-off field 'B': option 'x' was removed",
        "kick-off field 'B': option 'y' was renamed to 'Y'",
        "kick-off field 'B': option 'z' was added",
        "kick-off field 'C' was added (required)",
        "step 'S': max_assignable changed from 2 to 1",
    ]
    assert template_changes(old, old) == []


def test_normalise_orders_by_position_and_drops_timestamps() -> None:
    t = {"id": "t", "last_updated": "2026-01-01T00:00:00Z",
         "prerun": {"data": [{"id": "b", "position": 2}, {"id": "a", "position": 1,
                                                          "created_at": "x"}]}}
    assert normalise_template(t) == {"id": "t", "steps": [],
                                     "prerun": [{"id": "a", "position": 1},
                                                {"id": "b", "position": 2}]}


def test_store_finds_titles_in_any_case_and_refuses_bad_files(tmp_path: Path) -> None:
    shutil.copytree(REPO / "templates", tmp_path / "templates")
    store = SnapshotStore.load(tmp_path / "templates")
    assert store is not None and store.knows("client onboarding")
    assert [t["id"] for t in store.find_templates("ONBOARD")] == [ONBOARDING]
    assert not store.knows("Vendor Onboarding (draft)")
    assert SnapshotStore.load(tmp_path / "nowhere") is None
    (tmp_path / "templates" / "bad.json").write_text("{")
    with pytest.raises(ConfigError, match="cannot read snapshot"):
        SnapshotStore.load(tmp_path / "templates")


# -- roles, offline ------------------------------------------------------------------------

ROLE_MANAGER = "0f3b8e1c2d4a4b6c8e0f1a2b3c4d5e6f"  # Client Onboarding's first step's role


def test_offline_plan_checks_role_keys_against_the_snapshot_steps(
    tmp_path: Path, listener: socket.socket
) -> None:
    root = with_snapshots(tmp_path)
    spec = root / "specs" / "onboarding-globex.yaml"
    typo = ROLE_MANAGER[:-1] + "0"
    spec.write_text(spec.read_text() + f"roles:\n  {typo}: {{users: [jane@example.com]}}\n")
    result = run_cli(root, "plan", env=offline_env(listener))
    assert result.code == 1, result.text
    where = f"specs/onboarding-globex.yaml:{line_of(spec, f'  {typo}')}"
    assert f"{where}:37: error: role '{typo}' is not a role any step of 'Client Onboarding' " \
           "is assigned to" in result.err
    assert f"did you mean '{ROLE_MANAGER}'?" in result.err
    spec.write_text(spec.read_text().replace(typo, ROLE_MANAGER))
    assert run_cli(root, "plan", env=offline_env(listener)).code == 0
    assert no_connection_was_made(listener)


def test_a_snapshot_whose_steps_do_not_list_roles_checks_no_role_key(
    tmp_path: Path, listener: socket.socket
) -> None:
    """Nothing read then names the organisation's roles: Tallyfy alone can check the key."""
    root = with_snapshots(tmp_path)
    snapshot = root / "templates" / f"{ONBOARDING}.json"
    doc = json.loads(snapshot.read_text())
    for step in doc["template"]["steps"]:
        step.pop("roles", None)
    snapshot.write_text(dumps(doc))
    spec = root / "specs" / "onboarding-globex.yaml"
    spec.write_text(spec.read_text() + "roles:\n  anything: {users: [jane@example.com]}\n")
    result = run_cli(root, "plan", env=offline_env(listener))
    assert result.code == 0, result.text
