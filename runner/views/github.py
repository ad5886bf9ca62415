"""GitHub Actions plumbing for `plan`: step summary, step outputs and error annotations."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from runner.diagnostics import Diagnostic
from runner.errors import LaunchspecError, SpecError
from runner.plan.plan import Plan
from runner.plan.vocabulary import VERBS
from runner.views import leaks
from runner.views.markdown import SUMMARY_BUDGET, format_markdown, summary_line
from runner.views.planjson import format_json
from runner.views.planview import SUMMARY_KINDS, format_text, secrets_of
from runner.views.report import github_annotation

SUMMARY_FULL_PLAN = "the `launchspec-plan` artifact (plan.json)"


@dataclass(frozen=True)
class PlanTexts:
    """Everything `plan` is about to write, checked for secrets before any of it is."""

    stdout: str
    saved: str | None = None  # JSON for --out
    summary: str | None = None  # Markdown for $GITHUB_STEP_SUMMARY


@dataclass(frozen=True)
class ViewOptions:
    """How the plan is shown: format, terminal colour and detail, the safety limit, the tier."""

    fmt: str = "text"
    colour: bool = False
    verbose: bool = False
    max_launches: int = 25
    online: bool = True


def plan_texts(plan: Plan, view: ViewOptions, *, save: bool, env: Mapping[str, str]) -> PlanTexts:
    """Render every output of `plan`; raise LeakError (and write nothing) if one holds a secret."""
    markdown = None
    if view.fmt == "markdown" or env.get("GITHUB_STEP_SUMMARY"):
        markdown = format_markdown(plan, max_launches=view.max_launches, online=view.online)
    json_text = format_json(plan) if (save or view.fmt == "json") else None
    if view.fmt == "markdown" and markdown is not None:
        stdout = markdown
    elif view.fmt == "json" and json_text is not None:
        stdout = json_text
    else:
        stdout = format_text(
            plan,
            colour=view.colour,
            verbose=view.verbose,
            max_launches=view.max_launches,
            short=view.fmt == "short",
        )
    summary = None
    if env.get("GITHUB_STEP_SUMMARY"):
        summary = format_markdown(
            plan,
            max_launches=view.max_launches,
            online=view.online,
            budget=SUMMARY_BUDGET,
            full_plan=SUMMARY_FULL_PLAN,
            marker=False,
        )
    texts = PlanTexts(stdout, json_text if save else None, summary)
    leaks.check(
        {
            f"{view.fmt} plan": stdout,
            "saved plan": texts.saved or "",
            "job summary": summary or "",
            "step outputs": _outputs_text(plan, None),
        },
        leaks.secrets_to_scan(secrets_of(plan), env),
    )
    return texts


def publish(
    plan: Plan, texts: PlanTexts, *, saved_to: Path | None, env: Mapping[str, str]
) -> list[str]:
    """Append the summary and write step outputs where Actions asks; returns the files written."""
    written = []
    summary_path = env.get("GITHUB_STEP_SUMMARY")
    if summary_path and texts.summary is not None:
        _append(Path(summary_path), texts.summary + "\n")
        written.append(summary_path)
    output_path = env.get("GITHUB_OUTPUT")
    if output_path:
        _append(Path(output_path), _outputs_text(plan, saved_to))
        written.append(output_path)
    return written


def outputs(plan: Plan, saved_to: Path | None) -> dict[str, str]:
    """Step outputs: `has_changes`, `needs_decision`, `offline`, the count of every row (by its
    name: `launch`, `edited`...) and of every action (`actions_create`, `actions_no-op`...), the
    summary line, the checksum, and `plan_json` (an absolute path) when the plan was saved.
    action.yml declares each (tests/repo/test_action_outputs.py)."""
    values = {
        "has_changes": "true" if plan.has_changes else "false",
        "needs_decision": "true" if plan.needs_decision else "false",
        "offline": "true" if plan.offline else "false",
        **{kind: str(plan.count(kind)) for kind in SUMMARY_KINDS},
        # Prefixed as in the JSON's summary.actions: four actions share a row's name (update...).
        **{f"actions_{verb}": str(plan.count_verb(verb)) for verb in VERBS},
        "summary": summary_line(plan),
        "checksum": plan.checksum,
    }
    if saved_to is not None:
        values["plan_json"] = str(saved_to.resolve())
    return values


def format_outputs(values: Mapping[str, str]) -> str:
    """`name=value` lines; a value with a line break uses a heredoc with a fresh delimiter,
    as the Actions toolkit writes them, so no value can end its own block early."""
    lines = []
    for name, value in values.items():
        if "\n" in value or "\r" in value:
            delimiter = f"ghadelimiter_{uuid.uuid4()}"
            lines += [f"{name}<<{delimiter}", value, delimiter]
        else:
            lines.append(f"{name}={value}")
    return "\n".join(lines) + "\n"


def _outputs_text(plan: Plan, saved_to: Path | None) -> str:
    return format_outputs(outputs(plan, saved_to))


def _append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write(text)


def error_annotations(error: LaunchspecError) -> str:
    """The error as workflow commands: one per diagnostic, placed at its file and line."""
    if isinstance(error, SpecError) and error.diagnostics:
        found = sorted(error.diagnostics, key=Diagnostic.sort_key)
    else:
        found = [Diagnostic(str(error), getattr(error, "pos", None), hint=error.hint)]
    return "\n".join(github_annotation(d) for d in found) + "\n"
