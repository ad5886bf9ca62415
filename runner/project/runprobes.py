"""doctor's reads of a template's runs: does the server keep the order, the name search and the
summaries that finding a lost launch relies on (docs/tallyfy-api-notes.md, "Assumptions")."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from runner.errors import ApiError
from runner.remote.ports import Reader
from runner.views.doctorview import Finding

CHECK = "runs"
# A name no run has: a server that filters by `q` answers nothing for it.
NO_SUCH_NAME = "launchspec doctor: a name no run has"
TEMPLATES_TRIED = 3  # templates read until one has two runs to compare


def run_findings(client: Reader, template_ids: Sequence[str]) -> list[Finding]:
    """The order, name search and summaries of the first template (of a few) with two runs."""
    try:
        for template_id in template_ids[:TEMPLATES_TRIED]:
            runs, _ = client.first_runs(checklist_id=template_id, sort="-created_at")
            if len(runs) >= 2:
                return [
                    _order(runs),
                    _name_search(client, template_id),
                    _summaries(client, runs[0]),
                ]
    except ApiError as e:
        return [Finding(CHECK, "warn", f"the runs could not be read: {e.message}")]
    return [
        Finding(
            CHECK,
            "ok",
            "no template the specs use has two runs yet: the order of run listings, the name "
            "search and summaries were not checked (`launchspec doctor` checks them once it has)",
        )
    ]


def _order(runs: Sequence[Mapping[str, Any]]) -> Finding:
    """Whether a listing asked for `sort=-created_at` came newest first."""
    times = [str(r.get("created_at") or "")[:19] for r in runs]
    if all(a >= b for a, b in itertools.pairwise(times)):
        return Finding(f"{CHECK}: order", "ok", "listed newest first, as asked (sort=-created_at)")
    return Finding(
        f"{CHECK}: order",
        "warn",
        "not listed newest first although sort=-created_at asked for it: to find a lost launch "
        "launchspec reads every run of the template instead of the newest ones (safe, slower)",
    )


def _name_search(client: Reader, template_id: str) -> Finding:
    """Whether `q` filters runs by name: a name no run has must list nothing."""
    runs, _ = client.first_runs(checklist_id=template_id, q=NO_SUCH_NAME)
    if not runs:
        return Finding(f"{CHECK}: name search", "ok", "runs are filtered by name (q)")
    return Finding(
        f"{CHECK}: name search",
        "warn",
        f"a search for a name no run has listed {len(runs)} runs: the server does not filter "
        "by q, so the check for a name already in use compares one page of runs only",
    )


def _summaries(client: Reader, listed: Mapping[str, Any]) -> Finding:
    """Whether a run's summary reads the same in a listing as by id: provenance markers are read
    from listings, and confirmed by id."""
    check = f"{CHECK}: summaries"
    if "summary" not in listed:
        return Finding(
            check,
            "warn",
            "run listings do not carry summaries: launchspec's provenance markers cannot be "
            "found in them, so a lost launch is looked for by name and time",
        )
    by_id = client.get_run(str(listed.get("id")))
    if by_id.get("summary") != listed.get("summary"):
        return Finding(check, "warn", "a run's summary reads differently listed and by id")
    html = "<" in str(listed.get("summary") or "")
    said = " (stored as HTML: markers are read after removing the markup)" if html else ""
    return Finding(check, "ok", f"a run's summary reads the same listed and by id{said}")
