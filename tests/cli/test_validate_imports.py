"""A one-file `validate` (a pre-commit hook's) imports only what checking needs: start-up is
most of its time (docs/scaling.md, issue 23's one-file target)."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from runner.cli.main import LAZY

ROOT = Path(__file__).resolve().parents[2]
# Plan's, the applier's and the client's machinery; what explains an invalid spec (jsonschema
# and the schema file, read through importlib.resources); for_each's and every's machinery.
NEVER = ("runner.snapshots.store", "runner.resolve", "runner.plan", "runner.client",
         "runner.apply", "runner.state", "httpx", "jsonschema", "fastjsonschema",
         "importlib.resources", "runner.cli.launch", "runner.cli.templates",
         "runner.specs.eachsource", "runner.render.recurrence")  # fmt: skip


@pytest.mark.parametrize(("text", "unneeded"), [
    ("id: a\ntemplate: T\n", (*NEVER, "jinja2", "json")),  # no template string: no Jinja
    # Simple template strings are read without Jinja (render/simpleexpr.py); others with it.
    ("id: a\ntemplate: T\nname: 'A {{ launch.at | format_date }} {{ spec.id }}'\n",
     (*NEVER, "jinja2", "json")),
    ("id: a\ntemplate: T\nname: \"{{ 'A' if launch.at else 'B' }}\"\n", NEVER),
])  # fmt: skip
def test_validating_a_valid_spec_imports_only_what_checking_needs(
    tmp_path: Path, text: str, unneeded: tuple[str, ...]
) -> None:
    (tmp_path / "launchspec.yaml").write_text("timezone: UTC\n")  # checked without the schema
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "a.yaml").write_text(text)
    code = (
        "import sys\nfrom runner.cli.main import main\n"
        "try:\n    main(['validate'])\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
        f"loaded = [m for m in sys.modules if m.startswith({unneeded!r})]\n"
        "assert not loaded, loaded\n"
    )
    ran = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                         text=True, timeout=60, env={"PYTHONPATH": str(ROOT)})  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert "1 file valid" in ran.stdout


def test_each_lazily_imported_command_is_named_with_its_module() -> None:
    """A command missing from LAZY would silently vanish from the CLI."""
    for module in set(LAZY.values()):
        commands = importlib.import_module(f"runner.cli.{module}").COMMANDS
        assert {c.name for c in commands} == {n for n, m in LAZY.items() if m == module}
