"""How a run found on the server differs from what its spec would launch (pure): one
comparison for `import` and for the plan's `<= adopt`, in the words of the spec."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runner.plan.drift import same
from runner.plan.plan import Change
from runner.resolve.request import LaunchRequest


def run_changes(
    run: Mapping[str, Any], request: LaunchRequest, labels: Mapping[str, str] | None = None
) -> list[Change]:
    """Each difference, `old` as on the run, `new` as the spec would launch it: the name
    (unless the template names its runs itself) and each kick-off value the spec sets that the
    run holds (compared as Tallyfy stores them: dates by day, an empty value as none), by label."""
    out = []
    wanted = str(request.body.get("name") or "")
    if wanted and run.get("name") != wanted and not request.auto_named:
        out.append(Change("name", run.get("name"), wanted))
    stored = run.get("prerun")
    stored = stored if isinstance(stored, Mapping) else {}
    for fid, value in (request.body.get("prerun") or {}).items():
        have = stored.get(fid)
        if have is not None and not same(value, have):
            label = (labels or {}).get(fid, fid)
            out.append(Change(label, as_written(have), as_written(value)))
    return out


def as_written(value: Any) -> Any:
    """A kick-off value as a person wrote it: an option's text, not the API's {id, text}."""
    if isinstance(value, Mapping) and isinstance(value.get("text"), str):
        return value["text"]
    if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
        return [as_written(v) for v in value]
    return value
