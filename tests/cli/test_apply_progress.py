"""Apply's progress: a bar with counts, rate and ETA on a terminal, plain lines elsewhere, and
every wait said on stderr (what for, how long)."""

from __future__ import annotations

import re
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from runner.apply.events import Event
from runner.cli.apply_screen import ApplyView
from tests.support.cli import make_project, run_cli
from tests.support.plans import launch, make
from tests.support.sandbox import SandboxProcess

EVENT_LINE = re.compile(r"\[\d/5\] launched [\w-]+ run=[0-9a-f]{32}")


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _view(tty: bool, clock: Clock) -> ApplyView:
    view = ApplyView(colour=False, yes=True, tty=tty, clock=clock, every=10.0)
    view.confirm(make([launch(f"k{i}") for i in range(4)]))
    return view


def test_on_a_terminal_a_bar_with_counts_rate_and_eta(capsys: pytest.CaptureFixture[str]) -> None:
    clock = Clock()
    view = _view(True, clock)
    capsys.readouterr()
    for i in range(3):
        clock.now += 2.0
        view.event(Event("launched", f"k{i}", "r" * 32))
    out, err = capsys.readouterr()
    assert out.splitlines() == [f"[{i + 1}/4] launched k{i} run={'r' * 32}" for i in range(3)]
    bar = err.split("\r")[-1]
    assert "3/4" in bar and "0.5/s" in bar and "ETA 2 s" in bar and "75%" in bar, repr(err)
    view.finish_progress()
    assert capsys.readouterr().err.endswith("\r\x1b[K")  # the bar is wiped before the summary


def test_elsewhere_plain_lines_and_a_progress_line_now_and_then(
    capsys: pytest.CaptureFixture[str],
) -> None:
    clock = Clock()
    view = _view(False, clock)
    capsys.readouterr()
    view.event(Event("launched", "k0", "r" * 32))
    clock.now += 11.0
    view.event(Event("launched", "k1", "r" * 32))
    view.event(Event("launched", "k2", "r" * 32))
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        f"[1/4] launched k0 run={'r' * 32}",
        f"[2/4] launched k1 run={'r' * 32}",
        "progress: 2/4 (50%), 0.2/s, about 11 s left",
        f"[3/4] launched k2 run={'r' * 32}",
    ]
    assert err == "" and "\r" not in out and "\x1b" not in out


def test_a_wait_is_said_on_stderr_above_the_bar(capsys: pytest.CaptureFixture[str]) -> None:
    view = _view(True, Clock())
    view.event(Event("launched", "k0", "r" * 32))
    capsys.readouterr()
    view.waited("the server asked to slow down (429 on POST /runs): waiting 58 s (Retry-After)")
    out, err = capsys.readouterr()
    assert out == ""
    said, redrawn = err.split("\n")
    assert said == "\r\x1b[Kwait: the server asked to slow down (429 on POST /runs): waiting " \
        "58 s (Retry-After)"
    assert redrawn.startswith("\r[") and " 1/4 " in redrawn, repr(err)


def test_apply_not_on_a_terminal_prints_plain_lines(
    tmp_path: Path, sandbox: SandboxProcess
) -> None:
    result = run_cli(make_project(tmp_path), "apply", "--yes", env=sandbox.env())
    assert result.code == 0, result.text
    lines = [line for line in result.out.splitlines() if line.startswith("[")]
    assert len(lines) == 5 and all(EVENT_LINE.fullmatch(line) for line in lines), lines
    assert "\r" not in result.text and "\x1b" not in result.text and "ETA" not in result.text


def test_a_429_from_the_sandbox_shows_the_wait(tmp_path: Path, sandbox_factory) -> None:  # type: ignore[no-untyped-def]
    sb = sandbox_factory("--throttle", "6")
    root = make_project(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "runner", "-C", str(root), "apply", "--yes"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
        env={**_clean_env(), **sb.env()},
    )
    try:
        said = _line_with(proc, "wait: ", timeout=30)
        assert re.fullmatch(r"wait: the server asked to slow down \(429 on \w+ /\S+\): waiting "
                            r"\d+ s \(Retry-After\) before sending anything more", said), said
        proc.send_signal(signal.SIGTERM)  # ends the wait early: the test need not sit it out
        out, _ = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert "wait:" not in out  # stdout holds the plan and the per-key lines only


def _clean_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith(("TALLYFY_", "GITHUB_"))}


def _line_with(proc: subprocess.Popen[str], prefix: str, timeout: float) -> str:
    assert proc.stderr is not None
    sel = selectors.DefaultSelector()
    sel.register(proc.stderr, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline and sel.select(timeout=deadline - time.monotonic()):
        line = proc.stderr.readline()
        if not line:
            break
        seen.append(line)
        if line.startswith(prefix):
            return line.rstrip("\n")
    raise AssertionError(f"no {prefix!r} line on stderr: {seen}")


def test_launches_reported_from_several_threads_count_once_each(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import threading

    view = ApplyView(colour=False, yes=True, tty=False)
    view.confirm(make([launch(f"k{i}") for i in range(400)]))
    capsys.readouterr()
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: races show
    try:
        def events(n: int) -> None:
            for i in range(50):
                view.event(Event("launched", f"k{n}-{i}"))

        workers = [threading.Thread(target=events, args=(n,)) for n in range(8)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(timeout=30)
    finally:
        sys.setswitchinterval(old)
    counters = [line.split("]")[0] for line in capsys.readouterr().out.splitlines()]
    assert counters == [f"[{i}/400" for i in range(1, 401)]
