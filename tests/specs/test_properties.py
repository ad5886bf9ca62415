"""Property tests: no input makes the loader, the checks or the renderer raise; renders repeat."""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runner.check.check import check_files
from runner.diagnostics import Diagnostic
from runner.render.render import RenderContext, render_spec
from runner.specs.config import Config
from runner.specs.source import load_file, load_text
from runner.specs.spec import Spec

TRIED: Counter[str] = Counter()
FAST = settings(max_examples=400, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])
AT = datetime(2026, 12, 4, 22, 0, tzinfo=UTC)
SPEC_KEYS = ["id", "template", "name", "summary", "owner", "vars", "prerun", "tasks", "tags",
             "parent", "folders", "starred", "users", "groups", "roles", "is_public"]
YAMLISH = st.lists(st.sampled_from(
    [*"ab1:-[]{}&*!|>'\"#%@`,?\n \t\\.<=\r\x00é", "id: ", "\n  ", "---\n",
     "!!python/object:", "<<: ", "&a ", "*a", "{{ ", " }}", "? ", "- ", "%YAML 1.1\n"]
), max_size=60).map("".join)
JINJAISH = st.lists(st.sampled_from(
    ["{{", "}}", "{%", "%}", "{#", "#}", " ", "vars", "launch", "env", ".", "_", "__class__",
     "|", "(", ")", "[", "]", "'", '"', "x", "1", "+", "*", "if", "for", "in", "endfor",
     "range", "upper", "add_business_days", "date", "cycler", "namespace", "~", ",", "-", "\n"]
), max_size=40).map("".join)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.text(max_size=20), JINJAISH)
NESTED = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.one_of(st.sampled_from(SPEC_KEYS), st.text(max_size=8)), inner,
                    max_size=5)), max_leaves=20)
SPEC_DATA = st.fixed_dictionaries(
    {"id": st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True),
     "template": st.text(max_size=12)},
    optional={k: NESTED for k in SPEC_KEYS if k not in ("id", "template")})


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    yield
    inputs = sum(n for kind, n in TRIED.items() if kind != "rendered specs")
    print(f"\nhypothesis inputs tried: {dict(TRIED)} inputs={inputs}")


def positioned(diagnostics: list[Diagnostic]) -> None:
    for d in diagnostics:
        assert isinstance(d, Diagnostic) and d.pos is not None, d
        assert d.pos.line >= 1 and d.pos.col >= 1, d


def check_text(text: str) -> tuple[list[Spec], list[Diagnostic]]:
    """validate's checks on `text` as the only spec file of a scratch project."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "specs" / "p.yaml"
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        return check_files(Config(root=Path(tmp)), [path])


def render_twice(spec: Spec) -> None:
    TRIED["rendered specs"] += 1
    context = RenderContext(launch_at=AT, secrets={"TOKEN": "a-secret-value"})
    first, problems = render_spec(spec, context)
    second, again = render_spec(spec, context)
    positioned(problems)
    assert first == second and problems == again


@FAST
@given(st.binary(max_size=300))
def test_loader_survives_any_bytes(data: bytes) -> None:
    TRIED["bytes"] += 1
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.yaml"
        path.write_bytes(data)
        _, problems = load_file(path, "x.yaml")
    positioned(problems)


@FAST
@given(YAMLISH)
def test_loader_and_checks_survive_yamlish_text(text: str) -> None:
    TRIED["yamlish"] += 1
    _, problems = load_text(text, "y.yaml")
    positioned(problems)
    specs, diagnostics = check_text(text.replace("\x00", ""))
    positioned(diagnostics)
    for spec in specs:
        render_twice(spec)


@pytest.mark.slow
@FAST
@given(SPEC_DATA)
def test_checks_and_render_survive_random_specs(data: dict[str, Any]) -> None:
    TRIED["nested"] += 1
    text = yaml.safe_dump(data, allow_unicode=True)
    specs, diagnostics = check_text(text)
    positioned(diagnostics)
    for spec in specs:
        render_twice(spec)


@FAST
@given(JINJAISH, JINJAISH)
def test_jinjaish_names_render_or_fail_with_a_position(name: str, prerun: str) -> None:
    TRIED["jinja"] += 1
    text = yaml.safe_dump({"id": "k", "template": "Client Onboarding", "name": name,
                           "vars": {"client": "Globex", "token": "s3cr3t"},
                           "prerun": {"Client name": prerun}})
    specs, diagnostics = check_text(text)
    positioned(diagnostics)
    for spec in specs:
        render_twice(spec)
        rendered, problems = render_spec(spec, RenderContext(launch_at=AT))
        if rendered is None:  # it failed: then with an error, at a position (render_twice)
            assert any(p.severity == "error" for p in problems), problems
        else:
            assert isinstance(rendered.name, str)
