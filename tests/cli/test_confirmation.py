"""Answering "n" at apply's confirmation cancels: a message, nothing written, exit 1."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import time
from pathlib import Path

from tests.support.cli import make_project
from tests.support.sandbox import SandboxProcess, list_runs


def test_answering_no_cancels_and_writes_nothing(tmp_path: Path, sandbox: SandboxProcess) -> None:
    root = make_project(tmp_path)
    leader, follower = pty.openpty()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("TALLYFY_")},
           **sandbox.env()}
    proc = subprocess.Popen([sys.executable, "-m", "runner", "-C", str(root), "apply"],
                            stdin=follower, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    seen = b""
    deadline = time.monotonic() + 60
    while b"Apply these changes?" not in seen and time.monotonic() < deadline:
        seen += os.read(leader, 65536)
    os.write(leader, b"n\n")
    code = proc.wait(timeout=60)
    try:
        while chunk := os.read(leader, 65536):
            seen += chunk
    except OSError:
        pass
    os.close(leader)
    assert code == 1, seen.decode(errors="replace")
    assert b"Apply cancelled." in seen
    assert b"nothing to do" not in seen
    assert not (root / "launchspec.lock.json").exists()
    assert list_runs(sandbox) == []
