"""Errors from the operating system reach the user as one line and an exit status."""

from __future__ import annotations

import pytest

from runner.cli.main import main
from runner.project import project


def test_os_error_is_one_line_without_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: object
) -> None:
    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device", "launchspec.lock.json")

    monkeypatch.chdir(tmp_path)  # -C changes directory; restore it after the test
    monkeypatch.setattr(project, "validate", full_disk)  # a mock: a full disk cannot be staged
    with pytest.raises(SystemExit) as exit_:
        main(["-C", str(tmp_path), "validate"])
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert "No space left on device" in err and "launchspec.lock.json" in err
    assert "Traceback" not in err
