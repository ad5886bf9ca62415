"""`launchspec lease show` and `lease break` (issue 20, item 6): garbage shown safely, cleared."""

from __future__ import annotations

import math
import time
from pathlib import Path

from click.testing import CliRunner

from runner.cli.main import cli
from runner.state.leasegit import REF
from tests.support.leases import bare_with_clones, git, push_lease

FORGED = "pid 1 \x1b]8;;https://evil.example\x1b\\here\x1b]8;;\x1b\\\n::error::forged"


def _run(root: Path, *args: str, answer: str = "") -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["-C", str(root), "lease", *args], input=answer)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_a_garbled_lease_is_shown_safely_and_broken_only_when_confirmed(tmp_path: Path) -> None:
    _, (a, b) = bare_with_clones(tmp_path, "a", "b")
    sha = push_lease(a, REF, {"who": FORGED, "since": 1.0, "until": math.nan})

    code, out = _run(b, "show")
    assert code == 0 and "cannot be judged" in out and "impossible times" in out, out
    assert "\x1b" not in out and "\n::" not in out and "::error" not in out, repr(out)

    code, out = _run(b, "break", answer="n\n")
    assert code == 1 and sha in git(a, "ls-remote", "origin", REF)

    code, out = _run(b, "break", "--yes")
    assert code == 0 and f"broke {REF}" in out, out
    assert git(a, "ls-remote", "origin", REF) == ""
    assert "nobody holds it" in _run(b, "show")[1]


def test_a_live_lease_is_shown_with_its_holder_and_expiry(tmp_path: Path) -> None:
    _, (a, b) = bare_with_clones(tmp_path, "a", "b")
    now = time.time()
    push_lease(a, REF, {"who": "pid 7 on ci", "since": now, "until": now + 100, "ttl": 120})
    code, out = _run(b, "show")
    assert code == 0
    assert "held, expires in " in out and "holder: pid 7 on ci" in out, out
