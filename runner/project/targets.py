"""`--target KEY|ID|GLOB|PATH`: narrow a plan to some launch keys (and their parents), said so."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from runner.errors import UsageError
from runner.plan.plan import Action, Plan


def narrow(plan: Plan, targets: Sequence[str], root: Path) -> Plan:
    """The plan's actions whose key or spec file a target names, plus their parents."""
    if not targets:
        return plan
    chosen = {a.key for a in plan.actions if any(_names(t, a, root) for t in targets)}
    for target in targets:
        if not any(_names(target, a, root) for a in plan.actions):
            raise UsageError(
                f"--target {target} matches no launch key or spec file",
                hint="give a key, a spec id (all its keys), a glob ('onboarding-*', "
                "'client-onboarding[a*]') or a spec file's path",
            )
    chosen |= _parents(plan, chosen)
    kept = tuple(a for a in plan.actions if a.key in chosen)
    note = (
        f"--target {' '.join(targets)}: a partial plan of {len(kept)} of {len(plan.actions)} "
        "keys; changes to the others are left out (run without --target to see them all)"
    )
    return replace(plan, actions=kept, notes=(*plan.notes, note), targets=tuple(targets))


def _names(target: str, action: Action, root: Path) -> bool:
    key = action.key
    if target in (key, _spec_id(key)) or fnmatch.fnmatchcase(key, _glob(target)):
        return True
    file = _spec_file(action)
    if not file or not target.endswith((".yaml", ".yml")):
        return False
    here = Path(target).resolve()  # as typed, from the current directory, or from the root
    return _resolved(file, root) in (here, _resolved(target, root))


def _spec_id(key: str) -> str:
    """The spec a key belongs to: `onboard` of `onboard[acme]` and of `close@2026-12`."""
    return key.split("[", 1)[0].split("@", 1)[0]


def _glob(target: str) -> str:
    """Only `*` and `?` are wildcards: `[acme]` in a target is part of a key, not a set of
    letters (a key's element is written in brackets)."""
    return re.sub(r"[][]", lambda m: f"[{m.group()}]", target)


def _spec_file(action: Action) -> str | None:
    if action.desired is not None:
        return action.desired.rendered.spec.file
    return action.entry.spec_file if action.entry else None


def _resolved(path: str, root: Path) -> Path:
    p = Path(path)
    return (p if p.is_absolute() else root / p).resolve()


def _parents(plan: Plan, chosen: set[str]) -> set[str]:
    """Parents first: a child launched alone needs its parent's run."""
    by_key = {a.key: a for a in plan.actions}
    out: set[str] = set()
    todo = list(chosen)
    while todo:
        action = by_key.get(todo.pop())
        parent = action.desired.rendered.parent if action and action.desired else None
        if parent and parent not in chosen | out:
            out.add(parent)
            todo.append(parent)
    return out
