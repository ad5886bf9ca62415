"""A launch answered with an error is read back before it counts as not launched."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.chaos.harness import Server, read_lock
from tests.support.cli import Result, make_project, run_cli
from tests.support.sandbox import SandboxProcess


def _lying_apply(
    tmp_path: Path, factory: Callable[..., SandboxProcess], provenance: bool
) -> tuple[Path, Server, Result, Result]:
    """Apply while every committed launch is answered 422, then again with an honest server."""
    server = Server(factory("--admin", "--fault-seed", "5"))
    root = make_project(tmp_path)
    flag = "true" if provenance else "false"
    (root / "launchspec.yaml").write_text(f"limits: {{settle_seconds: 1}}\nprovenance: {flag}\n")
    server.set_faults(error_after_commit=1.0)
    first = run_cli(root, "apply", "--yes", env=server.sb.env())
    server.set_faults(error_after_commit=0.0)
    second = run_cli(root, "apply", "--yes", env=server.sb.env())
    return root, server, first, second


def test_with_markers_the_run_is_found_and_recorded(
    tmp_path: Path, sandbox_factory: Callable[..., SandboxProcess]
) -> None:
    root, server, first, second = _lying_apply(tmp_path, sandbox_factory, provenance=True)
    assert first.code == 0, first.text
    assert "confirmed by read-back" in first.out
    assert second.code == 0 and "nothing to do" in second.out.lower(), second.text
    runs = server.runs()
    assert len(runs) == 5
    lock = read_lock(root)
    assert lock is not None
    assert sorted(e.run_id for e in lock.entries.values()) == sorted(r["id"] for r in runs)


def test_without_markers_it_stops_and_asks_never_relaunches(
    tmp_path: Path, sandbox_factory: Callable[..., SandboxProcess]
) -> None:
    _, server, first, second = _lying_apply(tmp_path, sandbox_factory, provenance=False)
    assert first.code == 1
    assert second.code == 1 and "launchspec import" in second.err, second.text
    names = [r["name"] for r in server.runs()]
    # before the fix: 9 runs, four specs launched twice; now each at most once (a child whose
    # parent is unsettled waits for it)
    assert names and len(names) == len(set(names)), sorted(names)
