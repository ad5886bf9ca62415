"""The names and filters templates can use are documented, from the code, completely."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from runner.project.stages import git_context
from runner.render import names
from runner.render.jinjacheck import TEMPLATE_NAMES
from runner.render.render import template_names
from runner.render.templating import environment
from tests.support.launches import ctx
from tests.support.seed import spec

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "spec-reference.md"


def test_every_name_a_template_sees_is_described() -> None:
    context = ctx(
        env={"CI": "true"},
        git=git_context(),
        each={"key": "globex", "value": {}},
        period={"period": "2026-11", "period_start": "2026-11-01", "period_end": "2026-11-30"},
    )
    seen = template_names(spec("id: x\ntemplate: T\n"), context, {"client": "c"}, ZoneInfo("UTC"))
    assert set(seen) == set(TEMPLATE_NAMES)
    found = set()
    for root, value in seen.items():
        if root in names.OPEN:  # the user's own names: vars.NAME, env.NAME, secrets.NAME
            found.add(f"{root}.NAME")
        else:
            found.update(f"{root}.{attr}" for attr in value)
    assert found == set(names.NAMES)


def test_the_reference_lists_every_name_and_filter() -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    for name in names.NAMES:
        assert f"| `{name}` |" in text, name
    for name in environment().filters:
        assert f"`{name}`" in text or f"`{name}(" in text, name
    assert "| `add_business_days(n)` |" in text
