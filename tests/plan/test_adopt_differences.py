"""After `forget`, a run found by its marker that differs from the spec is adopted with its
differences shown, compared as `import` compares (issue 21, item 2)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import lockfile, make_project, run_cli
from tests.support.sandbox import SandboxProcess, list_runs

GMBH = "month-end-2026-11-acme-gmbh"


def test_adopting_a_run_that_differs_shows_the_differences(
    tmp_path: Path, sandbox: SandboxProcess
) -> None:
    root, env = make_project(tmp_path), sandbox.env()
    assert run_cli(root, "apply", "--yes", env=env).code == 0
    run_id = lockfile(root)["launches"][GMBH]["run_id"]
    assert run_cli(root, "forget", GMBH).code == 0
    spec = root / "specs" / "month-end-close.yaml"
    spec.write_text(spec.read_text().replace("currency: EUR", "currency: USD"))

    planned = run_cli(root, "plan", "--detailed-exitcode", env=env)
    assert planned.code == 3, planned.text  # adopting it needs a person's look
    assert f"<= {GMBH}  to adopt" in planned.out, planned.out
    assert "Reporting currency: EUR -> USD" in planned.out, planned.out
    assert "already used by run" not in planned.out, planned.out  # the run adopted, not a clash
    doc = json.loads(run_cli(root, "plan", "--format", "json", env=env).out)
    (adopt,) = [a for a in doc["actions"] if a["key"] == GMBH]
    assert adopt["changes"] == [{"field": "Reporting currency", "old": "EUR", "new": "USD"}]
    markdown = run_cli(root, "plan", "--format", "markdown", env=env).out
    assert "| Field | On the run | In the spec |" in markdown, markdown
    assert "| Reporting currency | EUR | USD |" in markdown, markdown

    applied = run_cli(root, "apply", "--yes", env=env)
    assert applied.code == 0 and f"adopted {GMBH}" in applied.out, applied.text
    assert lockfile(root)["launches"][GMBH]["run_id"] == run_id
    assert len(list_runs(sandbox)) == 5
    after = run_cli(root, "plan", env=env)
    assert f"! {GMBH}  edited after launch" in after.out, after.out
    assert "Reporting currency: EUR -> USD" in after.out, after.out


def test_import_and_adoption_compare_alike(tmp_path: Path, sandbox: SandboxProcess) -> None:
    root, env = make_project(tmp_path), sandbox.env()
    assert run_cli(root, "apply", "--yes", env=env).code == 0
    run_id = lockfile(root)["launches"][GMBH]["run_id"]
    assert run_cli(root, "forget", GMBH).code == 0
    spec = root / "specs" / "month-end-close.yaml"
    spec.write_text(spec.read_text().replace("currency: EUR", "currency: USD"))
    refused = run_cli(root, "import", GMBH, run_id, env=env)
    assert refused.code != 0
    assert "kick-off Reporting currency: 'USD' in the spec, 'EUR' on the run" in refused.err, \
        refused.text
