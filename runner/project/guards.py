"""What apply checks before it acts: the launch limit, secrets set, a saved plan still fresh."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from runner import __version__
from runner.errors import ConfigError, StalePlanError, UsageError
from runner.plan.plan import Plan
from runner.state.formats import RELEASE
from runner.views.planjson import PLAN_FORMAT


def check_limit(plan_: Plan, limit: int) -> None:
    launches = plan_.launches
    if launches > limit:
        raise UsageError(
            f"this apply would launch {launches} processes, over the limit of {limit}",
            hint=f"review the plan, then pass --max-launches {launches} to allow it",
        )


def check_secrets(plan_: Plan) -> None:
    """Refuse to send a placeholder: every secret a launch or an update uses must be set."""
    for action in plan_.actions:
        rendered = action.desired.rendered if action.desired else None
        missing = rendered.missing_secrets if rendered else ()
        if missing and action.acts and action.verb != "archive":
            verb = "launch" if action.verb == "create" else action.verb
            raise ConfigError(
                f"secret {missing[0]} is not set in this environment: apply cannot {verb} "
                f"{action.key}",
                hint=f"set the environment variable {missing[0]} (a CI secret) where apply runs",
            )


def load_saved_plan(path: Path) -> dict[str, Any]:
    """Read a plan written by `plan --out`; only its identity and checksum are used."""
    if path.suffix in (".yaml", ".yml"):
        raise UsageError(
            f"{path} is a spec file; `apply` takes a saved plan file (from `plan --out`)",
            hint="run `launchspec apply` to apply every spec, or `plan --out plan.json` first",
        )
    try:
        doc = json.loads(path.read_text())
    except OSError as e:
        raise UsageError(f"cannot read saved plan {path}: {e.strerror or e}") from e
    except ValueError:
        raise UsageError(
            f"{path} is not a saved plan: `apply` takes the file `plan --out` writes"
        ) from None
    if not isinstance(doc, dict) or "checksum" not in doc or "launch_at" not in doc:
        raise UsageError(f"{path} is not a launchspec plan (write one with `plan --out`)")
    found = PLAN_FORMAT.version(doc, str(path))  # newer: names the release it needs
    made_by = doc.get("launchspec_version")
    if made_by != __version__:
        # As Terraform: what a plan means is what the launchspec that made it meant.
        by = (f"launchspec {made_by}" if isinstance(made_by, str) and RELEASE.fullmatch(made_by)
              else "another launchspec (one before 0.1.0 did not say which)")
        raise StalePlanError(
            f"{path} was made by {by}; this is launchspec {__version__}, and a saved plan is "
            "applied only by the launchspec that made it",
            hint="run `launchspec plan --out FILE` again with this launchspec and review it",
        )
    if found < PLAN_FORMAT.current:
        raise StalePlanError(
            f"{path} is a saved plan of format {found}, which said one word for "
            f"what apply does and why; this launchspec reads format {PLAN_FORMAT.current} "
            "(an action and its reason apart)",
            hint="run `launchspec plan --out FILE` again with this launchspec and review it",
        )
    return doc


def saved_flags(saved: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    """The flags a saved plan was made with, which `apply FILE` plans with again; a flag given
    to apply as well must say the same (a plan saved before flags were kept has only targets)."""
    kept = dict(saved.get("flags") or {})
    kept.setdefault("targets", saved.get("targets") or ())
    flags = dict(given)
    for name, value in given.items():
        if name not in kept:
            continue
        was = _same_form(kept[name])
        if value and _same_form(value) != was:
            raise UsageError(
                f"the saved plan was made {_flag(name, was)}; apply was given "
                f"{_flag(name, value)[5:]}",
                hint="apply the plan as it was saved, or make it again with "
                f"`launchspec plan {_flag(name, value)[5:]} --out FILE`",
            )
        flags[name] = tuple(was) if isinstance(was, list) else was
    return flags


def _same_form(value: Any) -> Any:
    return sorted(value) if isinstance(value, list | tuple) else value


def _flag(name: str, value: Any) -> str:
    """`with --backfill 2`, `without --prune`, `with --replace A --replace B`."""
    if not value:
        return f"without --{name}"
    if value is True:
        return f"with --{name}"
    if isinstance(value, list | tuple):
        return "with " + " ".join(f"--{name} {v}" for v in value)
    return f"with --{name} {value}"


def check_fresh(saved: dict[str, Any], current: Plan) -> None:
    """Refuse a saved plan whose inputs, lockfile or outcome differ from now."""
    if saved.get("offline") and not current.offline:
        raise StalePlanError(
            "the saved plan was made offline (--offline, or no API token): it resolved no "
            "launch against Tallyfy, so apply cannot check it is what it would send",
            hint="run `launchspec plan --out FILE` with the API token set, and review that",
        )
    old_inputs: dict[str, str] = saved.get("inputs", {})
    changed = sorted(
        name
        for name in set(old_inputs) | set(current.inputs)
        if old_inputs.get(name) != current.inputs.get(name)
    )
    if changed:
        raise StalePlanError(
            f"the saved plan is stale: {', '.join(changed)} changed since it was made",
            hint="run `launchspec plan --out FILE` again and review it",
        )
    same_lineage = current.serial == 0 or saved.get("lineage") == current.lineage
    if not same_lineage or saved.get("serial") != current.serial:
        raise StalePlanError(
            f"the saved plan is stale: the lockfile changed since it was made (serial "
            f"{saved.get('serial')} -> {current.serial})",
            hint="run `launchspec plan --out FILE` again and review it",
        )
    if saved["checksum"] != current.checksum:
        raise StalePlanError(
            "the saved plan is stale: the same inputs now give a different plan (a template, "
            "the organisation's people, or an allowed environment variable changed)",
            hint="run `launchspec plan --out FILE` again and review it",
        )
