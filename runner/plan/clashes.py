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


def names_in_use(
    launches: Iterable[Desired], search: Callable[[str, str], Iterable[Mapping[str, Any]]]
) -> list[str]:
    """Warnings for launches whose name a run of the same template already has on the server
    (`search(template_id, name)` lists the runs whose name contains `name`)."""
    notes = []
    for d in launches:
        if d.request is None:
            continue
        for run in search(d.request.template_id, d.rendered.name):
            if run.get("name") == d.rendered.name:
                notes.append(
                    f"{d.key} would launch the name {d.rendered.name!r}, already used by run "
                    f"{run.get('id')} (not recorded for this key; `launchspec import` adopts it)"
                )
                break
    return notes
