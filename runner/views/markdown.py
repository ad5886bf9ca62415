"""Plans as Markdown for a pull-request comment or a job summary, always under a size limit."""

from __future__ import annotations

from collections.abc import Sequence

from runner.plan.plan import Action, Plan
from runner.plan.vocabulary import LABEL
from runner.views.mdsection import code, md_text, plain, section
from runner.views.planview import guests_of, redact, secrets_of

MARKER = "<!-- launchspec-plan -->"  # finds the sticky comment to update in place
COMMENT_LIMIT = 65_536  # GitHub refuses longer comments
COMMENT_BUDGET = 60_000  # headroom for the comment action's own header
SUMMARY_BUDGET = 900_000  # a job summary may hold 1 MiB per step
FULL_PLAN = "the job summary and the `launchspec-plan` artifact (plan.json)"
# Core kinds always counted in the summary line; the rest only when present.
CORE_KINDS = ("launch", "update", "edited", "orphaned")
OTHER_KINDS = (
    "replace", "archive", "missing", "pending", "duplicate", "adopt", "scheduled", "drifted",
    "moved",
)
# Sections are shown, and cut past the budget, in this order: what needs a decision first.
SECTION_ORDER = (
    "duplicate",
    "edited",
    "drifted",
    "pending",
    "missing",
    "replace",
    "archive",
    "update",
    "moved",
    "orphaned",
    "adopt",
    "launch",
    "scheduled",
)
LIST_LIMIT = 10  # keys or guests named in one risk flag


def summary_line(plan: Plan) -> str:
    """`N to launch, N to update, N edited after launch, N orphaned` (+ other kinds present)."""
    kinds = [*CORE_KINDS, *(k for k in OTHER_KINDS if plan.count(k))]
    return ", ".join(f"{plan.count(k):,} {LABEL[k]}" for k in kinds)


def format_markdown(
    plan: Plan,
    *,
    max_launches: int = 25,
    online: bool | None = None,
    budget: int = COMMENT_BUDGET,
    full_plan: str = FULL_PLAN,
    marker: bool = True,
) -> str:
    """The plan as one comment: summary, tier, risks, a section per change, cut to `budget`.

    `online` says whether the API was consulted (default: the plan's own offline flag).
    Sections past the budget are left out in SECTION_ORDER, and the comment says how many.
    """
    secrets = secrets_of(plan)
    online = (not plan.offline) if online is None else online
    head = _head(plan, max_launches, online, secrets, marker)
    foot = _foot(plan)
    shown = _ordered(plan)
    texts = [section(a, secrets) for a in shown]
    kept = _fit(len(head) + len(foot), texts, budget)
    cut = shown[kept:]
    note = _cut_note(cut, len(shown), full_plan) if cut else ""
    return redact(head + "".join(texts[:kept]) + note + foot, secrets)


def _ordered(plan: Plan) -> list[Action]:
    rank = {k: i for i, k in enumerate(SECTION_ORDER)}
    changing = [a for a in plan.actions if a.row in rank]
    return sorted(changing, key=lambda a: rank[a.row])  # stable: plan order within a kind


def _fit(fixed: int, texts: Sequence[str], budget: int) -> int:
    """How many leading sections fit, keeping room for the note about the ones cut."""
    room = budget - fixed - 600
    used = 0
    for i, text in enumerate(texts):
        if used + len(text) > room:
            return i
        used += len(text)
    return len(texts)


def _cut_note(cut: Sequence[Action], total: int, full_plan: str) -> str:
    by_kind = {k: sum(1 for a in cut if a.row == k) for k in SECTION_ORDER}
    kinds = ", ".join(f"{n:,} {LABEL[k]}" for k, n in by_kind.items() if n)
    return (
        f"> [!NOTE]\n> **{len(cut):,} of {total:,} sections are not shown** ({kinds}) to keep "
        f"this comment under GitHub's {COMMENT_LIMIT:,}-character limit. "
        f"The full plan is in {full_plan}.\n\n"
    )


def _head(plan: Plan, max_launches: int, online: bool, secrets: Sequence[str], marker: bool) -> str:
    lines = [MARKER] if marker else []
    lines += ["### launchspec plan", "", f"**{summary_line(plan)}**", ""]
    lines += _tier(plan, online, secrets)
    risks = _risks(plan, max_launches, secrets)
    if risks:
        lines += ["> [!CAUTION]", "> **Check before merging**", ">"]
        lines += [f"> - {r}" for r in risks]
        lines.append("")
    lines += [_what_merge_does(plan), ""]
    return redact("\n".join(lines) + "\n", secrets)


def _what_merge_does(plan: Plan) -> str:
    if plan.has_changes:
        return "Merging applies this plan: `launchspec apply --yes` runs on the main branch."
    if any(a.row in SECTION_ORDER for a in plan.actions):
        return "Merging applies nothing; the entries below are shown for review."
    return "No changes: every spec is launched and up to date."


def _tier(plan: Plan, online: bool, secrets: Sequence[str]) -> list[str]:
    notes = [md_text(plain(n.removeprefix("no API token: "), secrets), 1000) for n in plan.notes]
    if online:
        return [*(f"> {n}" for n in notes), ""] if notes else []
    lines = [
        "> [!WARNING]",
        "> **Offline plan: no API token.** A pull request from a fork gets no secrets, so this",
        "> plan was made from the specs and the committed lockfile only: validation, rendering",
        "> and the diff against the lockfile were checked.",
    ]
    lines += [f"> - **Not checked:** {n}" for n in notes]
    return [*lines, ""]


def _risks(plan: Plan, max_launches: int, secrets: Sequence[str]) -> list[str]:
    risks = []
    launches = plan.launches
    if launches > max_launches:
        risks.append(
            f"**{launches:,} launches, over the safety limit of {max_launches:,}** "
            f"(`limits.max_launches`): apply refuses them unless run with "
            f"`--max-launches {launches}`."
        )
    guests = guests_of(plan)
    if guests:
        risks.append(
            f"**{len(guests):,} guest invitation{_s(guests)}**: people outside the organisation "
            f"get an email: {_names(guests, secrets)}."
        )
    checks = (
        ("edited", "edited after launch", "apply leaves them; `--replace KEY` relaunches"),
        ("drifted", "changed in Tallyfy", "apply leaves them; `plan --refresh` lists the fields"),
        ("duplicate", "launched more than once", "`launchspec apply --dedupe` settles them"),
        ("pending", "pending reconciliation", "apply reads their outcome back first"),
        ("missing", "missing or archived in Tallyfy", "their runs are gone"),
        ("archive", "to archive", "their runs will be archived"),
    )
    for kind, what, then in checks:
        keys = [a.key for a in plan.actions if a.row == kind]
        if keys:
            risks.append(f"**{len(keys):,} {what}** ({then}): {_names(keys, (), code_span=True)}.")
    return risks


def _names(items: Sequence[str], secrets: Sequence[str], code_span: bool = False) -> str:
    shown = [code(i) if code_span else md_text(plain(i, secrets)) for i in items[:LIST_LIMIT]]
    more = len(items) - LIST_LIMIT
    return ", ".join(shown) + (f" and {more:,} more" if more > 0 else "")


def _s(items: Sequence[object]) -> str:
    return "" if len(items) == 1 else "s"


def _foot(plan: Plan) -> str:
    facts = [f"checksum <code>{plan.checksum[:12]}</code>", f"launch time {plan.launch_at}"]
    facts.append(f"lockfile serial {plan.serial}")
    if plan.organization:
        facts.append(f"organisation <code>{md_text(plan.organization)}</code>")
    return "<sub>" + " · ".join(facts) + "</sub>\n"
