"""Resolution without the API: against the template snapshots where there are some (a fork's
pull request, `validate`), else the rendered specs alone."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence

from runner.diagnostics import Diagnostic
from runner.errors import LockfileError, SpecError
from runner.plan.plan import Desired
from runner.project.stages import HEX_ID, render_all, resolve_all, title_guess
from runner.render.render import Rendered
from runner.snapshots.store import SnapshotStore, covered_note, uncovered_note
from runner.specs.config import Config
from runner.specs.spec import Spec
from runner.state.lockfile import Lockfile, read_lockfile


def resolve_offline(
    rendered: Sequence[Rendered], snapshots: SnapshotStore | None = None
) -> tuple[list[Desired], list[str]]:
    """Without the API: resolve against the snapshots where there are some, else render only."""
    if snapshots is not None:
        return _from_snapshots(rendered, snapshots)
    notes = [
        "no API token: templates, kick-off fields, owners and live runs were not checked; "
        "changes are judged from the rendered specs against the lockfile"
    ]
    return [Desired(r) for r in rendered], notes


def _from_snapshots(
    rendered: Sequence[Rendered], store: SnapshotStore
) -> tuple[list[Desired], list[str]]:
    covered = [r for r in rendered if store.knows(r.template)]
    rest = [r for r in rendered if not store.knows(r.template)]
    # An id may name a template not pulled yet; a title the snapshots do not hold is a typo
    # until proven otherwise (the snapshots are what a fork's pull request is checked with).
    unknown = [_unknown_title(store, r) for r in rest if not HEX_ID.fullmatch(r.template)]
    try:
        desired, said = resolve_all(store, covered)
    except SpecError as e:
        raise SpecError(sorted([*e.diagnostics, *unknown], key=Diagnostic.sort_key)) from None
    if unknown:
        raise SpecError(unknown)
    folder = os.path.relpath(store.folder)
    notes = [covered_note(folder), *said] if covered else []
    if rest:
        notes.append(uncovered_note(((r.template, r.key) for r in rest), folder))
    return desired + [Desired(r) for r in rest], notes


def _unknown_title(store: SnapshotStore, r: Rendered) -> Diagnostic:
    folder = os.path.relpath(store.folder)
    return Diagnostic(
        f"no template titled {r.template!r} in the snapshots in {folder}/"
        + title_guess(store, r.template),
        r.spec.pos("template"),
        "template",
        code="template",
        hint=f"if it exists in Tallyfy: `launchspec templates pull {json.dumps(r.template)}`",
    )


def field_diagnostics(config: Config, specs: Sequence[Spec], at: str) -> list[Diagnostic]:
    """Field-level problems of `specs` found against the snapshots (none when there are none).

    For `validate`: renders with launch time `at` (or the lockfile's, for launched keys) and
    resolves offline, the same way `plan` without a token does.
    """
    store = SnapshotStore.load(config.snapshots_dir)
    if store is None or not specs:
        return []
    try:
        lock = read_lockfile(config.lockfile)
    except LockfileError:
        lock = Lockfile.new()  # validate checks specs; the lockfile is plan's business
    found: list[Diagnostic] = []  # render errors; the specs without any are resolved
    try:
        resolve_offline(render_all(config, specs, lock, at, carry=found), store)
    except SpecError as e:
        return found + list(e.diagnostics)
    return found
