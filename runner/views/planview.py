"""Plans as text (Terraform-like), and what every view of a plan shares; pure functions."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from runner.plan.plan import Action, Plan
from runner.plan.vocabulary import LABEL, ROW_ORDER, SYMBOL

COLOUR = {
    "+": "green", "~": "yellow", "-/+": "red", "!": "magenta", "-": "red", "?": "cyan",
    "!!": "red", "..": "blue", "!=": "magenta", ">": "yellow",
}  # fmt: skip
DRIFT_ADVICE = (
    "apply leaves the run as it is: write a change in the spec to keep it, or undo it in "
    "Tallyfy (`launchspec apply --replace {key}` relaunches)"
)
DETAILED = ("launch", "replace", "scheduled")  # kinds whose values the text plan lists
# Every row, in the order summaries count them, unchanged entries last.
SUMMARY_KINDS = ROW_ORDER


def secrets_of(plan: Plan) -> list[str]:
    """Every value the plan must never show, longest first (so overlaps redact fully)."""
    found: set[str] = set()
    for a in plan.actions:
        if a.desired is not None:
            found.update(a.desired.rendered.secret_values)
            if a.desired.request is not None:
                found.update(a.desired.request.secret_values)
    return sorted((s for s in found if s), key=len, reverse=True)


def redact(text: str, secrets: Iterable[str]) -> str:
    """Replace every secret value with `(secret)`."""
    for secret in secrets:
        text = text.replace(secret, "(secret)")
    return text


def summary_line(plan: Plan) -> str:
    """`N to launch, N to update, …` (kinds with zero are left out, except launch)."""
    parts = [f"{plan.count(k)} {LABEL[k]}" for k in SUMMARY_KINDS if plan.count(k) or k == "launch"]
    return ", ".join(parts)


def format_text(
    plan: Plan,
    *,
    colour: bool = False,
    verbose: bool = False,
    max_launches: int | None = None,
    short: bool = False,
) -> str:
    """The plan a person reads in a terminal: the summary and warnings first, then each entry
    (`short`: one line each), then what apply will do."""
    lines = [f"launchspec plan: {summary_line(plan)}", *_warnings(plan, max_launches)]
    lines += [f"note: {note}" for note in plan.notes]
    lines.append("")
    for action in plan.actions:
        if action.row == "unchanged" and not verbose:
            continue
        shown = _text_action(action, colour)
        lines.extend(shown[:1] if short else shown)
    lines.extend(_footer(plan))
    return redact("\n".join(lines).rstrip() + "\n", secrets_of(plan))


def _warnings(plan: Plan, max_launches: int | None) -> list[str]:
    """What to check before applying, as Markdown's caution box says it."""
    out = []
    launches = plan.launches
    if max_launches is not None and launches > max_launches:
        out.append(
            f"warning: {launches:,} launches, over the safety limit of {max_launches:,} "
            f"(limits.max_launches): apply refuses them unless run with --max-launches {launches}."
        )
    guests = guests_of(plan)
    if guests:
        more = len(guests) - 10
        listed = ", ".join(guests[:10]) + (f" and {more:,} more" if more > 0 else "")
        out.append(
            f"warning: {len(guests):,} guest invitation{'' if len(guests) == 1 else 's'}: "
            f"people outside the organisation get an email: {listed}."
        )
    return out


def guests_of(plan: Plan) -> list[str]:
    """Guests the plan's launches invite (resolved, else as written in the spec)."""
    found: set[str] = set()
    for a in plan.actions:
        if a.row not in ("launch", "replace") or a.desired is None:
            continue
        if a.desired.request is not None:
            found.update(a.desired.request.guests)
        else:
            for task in a.desired.rendered.tasks.values():
                found.update(task.guests)
    return sorted(found, key=str.casefold)


def _footer(plan: Plan) -> list[str]:
    """What apply will do, counting every kind of entry shown: never "No changes" wrongly."""
    decide = [a for a in plan.actions if a.row not in ("unchanged", "scheduled", "pending")]
    pending, later = plan.count("pending"), plan.count("scheduled")
    due = (
        f"{later} launch{'' if later == 1 else 'es'} not yet due: apply launches "
        f"{'it' if later == 1 else 'each'} from its due date, not before."
    )
    if not decide and not later and not pending:
        return ["No changes: every spec is launched and up to date."]
    out = []
    if pending:
        # Not "nothing to do": apply reads it back first, and may wait for the server to settle.
        out.append(
            f"Apply first reads {pending} pending launch{'' if pending == 1 else 'es'} back "
            "from the server (waiting up to limits.settle_seconds for a launch whose answer "
            "was lost to appear)."
        )
    if not decide and not pending:
        return [f"No changes now; {due}"]
    if decide and not plan.has_changes:
        # Nothing for apply to do, but entries that need a person: say so, never "No changes".
        n = len(decide)
        said = "1 entry above needs" if n == 1 else f"{n} entries above need"
        out.append(f"Nothing {'else ' if pending else ''}for apply to do; {said} a decision.")
    return out + ([due[:1].upper() + due[1:]] if later else [])


