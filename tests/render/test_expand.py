"""for_each and every, offline: launch keys, `each.*` and `launch.period*`, errors at positions."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from runner.check.check import check_files, find_spec_files
from runner.errors import SpecError
from runner.project import project
from runner.project.project import PlanInputs, without_history
from runner.render.expand import history_keys
from runner.specs.config import load_config
from runner.state.lockfile import LockEntry, Lockfile

NOW = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
HEAD = "id: ob\ntemplate: Client Onboarding\n"


def _project(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def _names(root: Path, now: datetime = NOW, backfill: int = 0) -> dict[str, str]:
    """Launch key -> rendered name, from an offline plan."""
    planned = project.plan(PlanInputs(load_config(root), None, now=now, backfill=backfill))
    return {a.key: a.desired.rendered.name for a in planned.plan.actions if a.desired}


def _kinds(root: Path, now: datetime = NOW, backfill: int = 0) -> dict[str, str]:
    """Launch key -> its action (and due day, when not due yet), from an offline plan."""
    planned = project.plan(PlanInputs(load_config(root), None, now=now, backfill=backfill))
    return {
        a.key: a.row + (f" due {a.desired.rendered.due}" if a.desired and a.desired.rendered.due
                         else "")
        for a in planned.plan.actions
    }


def _errors(root: Path) -> list[str]:
    config = load_config(root)
    _, diagnostics = check_files(config, find_spec_files(config))
    return [str(d) for d in diagnostics if d.severity == "error"]


def test_list_of_scalars(tmp_path: Path) -> None:
    spec = HEAD + "for_each: [globex, 42, initech]\nname: '{{ each.key }}/{{ each.value }}'\n"
    root = _project(tmp_path, {"specs/a.yaml": spec})
    assert _names(root) == {"ob[globex]": "globex/globex", "ob[42]": "42/42",
                            "ob[initech]": "initech/initech"}


def test_map_and_list_of_mappings(tmp_path: Path) -> None:
    root = _project(tmp_path, {
        "specs/a.yaml": HEAD + "for_each:\n  globex: {client: Globex Corp}\n"
        "  initech: {client: Initech}\nname: '{{ each.value.client }} ({{ each.key }})'\n",
        "specs/b.yaml": "id: ls\ntemplate: T\nfor_each:\n  - {id: a1, n: One}\n"
        "  - {key: b2, n: Two}\nname: '{{ each.value.n }}'\n",
        "specs/c.yaml": "id: kf\ntemplate: T\nkey_field: code\nfor_each:\n"
        "  - {code: x, id: ignored}\nname: '{{ each.value.id }}'\n",
    })
    assert _names(root) == {
        "ob[globex]": "Globex Corp (globex)", "ob[initech]": "Initech (initech)",
        "ls[a1]": "One", "ls[b2]": "Two", "kf[x]": "ignored",
    }


def test_csv_and_yaml_files_relative_to_the_spec(tmp_path: Path) -> None:
    root = _project(tmp_path, {
        "specs/team/a.yaml": HEAD + "for_each: ../data/clients.csv\nkey_field: code\n"
        "name: '{{ each.value.client }}'\n",
        "specs/data/clients.csv": "code,client\nglobex,\"Globex, Corp\"\n\ninitech,Initech\n,\n",
        "specs/b.yaml": "id: y\ntemplate: T\nfor_each: data/list.yaml\n"
        "name: '{{ each.value.n }}'\n",
        "specs/data/list.yaml": "- {id: p, n: P}\n- {id: q, n: Q}\n",
    })
    assert _names(root) == {"ob[globex]": "Globex, Corp", "ob[initech]": "Initech",
                            "y[p]": "P", "y[q]": "Q"}


def test_reordering_keeps_keys_and_digests(tmp_path: Path) -> None:
    spec = HEAD + "for_each:\n{items}\nname: '{{{{ each.value.client }}}}'\n"
    items = ["  - {id: a, client: A}", "  - {id: b, client: B}", "  - {id: c, client: C}"]
    root = _project(tmp_path, {"specs/a.yaml": spec.format(items="\n".join(items))})

    def digests() -> dict[str, tuple[str, str]]:
        planned = project.plan(PlanInputs(load_config(root), None, now=NOW))
        return {a.key: a.desired.source_digests() for a in planned.plan.actions if a.desired}

    before = digests()
    (root / "specs/a.yaml").write_text(spec.format(items="\n".join(reversed(items))))
    assert digests() == before and len(before) == 3


def test_each_and_period_need_their_keys(tmp_path: Path) -> None:
    root = _project(tmp_path, {"specs/a.yaml": "id: a\ntemplate: T\nname: '{{ each.key }}'\n"
                               "summary: '{{ launch.period }}'\n"})
    assert _errors(root) == [
        "specs/a.yaml:3:7: error: template uses 'each', but this spec has no for_each",
        "specs/a.yaml:4:10: error: template uses 'launch.period…', but this spec has no every:",
    ]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"specs/a.yaml": HEAD + "for_each: [ok, Globex Corp, -x]\n"},
         ["specs/a.yaml:3:16: error: element key 'Globex Corp' cannot be part of a launch key: "
          "it holds ' '", "specs/a.yaml:3:29: error: element key '-x' cannot"]),
        ({"specs/a.yaml": HEAD + "for_each:\n  - a\n  - b\n  - A\n  - a\n"},
         ["specs/a.yaml:6:5: error: duplicate element key 'A' (as 'a', ignoring case), "
          "first at specs/a.yaml:4:5", "specs/a.yaml:7:5: error: duplicate element key 'a'"]),
        ({"specs/a.yaml": HEAD + "for_each: d.csv\n", "specs/d.csv": "id,n\nx,1\ny,2\nx,3\n"},
         ["specs/d.csv:4:1: error: duplicate element key 'x', first at specs/d.csv:2:1"]),
        ({"specs/a.yaml": HEAD + "for_each: d.csv\n", "specs/d.csv": "name,n\nx,1\n"},
         ["specs/d.csv:1:1: error: the CSV file needs an 'id' or 'key' column"]),
        ({"specs/a.yaml": HEAD + "for_each: d.csv\n", "specs/d.csv": "id,n\nx,1,2\n"},
         ["specs/d.csv:2:1: error: this row has 3 cells; the header has 2"]),
        ({"specs/a.yaml": HEAD + "for_each: nope.csv\n"},
         ["specs/a.yaml:3:11: error: for_each file 'nope.csv' does not exist"]),
        ({"specs/a.yaml": HEAD + "for_each: ../../x.yaml\n"},
         ["specs/a.yaml:3:11: error: for_each file '../../x.yaml' is outside the project root"]),
        ({"specs/a.yaml": HEAD + "for_each: d.yaml\n", "specs/d.yaml": "- a\n- {id: b}\n- [c]\n"},
         ["specs/d.yaml:3:3: error: item 2 is not a usable key"]),
        ({"specs/a.yaml": HEAD + "for_each:\n  - {n: 1}\n"},
         ["specs/a.yaml:4:5: error: item 0 is a mapping without a key"]),
        ({"specs/a.yaml": HEAD + "key_field: code\nfor_each:\n  - {id: 1}\n"},
         ["specs/a.yaml:5:5: error: item 0 has no 'code' field"]),
        ({"specs/a.yaml": HEAD + "key_field: code\nfor_each: {a: 1}\n"},
         ["specs/a.yaml:3:12: error: key_field applies to a list of mappings"]),
        ({"specs/a.yaml": HEAD + "key_field: code\n"},
         ["specs/a.yaml:3:12: error: key_field needs for_each"]),
        ({"specs/a.yaml": HEAD + "on: monday\n"},
         ["specs/a.yaml:3:5: error: on: needs every:"]),
        ({"specs/a.yaml": HEAD + "every: monthly\non: 1th of month\n"},
         ["specs/a.yaml:4:5: error: 'on: 1th of month' is not understood"]),
        ({"specs/a.yaml": HEAD + "every: montly\n"},
         ["specs/a.yaml:3:8: error: 'every': 'montly' is not one of"]),
        ({"specs/a.yaml": HEAD + "every: weekly\ntimezone: Mars/Olympus\n"},
         ["specs/a.yaml:4:11: error: unknown time zone 'Mars/Olympus'"]),
        ({"specs/a.yaml": HEAD + "for_each: data.txt\n"},
         ["specs/a.yaml:3:11: error: 'for_each': 'data.txt' is not a non-empty list"]),
    ],
    ids=lambda v: "" if isinstance(v, list) else next(iter(v.values()))[len(HEAD):][:24],
)
def test_errors_at_their_positions(
    tmp_path: Path, files: dict[str, str], expected: list[str]
) -> None:
    errors = _errors(_project(tmp_path, files))
    assert len(errors) == len(expected), errors
    for got, want in zip(errors, expected, strict=True):
        assert got.startswith(want), errors


@pytest.mark.parametrize(
    ("parent", "says"),
    [
        ("ob[globex]", None),
        ("ob", "parent 'ob' has for_each: name one element, as 'ob[KEY]'"),
        ("ob[nope]", "parent 'ob[nope]': 'ob' has no element 'nope' (globex, initech)"),
        ("single[x]", "parent 'single[x]': spec 'single' has no for_each"),
        ("close", "parent 'close' recurs (every:); a recurring parent is not supported yet"),
        ("obb[globex]", "parent 'obb[globex]' names no spec (did you mean 'ob'?)"),
    ],
)
def test_parent_may_name_one_element(tmp_path: Path, parent: str, says: str | None) -> None:
    root = _project(tmp_path, {
        "specs/a.yaml": HEAD + "for_each: [globex, initech]\n---\nid: single\ntemplate: T\n"
        "---\nid: close\ntemplate: T\nevery: monthly\n---\n"
        f"id: child\ntemplate: T\nparent: {parent}\n",
    })
    errors = _errors(root)
    assert errors == ([] if says is None else [f"specs/a.yaml:14:9: error: {says} (at parent)"])


def test_parent_key_links_to_the_element(tmp_path: Path) -> None:
    root = _project(tmp_path, {"specs/a.yaml": HEAD + "for_each: [globex, initech]\n---\n"
                               "id: kid\ntemplate: T\nparent: ob[initech]\n"})
    planned = project.plan(PlanInputs(load_config(root), None, now=NOW))
    order = [a.key for a in planned.plan.actions]
    assert order.index("ob[initech]") < order.index("kid")
    kid = next(a for a in planned.plan.actions if a.key == "kid")
    assert kid.desired is not None and kid.desired.rendered.parent == "ob[initech]"


MONTHLY = (
    "id: close\ntemplate: T\nevery: monthly\non: 1st working day\ntimezone: Europe/Berlin\n"
    "name: '{{ launch.period }} {{ launch.period_start }} {{ launch.period_end }} "
    "{{ launch.key }}'\n"
)


def test_recurring_keys_and_period_names(tmp_path: Path) -> None:
    root = _project(tmp_path, {"specs/a.yaml": MONTHLY})
    assert _names(root) == {"close@2026-11": "2026-11 2026-11-01 2026-11-30 close@2026-11"}
    # 23:30 UTC on 30 November is December in Berlin, and 1 December 2026 is a Tuesday.
    assert list(_names(root, datetime(2026, 11, 30, 23, 30, tzinfo=UTC))) == ["close@2026-12"]
    # Sunday 1 November: not yet due (shown with its due day, Monday the 2nd), and October is
    # not back-filled without --backfill.
    sunday = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    assert _kinds(root, sunday) == {"close@2026-11": "scheduled due 2026-11-02"}
    assert _kinds(root, sunday, 2) == {"close@2026-09": "launch", "close@2026-10": "launch",
                                       "close@2026-11": "scheduled due 2026-11-02"}


def test_for_each_with_every(tmp_path: Path) -> None:
    root = _project(tmp_path, {"specs/a.yaml": "id: r\ntemplate: T\nfor_each: [a, b]\n"
                               "every: quarterly\nname: '{{ each.key }} {{ launch.period }}'\n"})
    assert _names(root) == {"r[a]@2026-Q4": "a 2026-Q4", "r[b]@2026-Q4": "b 2026-Q4"}


def test_replace_names_instance_keys(tmp_path: Path) -> None:
    root = _project(tmp_path, {"specs/a.yaml": HEAD + "for_each: [globex]\n"})
    with pytest.raises(Exception, match=r"--replace names no spec: ob$"):
        project.plan(PlanInputs(load_config(root), None, now=NOW, replace=["ob"]))
    project.plan(PlanInputs(load_config(root), None, now=NOW, replace=["ob[globex]"]))


def test_history_is_hidden_not_orphaned(tmp_path: Path) -> None:
    root = _project(tmp_path, {"specs/a.yaml": MONTHLY + "---\n" + HEAD + "for_each: [a]\n"
                               "every: weekly\n"})
    specs, _ = check_files(load_config(root), find_spec_files(load_config(root)))
    keys = ["close@2026-09", "close@2026-11", "close@2026-12", "ob[a]@2026-W40",
            "ob[gone]@2026-W40", "ob[gone]@2026-W48", "other@2026-09", "close@2026-Q3"]
    wanted = {"close@2026-11", "ob[a]@2026-W48"}
    hidden = history_keys(keys, specs, wanted, "2026-11-29T10:00:00Z", "UTC")
    assert sorted(set(keys) - hidden) == ["close@2026-11", "close@2026-Q3", "ob[gone]@2026-W48",
                                          "other@2026-09"]
    lock = Lockfile("lineage", 3, None, {k: _entry(k) for k in keys})
    shown, notes = without_history(lock, specs, wanted, "2026-11-29T10:00:00Z", "UTC")
    assert sorted(shown.entries) == sorted(set(keys) - hidden)
    assert shown.serial == 3 and notes == [
        "4 launch(es) of other periods are recorded and not shown (history)"]


def _entry(key: str) -> LockEntry:
    return LockEntry(run_id=f"run-{key}", template_id="t", launched_at="2026-01-01T00:00:00Z",
                     name=key, digest="d")


def test_plan_errors_stop_before_any_rendering(tmp_path: Path) -> None:
    root = _project(tmp_path, {"specs/a.yaml": HEAD + "for_each: missing.csv\n"})
    with pytest.raises(SpecError):
        project.plan(PlanInputs(load_config(root), None, now=NOW))


def test_a_period_not_yet_due_is_still_checked(tmp_path: Path) -> None:
    spec = MONTHLY.replace("name:", "summary: \"{{ launch.period_start | add_days('x') }}\"\nname:")
    root = _project(tmp_path, {"specs/a.yaml": spec})
    sunday = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)  # November is not due yet
    with pytest.raises(SpecError) as info:
        project.plan(PlanInputs(load_config(root), None, now=sunday))
    assert [d.pos.line for d in info.value.diagnostics if d.pos] == [6]
    assert _kinds(_project(tmp_path, {"specs/a.yaml": MONTHLY}), sunday) == {
        "close@2026-11": "scheduled due 2026-11-02"}
