"""Launches that people could not tell apart: the same template and the same rendered name."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from runner.plan.plan import Desired


def name_clashes(desired: Sequence[Desired]) -> list[str]:
    """One warning per group of specs that launch one template under one name."""
    groups: dict[tuple[str, str], list[str]] = {}
    for d in desired:
        r = d.rendered
        groups.setdefault((r.template, r.name), []).append(d.key)
    return [
        f"{' and '.join(keys)} launch {template!r} with the same name {name!r}: "
        "people will not tell their runs apart"
        for (template, name), keys in groups.items()
        if len(keys) > 1
    ]


Search = Callable[[str, str], tuple[Sequence[Mapping[str, Any]], bool]]


def names_in_use(launches: Iterable[Desired], search: Search) -> list[str]:
    """Warnings for launches whose name a run of the same template already has on the server.

    `search(template_id, name)` answers one page of the runs whose name contains `name`, and
    whether more follow. One page at most: only the documentation mentions `q` for runs, and a
    server that ignored it would otherwise be read through the template's whole history for
    every new launch. When the page was cut and holds no match, the note says so."""
    notes = []
    for d in launches:
        if d.request is None:
            continue
        runs, cut = search(d.request.template_id, d.rendered.name)
        same = next((r for r in runs if r.get("name") == d.rendered.name), None)
        if same is not None:
            notes.append(
                f"{d.key} would launch the name {d.rendered.name!r}, already used by run "
                f"{same.get('id')} (not recorded for this key; `launchspec import` adopts it)"
            )
        elif cut:
            notes.append(
                f"{d.key}: the search for runs named {d.rendered.name!r} answered more than one "
                f"page; only the first {len(runs)} runs were compared (does the server filter "
                "runs by `q`?)"
            )
    return notes
