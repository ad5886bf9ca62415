"""Resolve spec text against the seed's templates: the helpers resolve and encode tests share."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from runner.diagnostics import Diagnostic
from runner.render.render import RenderContext, render_spec
from runner.resolve.resolve import LaunchRequest, resolve
from tests.support import seed

AT = datetime(2026, 12, 4, 22, 0, tzinfo=UTC)  # Friday; 17:00 in New York
ONBOARDING = "Client Onboarding"
FIELD = {  # kick-off field ids of Client Onboarding, by label
    "Client name": "b4c890d5160634ef2b484da2eedb1d71",
    "Start date": "55dc96de2bfdda9557c0e8a1481c4076",
    "Plan tier": "89dc6258a8e9ef206778bc562ac2b4aa",
    "Billing email": "6754f75615a8b64a8bfd4a2a3c43f5b1",
    "Notes": "d12f09ce23d86773121e7a7842bf969a",
    "Region": "c53937e526520aec4bde154b1f86820d",
    "Modules": "5fa7d931b1190b5441c82f917062969d",
    "Key contacts": "6bfab34fefd7aebaa32a90d7c31cc416",
    "Account team": "af929d38eab6dbd5ddeced1988e4ce8d",
}
KICKOFF_STEP = "18c10325629613d2608de126489ab828"
REQUIRED = "  Client name: Globex\n  Start date: 2026-12-01\n  Plan tier: Growth\n"


def run(
    text: str, title: str = ONBOARDING, secrets: dict[str, str] | None = None, **tpl: Any
) -> tuple[LaunchRequest | None, list[Diagnostic]]:
    """Render `text` at AT (with `secrets` from the environment) and resolve it against the
    seed template `title`."""
    rendered, problems = render_spec(
        seed.spec(text), RenderContext(launch_at=AT, secrets=secrets or {})
    )
    assert rendered is not None, problems
    template = seed.template(title, wrap_prerun=bool(tpl.pop("wrap_prerun", False)))
    template.update(tpl)
    return resolve(rendered, template, seed.directory())


def launch(extra: str = "", prerun: str = "", **kw: Any) -> LaunchRequest:
    request, problems = run(spec_text(extra, prerun), **kw)
    assert request is not None, problems
    return request


def spec_text(extra: str = "", prerun: str = "") -> str:
    return f"id: k\ntemplate: {ONBOARDING}\n{extra}prerun:\n{REQUIRED}{prerun}"


def refused(extra: str = "", prerun: str = "", **kw: Any) -> list[Diagnostic]:
    request, problems = run(spec_text(extra, prerun), **kw)
    assert request is None and problems
    return problems


def one(extra: str = "", prerun: str = "", **kw: Any) -> Diagnostic:
    (problem,) = refused(extra, prerun, **kw)
    return problem


def value(label: str, written: str) -> Any:
    """The encoded value of kick-off field `label` written as `written` (YAML)."""
    required = "".join(line + "\n" for line in REQUIRED.splitlines() if label not in line)
    text = f"id: k\ntemplate: x\nprerun:\n{required}  {label}: {written}\n"
    request, problems = run(text)
    assert request is not None, problems
    return request.body["prerun"][FIELD[label]]


def ctx(**kw: Any) -> RenderContext:
    base: dict[str, Any] = {
        "launch_at": AT,
        "default_vars": {"owner": "ops@example.com", "team": "Sales", "client": "Default"},
        "secrets": {"API_KEY": "sk-123"},
    }
    return RenderContext(**{**base, **kw})
