"""Run the launchspec CLI on a scratch project copied from specs/: in this process (the
default: 0.01 s a run instead of 0.25 s for a new interpreter) or, where a process is what a
test is about, as a real subprocess."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Result:
    """Exit status and output of one CLI run."""

    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


# The for_each and every examples launch a number of processes that depends on the day; the
# tests that count launches use the single-launch examples,
# tests/apply/test_for_each_apply.py the rest.
REPEATING = ("client-onboarding.yaml", "month-end-close-monthly.yaml", "data")


def make_project(tmp: Path, specs: Path | None = None, *, repeating: bool = False) -> Path:
    """A project root holding a copy of `specs` (default: the repo's single-launch examples, and
    with `repeating` also the for_each and every examples)."""
    root = tmp / "project"
    skip = None if specs or repeating else shutil.ignore_patterns(*REPEATING)
    shutil.copytree(specs or REPO / "specs", root / "specs", ignore=skip)
    # The sandbox never commits a launch after its client has gone, so waiting a minute for a
    # lost launch to appear (limits.settle_seconds) would only slow the tests down.
    (root / "launchspec.yaml").write_text("limits: {settle_seconds: 1}\n")
    return root


def cli_environment(env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a CLI run sees: this one without TALLYFY_* and GITHUB_*, plus `env`."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("TALLYFY_", "GITHUB_"))}
    return {**base, **(env or {})}


def run_cli(
    root: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> Result:
    """`launchspec -C ROOT ARGS…` in this process, with the given extra environment (TALLYFY_*
    and GITHUB_* cleared first), no stdin, and stdout/stderr captured. `timeout` is the
    subprocess's; in process the test's own timeout (pytest-timeout) bounds a run."""
    assert "sandbox" not in args[:1], "`launchspec sandbox` execs: use run_cli_process"
    del timeout
    return invoke(["-C", str(root), *args], cli_environment(env))


def run_cli_process(
    root: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> Result:
    """Like run_cli, as a real `python -m runner` subprocess (for what only a process shows:
    the entry point, exec, signals, an interpreter's start)."""
    proc = subprocess.run(
        [sys.executable, "-m", "runner", "-C", str(root), *args],
        capture_output=True,
        text=True,
        env=cli_environment(env),
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def invoke(argv: list[str], env: dict[str, str]) -> Result:
    """runner.cli.main.main(argv) as a process would run it: exactly `env` as its environment,
    the current directory and the process-wide state it changes restored afterwards, its exit
    status from SystemExit, an escaping exception printed as a traceback with status 1."""
    from runner.cli.main import main

    out, err = _Capture(), _Capture()
    with _process_state(env, out, err):
        try:
            main(argv)
            code = 0
        except SystemExit as exit_:
            code = _status(exit_.code, err)
        except BaseException:  # what an interpreter would print before dying
            traceback.print_exc(file=err)
            code = 1
    return Result(code, out.getvalue(), err.getvalue())


class _Capture(io.StringIO):
    """A captured stream that, like a pipe, is no terminal and writes UTF-8."""

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"


def _status(code: object, err: io.StringIO) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=err)
    return 1


@contextmanager
def _process_state(env: dict[str, str], out: io.StringIO, err: io.StringIO) -> Iterator[None]:
    """Environment, time zone, cwd, standard streams and registered secrets of a fresh process,
    restored on the way out."""
    from runner import redaction

    saved_env, cwd = dict(os.environ), os.getcwd()
    streams = sys.stdin, sys.stdout, sys.stderr
    _forget_secrets(redaction)
    os.environ.clear()
    os.environ.update(env)
    time.tzset()
    sys.stdin, sys.stdout, sys.stderr = io.StringIO(""), out, err
    try:
        yield
    finally:
        sys.stdin, sys.stdout, sys.stderr = streams
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        time.tzset()
        _forget_secrets(redaction)


def _forget_secrets(redaction: Any) -> None:
    """A new process starts with no registered secrets; so does each run in this one (else a
    value one test registered would be hidden in the next test's output)."""
    with redaction._lock:
        redaction._forms.clear()


def lockfile(root: Path) -> dict[str, Any]:
    """The scratch project's lockfile, as JSON."""
    doc: dict[str, Any] = json.loads((root / "launchspec.lock.json").read_text())
    return doc
