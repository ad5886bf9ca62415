"""`plan`/`apply --target KEY|GLOB|PATH`: a subset, said as such, and nothing else touched."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import make_project, run_cli
from tests.support.sandbox import SandboxProcess


def keys_of(out: str) -> dict[str, str]:
    return {a["key"]: a["row"] for a in json.loads(out)["actions"]}


def test_target_by_glob_and_by_path_plans_a_subset_and_says_so(
    tmp_path: Path, sandbox: SandboxProcess
) -> None:
    project, env = make_project(tmp_path), sandbox.env()
    glob = run_cli(project, "plan", "--target", "onboarding-*", "--format", "json", env=env)
    assert glob.code == 0, glob.text
    assert keys_of(glob.out) == {"onboarding-globex": "launch"}
    assert any("--target" in n for n in json.loads(glob.out)["notes"])
    by_path = run_cli(
        project, "plan", "--target", "specs/month-end-close.yaml", "--format", "json", env=env
    )
    assert set(keys_of(by_path.out)) == {
        "month-end-2026-11-acme-gmbh",
        "month-end-2026-11-acme-inc",
        "month-end-2026-11-acme-kk",
    }
    text = run_cli(project, "plan", "--target", "onboarding-*", env=env).out
    assert "1 to launch" in text and "--target" in text and "partial" in text


def test_apply_target_launches_only_the_subset(tmp_path: Path, sandbox: SandboxProcess) -> None:
    project, env = make_project(tmp_path), sandbox.env()
    applied = run_cli(project, "apply", "--yes", "--target", "onboarding-globex", env=env)
    assert applied.code == 0, applied.text
    lock = json.loads((project / "launchspec.lock.json").read_text())
    assert set(lock["launches"]) == {"onboarding-globex"}
    rest = keys_of(run_cli(project, "plan", "--format", "json", env=env).out)
    assert rest["onboarding-globex"] == "unchanged"
    assert sum(1 for k in rest.values() if k == "launch") == 4


def test_a_target_that_matches_nothing_is_a_usage_error(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    bad = run_cli(project, "plan", "--offline", "--target", "onbaording-*")
    assert bad.code == 2
    assert "--target onbaording-* matches no launch key or spec file" in bad.err


def test_an_exact_key_a_spec_id_and_a_glob_over_elements(tmp_path: Path) -> None:
    project = make_project(tmp_path, repeating=True)
    (project / "specs" / "month-end-close-monthly.yaml").unlink()

    def chosen(target: str) -> set[str]:
        found = run_cli(project, "plan", "--offline", "--target", target, "--format", "json")
        assert found.code == 0, found.text
        return set(keys_of(found.out))

    assert chosen("client-onboarding[hooli]") == {"client-onboarding[hooli]"}
    everyone = {f"client-onboarding[{k}]" for k in ("initech", "umbrella", "hooli")}
    assert chosen("client-onboarding") == everyone
    assert chosen("client-onboarding[*]") == everyone
    assert chosen("client-onboarding[h*]") == {"client-onboarding[hooli]"}
    assert run_cli(project, "plan", "--offline", "--target", "client-onboarding[h]").code == 2
