"""`launchspec sandbox`: click-style help like every command, and the lines to paste."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from tests.support.cli import make_project, run_cli, run_cli_process

TEST_TOKEN = "lsbx-test-token-not-a-secret"  # the sandbox's fixed test value, not a secret


@contextmanager
def sandbox_lines(*args: str, want: int) -> Iterator[list[str]]:
    """`launchspec sandbox --port 0 ARGS`: its first `want` lines of output, while it runs."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "runner", "sandbox", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )
    assert proc.stdout is not None
    stdout = proc.stdout
    lines: list[str] = []
    # A reader thread, not select(): the text buffer may already hold the lines select waits for.
    reader = threading.Thread(target=lambda: lines.extend(_first(stdout, want)), daemon=True)
    reader.start()
    try:
        reader.join(timeout=60)  # a loaded machine may take seconds to start a server
        yield lines
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        stdout.close()


def _first(stream: IO[str], want: int) -> list[str]:
    out: list[str] = []
    while len(out) < want and (line := stream.readline()):
        out.append(line.rstrip("\n"))
    return out


def test_help_is_click_style_with_examples(tmp_path: Path) -> None:
    shown = run_cli_process(tmp_path, "sandbox", "--help")
    assert shown.code == 0, shown.text
    assert shown.out.startswith("Usage: launchspec sandbox [OPTIONS]\n"), shown.out
    assert "Options:\n" in shown.out and "Examples:\n" in shown.out
    assert "  --port INTEGER" in shown.out and "-h, --help" in shown.out
    assert run_cli_process(tmp_path, "sandbox", "-h").out == shown.out
    bad = run_cli_process(tmp_path, "sandbox", "--error-rate", "2")
    assert bad.code == 2 and "Error: Invalid value for '--error-rate'" in bad.err, bad.text


def test_it_prints_the_exports_to_paste_and_they_work(tmp_path: Path) -> None:
    with sandbox_lines(want=5) as lines:
        assert lines[0].startswith("sandbox ready url=http://127.0.0.1:"), lines
        exports = dict(
            line.removeprefix("export ").split("=", 1)
            for line in lines
            if line.startswith("export ")
        )
        assert set(exports) == {"TALLYFY_API_URL", "TALLYFY_ORG_ID", "TALLYFY_TOKEN"}, lines
        assert exports["TALLYFY_TOKEN"] == TEST_TOKEN
        listed = run_cli(make_project(tmp_path), "templates", "list", env=exports)
        assert listed.code == 0 and "4 templates (from the API)" in listed.out, listed.text


def test_a_token_of_ones_own_is_not_repeated(tmp_path: Path) -> None:
    with sandbox_lines("--token", "my-own-token-1234", want=5) as lines:
        text = "\n".join(lines[1:])
        assert "export TALLYFY_API_URL=" in text
        assert "my-own-token-1234" not in text, "only the fixed test token is printed to paste"
        assert "# export TALLYFY_TOKEN=<the --token value>" in text
