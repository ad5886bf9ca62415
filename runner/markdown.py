"""Plans as Markdown for a pull-request comment (pure; the full PR format grows in issue 6)."""

from __future__ import annotations

from runner.plan import Action, Plan
from runner.planview import LABEL, SYMBOL, redact, secrets_of, summary_line

COMMENT_LIMIT = 65_536


def format_markdown(plan: Plan) -> str:
    """A summary line, then a collapsible section per key that changes."""
    lines = ["### launchspec plan", "", f"**{summary_line(plan)}**", ""]
    for note in plan.notes:
        lines.append(f"> {note}")
    for action in plan.actions:
        if action.kind != "unchanged":
            lines.extend(_section(action))
    if not plan.has_changes:
        lines.append("No changes: every spec is launched and up to date.")
    return redact("\n".join(lines).rstrip() + "\n", secrets_of(plan))


def _section(a: Action) -> list[str]:
    name = a.desired.rendered.name if a.desired else (a.entry.name if a.entry else "")
    head = f"<code>{SYMBOL[a.kind].strip() or '='}</code> <b>{_esc(a.key)}</b>: {LABEL[a.kind]}"
    body = [f"- name: {_esc(name)}"] if name else []
    if a.desired is not None and a.desired.request is not None:
        display = a.desired.request.display
        body.append(f"- template: {_esc(str(display.get('template', '')))}")
        for label, value in (display.get("prerun") or {}).items():
            body.append(f"- {_esc(str(label))}: `{_esc(str(value))}`")
    for c in a.changes:
        body.append(f"- {c.field}: `{_esc(str(c.old))}` → `{_esc(str(c.new))}`")
    if a.reason:
        body.append(f"- {_esc(a.reason)}")
    return ["<details>", f"<summary>{head}</summary>", "", *body, "", "</details>", ""]


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("`", "'")
