"""File format versions: files written before 0.1.0 (tests/state/written-before-0.1.0/) are read
the same and upgraded on their first write; a newer or unknown format is refused with what to do,
never a traceback, and the file is left as it was."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

import runner
from runner import __version__
from runner.errors import ConfigError, JournalError, LockfileError, StalePlanError, UsageError
from runner.project.guards import load_saved_plan
from runner.snapshots.folder import DIRECTORY_FILE
from runner.snapshots.store import SNAPSHOT, SnapshotStore, write_template
from runner.state.formats import NEEDS, Format
from runner.state.journal import JOURNAL, Journal
from runner.state.lockfile import LOCKFILE, read_lockfile, write_lockfile
from runner.views.planjson import PLAN_FORMAT
from tests.support.cli import run_cli

BEFORE = Path(__file__).parent / "written-before-0.1.0"
FORMATS = [LOCKFILE, JOURNAL, PLAN_FORMAT, SNAPSHOT]


# -- the machinery ------------------------------------------------------------------------------

def _three() -> Format:
    """A format at 3 whose 1 and 2 are brought forward step by step."""
    return Format("widget", "format_version", 3, {1: "0.1.0", 2: "0.2.0", 3: "0.5.0"},
                  upgrades={1: lambda d: {**d, "format_version": 2, "b": d["a"] * 2},
                            2: lambda d: {**d, "format_version": 3, "c": d["b"] + 1}},
                  error=LockfileError)


def test_an_older_document_is_brought_forward_one_number_at_a_time() -> None:
    fmt = _three()
    assert fmt.upgrade({"format_version": 1, "a": 5}, "w")["c"] == 11
    assert fmt.upgrade({"format_version": 2, "b": 4}, "w")["c"] == 5
    current = {"format_version": 3, "c": 0}
    assert fmt.upgrade(current, "w") is current
    assert fmt.stamp() == {"format_version": 3, NEEDS: "0.5.0"}


@pytest.mark.parametrize(("needs", "says", "install"), [
    ("0.7.1", "it needs launchspec 0.7.1 or newer", 'pip install "launchspec>=0.7.1"'),
    (None, "it needs a newer launchspec", "pip install -U launchspec"),
    ("0.7\n\x1b[31m", "it needs a newer launchspec", "pip install -U launchspec"),
])
def test_a_newer_document_is_refused_naming_the_release_it_needs(
    needs: str | None, says: str, install: str
) -> None:
    with pytest.raises(LockfileError) as caught:
        _three().version({"format_version": 4, NEEDS: needs}, "x.json")
    error = caught.value
    assert error.message == (f"x.json is a widget of format 4, newer than this launchspec "
                             f"({runner.__version__}) reads (format 3 at most): {says}. "
                             "Nothing was changed")
    assert error.hint and install in error.hint and "\x1b" not in error.message


@pytest.mark.parametrize("found", ["2", 0, -1, 1.5, True, [1]])
def test_an_unknown_format_number_is_refused(found: Any) -> None:
    with pytest.raises(LockfileError, match="which no launchspec writes"):
        _three().version({"format_version": found}, "x.json")


def test_every_format_says_which_release_reads_each_number() -> None:
    """A new number needs its release here (docs/compatibility.md too), and a way forward from
    the one before, but for saved plans, which are never brought forward."""
    for fmt in FORMATS:
        assert set(fmt.since) == set(range(1, fmt.current + 1)), fmt.name
        if fmt is not PLAN_FORMAT:
            assert set(fmt.upgrades) == set(range(1, fmt.current)), fmt.name


# -- files written before 0.1.0 -----------------------------------------------------------------

def test_lockfile_before_0_1_0_is_read_the_same_and_stamped_on_its_first_write(
    tmp_path: Path,
) -> None:
    path = tmp_path / "launchspec.lock.json"
    shutil.copy(BEFORE / "launchspec.lock.json", path)
    old = json.loads(path.read_text())
    lock = read_lockfile(path)
    assert lock.lineage == old["lineage"] and lock.serial == 1
    assert lock.entries["example-onboarding"].run_id == "9a76122c7e66479e9aa5708d90eb0a45"
    write_lockfile(path, lock)
    assert json.loads(path.read_text()) == {**old, NEEDS: "0.1.0"}
    assert read_lockfile(path) == lock


def test_journal_before_0_1_0_is_read_the_same_and_new_lines_carry_their_format(
    tmp_path: Path,
) -> None:
    shutil.copy(BEFORE / "journal.jsonl", tmp_path / "journal.jsonl")
    before = (tmp_path / "journal.jsonl").read_bytes()
    journal = Journal(tmp_path)
    assert journal.records() == [json.loads(line) for line in before.splitlines()]
    assert [i.key for i in journal.pending()] == ["example-third"]
    assert [(i.key, run) for i, run in journal.launched()] == [
        ("example-onboarding", "9a76122c7e66479e9aa5708d90eb0a45")]
    journal.intent("example-fourth", "marker", {"template_id": "t"})
    after = journal.path.read_bytes()
    assert after.startswith(before), "an append never rewrites older lines"
    assert json.loads(after.splitlines()[-1])[NEEDS] == "0.1.0"
    journal.compact()
    for line in journal.path.read_bytes().splitlines():
        assert json.loads(line)["format_version"] == 1 and json.loads(line)[NEEDS] == "0.1.0"
    assert [i.key for i in journal.pending()] == ["example-third", "example-fourth"]


def test_saved_plan_before_0_1_0_is_refused_as_made_by_another_launchspec() -> None:
    with pytest.raises(StalePlanError) as caught:
        load_saved_plan(BEFORE / "plan.json")
    assert "one before 0.1.0" in caught.value.message
    assert "plan --out" in str(caught.value.hint)


def test_snapshots_before_0_1_0_are_read_the_same_and_stamped_when_pulled_again(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "templates"
    shutil.copytree(BEFORE / "templates", folder)
    store = SnapshotStore.load(folder)
    assert store is not None and store.organization == "5192e8fadff2a873872ba9aed3f2e334"
    template = store.get_template("efd12534ded06f20e21b33e8dacf1f15")
    assert template["title"] == "Client Onboarding"
    path = write_template(folder, template, "5192e8fadff2a873872ba9aed3f2e334")
    old = json.loads((BEFORE / "templates" / path.name).read_text())
    assert json.loads(path.read_text()) == {**old, NEEDS: "0.1.0"}


def test_a_project_of_files_before_0_1_0_plans_as_before(tmp_path: Path) -> None:
    assert run_cli(tmp_path, "init").code == 0
    shutil.copy(BEFORE / "launchspec.lock.json", tmp_path)
    shutil.copytree(BEFORE / "templates", tmp_path / "templates")
    planned = run_cli(tmp_path, "--no-color", "plan", "--offline")
    assert planned.code == 0, planned.text
    assert "No changes" in planned.out, planned.out


# -- a newer launchspec's files: refused, named, untouched --------------------------------------

def _newer(doc: dict[str, Any], key: str = "format_version") -> dict[str, Any]:
    return {**doc, key: 2, NEEDS: "0.4.0"}


def test_a_newer_lockfile_stops_every_command_and_is_left_as_it_was(tmp_path: Path) -> None:
    assert run_cli(tmp_path, "init").code == 0
    newer = json.dumps(_newer(json.loads((BEFORE / "launchspec.lock.json").read_text())))
    (tmp_path / "launchspec.lock.json").write_text(newer)
    nowhere = {"TALLYFY_TOKEN": "t", "TALLYFY_ORG_ID": "5192e8fadff2a873872ba9aed3f2e334",
               "TALLYFY_API_URL": "http://127.0.0.1:9"}  # read before anything is sent
    for command in (["plan", "--offline"], ["apply", "--yes"], ["forget", "example-onboarding"]):
        ran = run_cli(tmp_path, *command, env=nowhere)
        assert ran.code == 1, (command, ran.text)
        assert "is a lockfile of format 2, newer than this launchspec" in ran.err
        assert "it needs launchspec 0.4.0 or newer" in ran.err
        assert 'pip install "launchspec>=0.4.0"' in ran.err and "Traceback" not in ran.text
        assert (tmp_path / "launchspec.lock.json").read_text() == newer


def test_a_newer_journal_line_stops_apply(tmp_path: Path) -> None:
    state = tmp_path / ".launchspec"
    state.mkdir()
    lines = (BEFORE / "journal.jsonl").read_text().splitlines()
    lines[-1] = json.dumps(_newer(json.loads(lines[-1])))
    (state / "journal.jsonl").write_text("\n".join(lines) + "\n")
    with pytest.raises(JournalError, match=r"journal.jsonl:5 is a journal line of format 2, "
                                           r"newer .* needs launchspec 0\.4\.0 or newer"):
        Journal(state).pending()


def test_a_newer_snapshot_is_refused_and_never_pulled_over(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    shutil.copytree(BEFORE / "templates", folder)
    path = folder / DIRECTORY_FILE
    newer = json.dumps(_newer(json.loads(path.read_text()), "format"))
    path.write_text(newer)
    with pytest.raises(ConfigError, match=r"is a template snapshot of format 2, newer .* "
                                          r"needs launchspec 0\.4\.0"):
        SnapshotStore.load(folder)
    from runner.snapshots.store import write_directory

    with pytest.raises(ConfigError, match=r"0\.4\.0 or newer"):
        write_directory(folder, {"users": []}, "org")
    assert path.read_text() == newer


def test_a_saved_plan_of_format_1_is_refused_with_what_changed(tmp_path: Path) -> None:
    """Format 1 said one word for an action and its reason; its checksum is not format 2's."""
    doc = json.loads((BEFORE / "plan.json").read_text())
    old = {**doc, "format_version": 1, "launchspec_version": __version__}
    (tmp_path / "plan.json").write_text(json.dumps(old))
    with pytest.raises(StalePlanError, match="saved plan of format 1, which said one word") as e:
        load_saved_plan(tmp_path / "plan.json")
    assert "plan --out" in str(e.value.hint)


def test_a_saved_plan_from_a_newer_launchspec_names_it(tmp_path: Path) -> None:
    doc = json.loads((BEFORE / "plan.json").read_text())
    newer = {**_newer(doc), "format_version": PLAN_FORMAT.current + 1}
    (tmp_path / "plan.json").write_text(json.dumps(newer))
    with pytest.raises(UsageError, match=rf"is a saved plan of format {newer['format_version']}, "
                                         r"newer .* needs "
                                         r"launchspec 0\.4\.0 or newer"):
        load_saved_plan(tmp_path / "plan.json")
    (tmp_path / "plan.json").write_text(json.dumps({**doc, "launchspec_version": "0.3.1"}))
    with pytest.raises(StalePlanError, match=r"made by launchspec 0\.3\.1; this is launchspec"):
        load_saved_plan(tmp_path / "plan.json")
