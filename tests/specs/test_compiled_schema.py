"""The compiled schemas (runner/specs/compiled/) are the schemas' own code: current, and
judging every document as jsonschema does."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import jsonschema
import pytest

from runner.specs.compiled import config, spec
from runner.specs.config import config_schema
from runner.specs.schema import load_schema, schema_digest
from runner.specs.source import load_file

ROOT = Path(__file__).resolve().parents[2]
COMPILED = [(spec, load_schema), (config, config_schema)]


def _script() -> ModuleType:
    path = str(ROOT / "scripts" / "compile-schema")
    loader = importlib.machinery.SourceFileLoader("compile_schema", path)
    found = importlib.util.spec_from_loader("compile_schema", loader)
    assert found is not None
    module = importlib.util.module_from_spec(found)
    loader.exec_module(module)
    return module


@pytest.mark.parametrize(("compiled", "schema"), COMPILED)
def test_compiled_from_the_schema_as_it_is(compiled: ModuleType, schema: Any) -> None:
    assert schema_digest(schema()) == compiled.SCHEMA_DIGEST, "run scripts/compile-schema"


def test_the_checked_in_code_is_what_the_script_writes() -> None:
    script = _script()
    script._without_detail_placeholders()
    for compiled, schema in COMPILED:
        text = Path(compiled.__file__ or "").read_text(encoding="utf-8")
        assert text == script.generate(schema()), "run scripts/compile-schema"


def _accepts(compiled: ModuleType, data: Any) -> bool:
    try:
        compiled.validate(data)
    except compiled.JsonSchemaValueException:
        return False
    return True


def _example_documents() -> list[Any]:
    found: list[Any] = []
    for path in sorted((ROOT / "tests" / "examples").rglob("*.y*ml")):
        docs, _ = load_file(path)
        found.extend(doc.data for doc in docs)
    return found


def test_the_compiled_spec_schema_judges_every_example_as_jsonschema_does() -> None:
    full = jsonschema.Draft202012Validator(load_schema())
    documents = _example_documents()
    verdicts = [(_accepts(spec, d), full.is_valid(d)) for d in documents]
    assert len(documents) > 20 and any(v[1] for v in verdicts) and not all(v[1] for v in verdicts)
    assert [v[0] for v in verdicts] == [v[1] for v in verdicts]


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"specs": ["specs/**/*.yaml"], "limits": {"max_launches": 0}},
        {"limits": {"max_launches": -1}},
        {"lease": {"remote": 3}},
        {"defaults": {"owner": "jane@example.com", "tags": ["a"]}},
        {"defaults": {"owner": "not an email"}},
        {"unknown": 1},
    ],
)
def test_the_compiled_config_schema_judges_as_jsonschema_does(data: Any) -> None:
    full = jsonschema.Draft202012Validator(config_schema())
    assert _accepts(config, data) == full.is_valid(data)


def test_checking_specs_needs_no_schema_compiler(tmp_path: Path) -> None:
    """A process checks specs with the checked-in code: fastjsonschema is not even imported."""
    (tmp_path / "a.yaml").write_text("id: a\ntemplate: T\n")
    code = (
        "import sys; from pathlib import Path; from runner.check.check import check_files;"
        "from runner.specs.config import load_config;"
        f"root = Path({str(tmp_path)!r}); specs, found = check_files(load_config(root), "
        "[root / 'a.yaml']); assert len(specs) == 1 and not found, found;"
        "assert 'fastjsonschema' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=60)