def _text_action(a: Action, colour: bool) -> list[str]:
    symbol = SYMBOL[a.row]
    head = f"{symbol:>3} {shown_key(a)}" + (f" due {due_of(a)}" if a.row == "scheduled" else "")
    if colour and symbol in COLOUR:
        import click

        head = click.style(head, fg=COLOUR[symbol], bold=True)
    name = launch_name(a)
    out = [f"{head}  {LABEL.get(a.row, a.row)}" + (f": {name!r}" if name else "")]
    detail = display_of(a)
    if a.row in DETAILED and detail:
        out.append(f"        template: {detail.get('template', '')}")
        if detail.get("owner"):
            out.append(f"        owner: {detail['owner']}")
        for label, value in (detail.get("prerun") or {}).items():
            out.append(f"        {label}: {_short(value)}")
        for title, task in (detail.get("tasks") or {}).items():
            out.append(f"        task {title!r}: {_task_text(task)}")
        for what in ("tags", "folders"):
            if detail.get(what):
                out.append(f"        {what}: {', '.join(map(str, detail[what]))}")
    parent = a.desired.rendered.parent if a.desired else (a.entry.parent if a.entry else None)
    if parent:
        out.append(f"        after: {parent}")
    guests = a.desired.request.guests if a.desired and a.desired.request else ()
    if guests and a.row in ("launch", "replace"):
        out.append(f"        invites guests: {', '.join(guests)}")
    for change in (*a.edits, *a.changes):
        out.append(f"        {change.field}: {_short(change.old)} -> {_short(change.new)}")
    said = "" if a.row == "drifted" else "changed in Tallyfy: "  # the row says it already
    for change in a.drift:
        out.append(f"        {said}{change.field}: {_short(change.old)} -> {_short(change.new)}")
    if a.entry is not None and a.row != "unchanged":
        out.append(f"        run {a.entry.run_id}")
    if a.why:
        out.append(f"        ({a.why}{_advice(a)})")
    return out


def shown_key(a: Action) -> str:
    """The key as the plan shows it: `OLD -> NEW` for a move."""
    return f"{a.moved_from} -> {a.key}" if a.moved_from else a.key


def _advice(a: Action) -> str:
    if a.run_state is not None:  # an orphan whose run is archived already: nothing to archive
        if a.verb == "archive":
            return "; apply drops it from the lockfile and archives nothing"
        return f"; `launchspec forget {a.key}` or `apply --prune` drops it from the lockfile"
    if a.updates_in_place:
        return (
            "; apply updates the fields above in place; the rest only "
            f"`launchspec apply --replace {a.key}` changes (archive and relaunch)"
        )
    return {
        "edited": f"; not applied: `launchspec apply --replace {a.key}` archives and relaunches",
        "orphaned": "; kept: `launchspec apply --prune` archives its run",
        "pending": "; apply reads it back from the server first",
        "missing": "; `launchspec forget` it, or `apply --replace` it",
        "duplicate": "; `launchspec apply --dedupe` keeps the oldest and archives the others",
        "drifted": f"; {DRIFT_ADVICE.format(key=a.key)}",
    }.get(a.row, "")


def launch_name(a: Action) -> str:
    if a.desired is not None:
        return a.desired.rendered.name
    return a.entry.name if a.entry else ""


def due_of(a: Action) -> str | None:
    return a.desired.rendered.due if a.desired else None


def display_of(a: Action) -> dict[str, Any]:
    if a.desired is not None and a.desired.request is not None:
        return dict(a.desired.request.display)
    if a.row == "scheduled":  # not resolved offline: what the spec renders, as written
        return details(a)
    return {}


def details(a: Action) -> dict[str, Any]:
    """What the plan shows of a launch: resolved when the API or snapshots were read, else as
    written in the spec (template by name, people and fields by label)."""
    d = a.desired
    if d is None:
        return {}
    if d.request is not None:
        return dict(d.request.display)
    r = d.rendered
    tasks = {
        title: {
            "deadline": t.deadline,
            "owners": people({"users": t.users, "groups": t.groups, "guests": t.guests}),
        }
        for title, t in r.tasks.items()
    }
    return {
        "template": r.template,
        "owner": r.owner,
        "prerun": dict(r.kickoff),
        "tasks": tasks,
        "tags": list(r.tags),
        "folders": list(r.folders),
    }


def people(value: Mapping[str, Any]) -> list[str]:
    """`{users, groups, guests}` as written, in one list with the kind named."""
    out = [str(u) for u in value.get("users") or ()]
    out += [f"{g} (group)" for g in value.get("groups") or ()]
    out += [f"{g} (guest)" for g in value.get("guests") or ()]
    return out


def _task_text(task: Any) -> str:
    if not isinstance(task, dict):
        return _short(task)
    deadline = task.get("deadline")
    owners = task.get("owners") or []
    parts = [f"deadline {deadline}"] if deadline else []
    # No owners given: Tallyfy keeps the step's own assignees, so say that rather than `[]`.
    parts.append(f"owners {', '.join(map(str, owners))}" if owners else "owners as in the template")
    return "; ".join(parts)


def _short(value: Any) -> str:
    """One line per value, never cut: a reviewer approves what they can read in full."""
    text = value if isinstance(value, str) else json.dumps(value, default=str, sort_keys=True)
    return " ".join(text.split()) if "\n" in text else text
