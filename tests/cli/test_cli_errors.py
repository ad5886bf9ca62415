"""Errors from the operating system reach the user as one line and an exit status."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from runner.cli.main import main
from runner.project import validation
from tests.support.cli import make_project


def test_os_error_is_one_line_without_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device", "launchspec.lock.json")

    monkeypatch.chdir(tmp_path)  # -C changes directory; restore it after the test
    monkeypatch.setattr(validation, "validate", full_disk)  # a mock: a full disk cannot be staged
    with pytest.raises(SystemExit) as exit_:
        main(["-C", str(tmp_path), "validate"])
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert "No space left on device" in err and "launchspec.lock.json" in err
    assert "Traceback" not in err


def test_plan_sandbox_does_not_run_a_runner_folder_of_the_project(tmp_path: Path) -> None:
    """A specs repository (or a pull request to one) with its own `runner/` runs nothing."""
    import shutil
    import subprocess
    import sys

    root = make_project(tmp_path)
    marker = tmp_path / "pwned"
    planted = root / "runner" / "sandbox"
    planted.mkdir(parents=True)
    (root / "runner" / "__init__.py").write_text("")
    (planted / "__init__.py").write_text("")
    (planted / "__main__.py").write_text(f"open({str(marker)!r}, 'w').write('x')\n")
    launchspec = shutil.which("launchspec", path=str(Path(sys.executable).parent))
    assert launchspec is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALLYFY_")}
    proc = subprocess.run([launchspec, "plan", "--sandbox"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)
    assert not marker.exists(), "the project's runner/sandbox/__main__.py ran"
    assert proc.returncode == 0, proc.stderr
