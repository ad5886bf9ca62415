"""What each name a spec's templates can read holds: the reference docs are generated from it.

`tests/render/test_names.py` compares these with what rendering really provides, so the two
cannot drift apart.
"""

from __future__ import annotations

OPEN = ("vars", "env", "secrets")  # roots whose names the user chooses

NAMES: dict[str, str] = {
    "vars.NAME": "A variable from the spec's `vars:`, deep-merged over `defaults.vars` of "
    "launchspec.yaml (the spec wins). Values are literal: they are never rendered themselves.",
    "launch.key": "The launch key: `ID`, `ID[ELEMENT]` (for_each) or `ID@PERIOD` (every).",
    "launch.at": "The launch time: a date-time in the spec's time zone, pinned when first "
    "planned and kept in the lockfile. The date filters take it: "
    "`{{ launch.at | add_business_days(3) }}`.",
    "launch.date": "The launch day, `YYYY-MM-DD`, in the spec's time zone.",
    "launch.iso": "The launch time in ISO 8601 UTC with `Z`: `2026-12-04T09:00:00Z`.",
    "launch.period": "With `every`: the period's label (`2026-11-29`, `2026-W48`, `2026-11`, "
    "`2026-Q4`, `2026`).",
    "launch.period_start": "With `every`: the period's first day, `YYYY-MM-DD`.",
    "launch.period_end": "With `every`: the period's last day, `YYYY-MM-DD`.",
    "each.key": "With `for_each`: the element's key (the mapping key, the text, or the "
    "`key_field` of a row).",
    "each.value": "With `for_each`: the element itself (a mapping's value, or the row as a "
    "mapping of its columns).",
    "spec.id": "The spec's `id`.",
    "git.sha": "The commit being planned or applied (`GITHUB_SHA`; empty outside Actions).",
    "git.ref": "The git ref (`GITHUB_REF`; empty outside Actions).",
    "git.pr": "The pull request's number on a pull-request run, else null.",
    "git.repository": "`owner/name` (`GITHUB_REPOSITORY`; empty outside Actions).",
    "env.NAME": "An environment variable listed under `env:` in launchspec.yaml (no other is "
    "visible).",
    "secrets.NAME": "An environment variable listed under `secrets:` in launchspec.yaml; only "
    "as the whole value of a field (`\"{{ secrets.NAME }}\"`), never transformed, and never "
    "printed.",
}
