"""A template's auto-naming replaces the name sent: the lockfile records the server's name."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import yaml

from tests.chaos.harness import Server
from tests.support.cli import REPO, make_project, run_cli
from tests.support.sandbox import SandboxProcess, list_runs
from tests.support.seed import seed

KEY = "onboarding-globex"
ONBOARDING = "efd12534ded06f20e21b33e8dacf1f15"


def _auto_naming_sandbox(
    tmp_path: Path, sandbox_factory: Callable[..., SandboxProcess], *flags: str
) -> SandboxProcess:
    data = seed()
    onboarding = next(t for t in data["templates"] if t["id"] == ONBOARDING)
    onboarding.update(
        auto_naming=True, default_process_name_format="{{client_name}} / {{modules}}"
    )
    path = tmp_path / "seed.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return sandbox_factory("--seed", str(path), *flags)


def _one_spec_project(tmp_path: Path) -> Path:
    specs = tmp_path / "specs"
    specs.mkdir()
    shutil.copy(REPO / "specs" / f"{KEY}.yaml", specs)
    return make_project(tmp_path, specs)


def test_the_lockfile_records_the_name_auto_naming_gave(
    tmp_path: Path, sandbox_factory: Callable[..., SandboxProcess]
) -> None:
    sandbox = _auto_naming_sandbox(tmp_path, sandbox_factory)
    project, env = _one_spec_project(tmp_path), sandbox.env()

    applied = run_cli(project, "apply", "--yes", env=env)
    assert applied.code == 0, applied.text
    entry = json.loads((project / "launchspec.lock.json").read_text())["launches"][KEY]
    (run,) = [r for r in list_runs(sandbox) if r["id"] == entry["run_id"]]
    # The spec sent "Onboarding - Globex Corp (...)"; the template named it itself.
    assert run["name"] == "Globex Corp / Billing, Reporting, SSO"
    assert entry["name"] == run["name"]

    again = json.loads(run_cli(project, "plan", "--format", "json", env=env).out)
    (action,) = [a for a in again["actions"] if a["key"] == KEY]
    # the server's name is no edit to undo
    assert (action["action"], action["reason"]) == ("no-op", "up-to-date"), action


def test_without_markers_a_renamed_run_is_not_taken_for_absent(
    tmp_path: Path, sandbox_factory: Callable[..., SandboxProcess]
) -> None:
    """Without provenance markers a lost launch is looked for by name: a template that names
    its runs itself makes the name useless, so any run of it made since counts as a candidate
    (the user decides) instead of none (a second launch)."""
    server = Server(_auto_naming_sandbox(tmp_path, sandbox_factory, "--admin"))
    project = _one_spec_project(tmp_path)
    (project / "launchspec.yaml").write_text("limits: {settle_seconds: 1}\nprovenance: false\n")
    server.set_faults(error_after_commit=1.0)  # the run is made, the answer says 422
    first = run_cli(project, "apply", "--yes", env=server.sb.env())
    server.set_faults(error_after_commit=0.0)
    second = run_cli(project, "apply", "--yes", env=server.sb.env())
    assert first.code == 1 and second.code == 1, (first.text, second.text)
    assert "launchspec import" in second.err, second.text
    (run,) = server.runs()  # before the fix: launched again, a duplicate
    # The advice works: the template's name is no mismatch with the spec's.
    imported = run_cli(project, "import", KEY, run["id"], env=server.sb.env())
    assert imported.code == 0, imported.text
    entry = json.loads((project / "launchspec.lock.json").read_text())["launches"][KEY]
    assert entry["run_id"] == run["id"] and entry["name"] == run["name"]
