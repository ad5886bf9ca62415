"""Hostile templates are refused within a fixed budget, at the spec's line, never a traceback."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.cli import make_project

MEMORY_CAP = 1024 * 1024 * 1024  # the attacks below asked for 1 to 3 GB before the budgets

NESTED_PARENS = "{{ " + "(" * 70 + "1" + ")" * 70 + " }}"
NESTED_IFS = "{% if true %}" * 3000 + "x" + "{% endif %}" * 3000
DOUBLING = "{% set x = 'xx' %}" + "{% set x = x ~ x %}" * 31 + "{{ x | length }}"
HOSTILE = {
    "nested-loops": "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}"
                    "{% endfor %}done",
    "doubling": DOUBLING,
    "center": "{{ 'x' | center(1000000000) }}",
    "percent-width": "{{ '%1000000000s' % spec.id }}",
    "format-width": "{{ '{:>1000000000}'.format(spec.id) }}",
    "indent": "{{ 'a\\nb' | indent(1000000000) }}",
    "replace-empty": "{{ ('x' * 90000) | replace('', 'y' * 90000) }}",
    "nested-parens": NESTED_PARENS,
    "nested-ifs": NESTED_IFS,
}


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def _run(root: Path, *args: str) -> tuple[int, str, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALLYFY_")}
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "runner", "-C", str(root), *args],
                          capture_output=True, text=True, timeout=60, env=env,
                          preexec_fn=_limit_memory)
    return proc.returncode, proc.stdout + proc.stderr, time.monotonic() - started


@pytest.mark.parametrize("case", sorted(HOSTILE))
@pytest.mark.parametrize("command", ["validate", "plan"])
def test_a_hostile_template_is_refused_within_budget(
    tmp_path: Path, case: str, command: str
) -> None:
    root = make_project(tmp_path)
    text = HOSTILE[case].replace("'", "''")
    (root / "specs" / "hostile.yaml").write_text(
        f"id: hostile\ntemplate: Client Onboarding\nname: '{text}'\n"
    )
    code, out, took = _run(root, command)
    assert "Traceback" not in out and "MemoryError" not in out, out[-2000:]
    assert took < 15, f"{command} took {took:.1f} s"
    if command == "plan" or case in ("nested-parens", "nested-ifs"):
        assert code == 1, out[-2000:]
        assert "hostile.yaml:3:" in out, out[-2000:]


def test_ordinary_templates_still_render(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    code, out, _ = _run(root, "plan")
    assert code == 0, out
