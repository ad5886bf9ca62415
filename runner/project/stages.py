"""The render and resolve stages over every spec, with the reads they need (templates, people)."""

from __future__ import annotations

import difflib
import hashlib
import os
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace as evolve
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runner.diagnostics import Diagnostic, has_errors
from runner.errors import NotFoundError, SpecError
from runner.plan.plan import Desired
from runner.redaction import register
from runner.remote.ports import Catalog
from runner.render.render import Rendered
from runner.specs.config import Config
from runner.specs.spec import Spec
from runner.state.lockfile import Lockfile

if TYPE_CHECKING:
    from runner.snapshots.store import SnapshotStore

HEX_ID = re.compile(r"[0-9a-f]{32}")


def render_all(
    config: Config,
    specs: Sequence[Spec],
    lock: Lockfile,
    at: str,
    backfill: int = 0,
    warnings: list[Diagnostic] | None = None,
    strict: bool = False,
    fresh: Collection[str] = (),
    carry: list[Diagnostic] | None = None,
) -> list[Rendered]:
    """One Rendered per launch the specs ask for at `at` (for_each elements, due periods).

    Warnings (a deadline in the past, an unset secret) go to `warnings`; with `strict` they
    are errors. A launched key renders at its recorded launch time, unless it is in `fresh`
    (`--replace`): a relaunch happens now, so its deadlines count from now.

    Errors raise SpecError; with `carry`, they are added to it instead and only the specs
    without any are rendered (so the next stage can report the others' problems too)."""
    from runner.render.expand import Instance, instances, spec_zone
    from runner.render.render import RenderContext, render_spec

    env = {name: os.environ[name] for name in config.env_allow if name in os.environ}
    secrets = {name: os.environ.get(name) for name in config.secret_vars}
    register(*secrets.values())  # from here on, nothing this process prints shows them
    out: list[Rendered] = []
    problems: list[Diagnostic] = []
    wanted: list[tuple[Instance, bool]] = []  # (instance, kept: launched or shown as due)
    per_element: dict[Diagnostic, list[Instance]] = {}  # the same problem in many elements
    failed: set[str] = set()  # ids of the specs with errors
    now = _parse_time(at)
    # A key moved (`moved:`) and not applied yet is launched under its old key: render it at
    # that run's launch time, as any launched key.
    recorded_as = {new: old for old, new in config.moved if new not in lock.entries}
    for spec in specs:
        found, diagnostics = instances(spec, config.root, now, config.timezone, backfill)
        if has_errors(diagnostics):
            failed.add(spec.id)
        wanted.extend((inst, True) for inst in found)
        problems.extend(diagnostics)
        # The current period not due yet is rendered all the same: its errors show in review,
        # and the plan shows it with its due date (when the period has one).
        preview, _ = instances(spec, config.root, now, config.timezone, preview=True)
        wanted.extend((inst, inst.due is not None) for inst in preview)
    for inst, keep in wanted:
        spec = inst.spec
        entry = None if inst.key in fresh else lock.entries.get(recorded_as.get(inst.key, inst.key))
        context = RenderContext(
            launch_at=_parse_time(entry.launched_at if entry else at),
            timezone=spec_zone(spec.data, config.timezone),
            default_vars=dict(config.defaults.get("vars", {})),
            env=env,
            git=git_context(),
            secrets=secrets,
            key=inst.key,
            each=inst.each_names(),
            period=inst.period_names(),
        )
        rendered, diagnostics = render_spec(spec, context)
        if has_errors(diagnostics):
            failed.add(spec.id)
        for d in diagnostics:
            per_element.setdefault(d, []).append(inst)
        if rendered is not None and keep:
            out.append(rendered if inst.due is None else evolve(rendered, due=str(inst.due)))
    problems.extend(_for_elements(d, found) for d, found in per_element.items())
    if strict:
        problems = [evolve(d, severity="error") for d in problems]
    if carry is not None:
        carry.extend(d for d in problems if d.severity == "error")
        problems = [d for d in problems if d.severity != "error"]
        out = [r for r in out if r.spec.id not in failed]
    if has_errors(problems):
        raise SpecError(problems)
    if warnings is not None:
        warnings.extend(problems)
    return out


def resolve_all(
    client: Catalog, rendered: Sequence[Rendered], snapshots: SnapshotStore | None = None
) -> tuple[list[Desired], list[str]]:
    """Resolve every launch; with `snapshots` (a SnapshotStore), also report template drift."""
    from runner.resolve.resolve import Directory, resolve

    templates: dict[str, Any] = {}
    # Independent reads go out together: each costs a round trip, and they add up on every plan.
    with ThreadPoolExecutor(max_workers=8, thread_name_prefix="read") as pool:
        lists = [
            pool.submit(f)
            for f in (client.list_users, client.list_groups, client.list_tags, client.list_folders)
        ]
        refs = sorted({r.template for r in rendered})
        fetched = dict(
            zip(refs, pool.map(lambda ref: _fetch_template(client, ref), refs), strict=True)
        )
        users, groups, tags, folders = (f.result() for f in lists)
    templates.update(fetched)
    directory = Directory(users=users, groups=groups, tags=tags, folders=folders)
    desired: list[Desired] = []
    problems: list[Diagnostic] = []
    per_key: dict[Diagnostic, list[str]] = {}  # the same problem in many launches of a spec
    notes: dict[str, None] = {}  # warnings, each said once however many launches share it
    for r in rendered:
        template = _template(client, r, templates, problems)
        if template is None:
            continue
        if snapshots is not None:
            problems.extend(_drift(snapshots, r, template))
        request, diagnostics = resolve(r, template, directory)
        for d in diagnostics:
            if d.severity == "warning":
                notes[str(d)] = None
            else:
                per_key.setdefault(d, []).append(r.key)
        if request is not None:
            desired.append(Desired(r, request))
    problems.extend(_for_keys(d, keys) for d, keys in per_key.items())
    if has_errors(problems):
        raise SpecError(problems)
    return desired, list(notes)


def _for_elements(d: Diagnostic, found: Sequence[Any]) -> Diagnostic:
    """A problem of `for_each` elements says which: its key and where its data is, or, when
    several elements share it (a typo in the spec), their keys, once."""
    elements = [inst.each for inst in found if inst.each is not None]
    if not elements:
        return d
    if len(elements) > 1:
        return evolve(d, message=f"{d.message} (for_each keys {_some(e.key for e in elements)})")
    element = elements[0]
    where = f"{element.pos.file} line {element.pos.line}, " if element.pos else ""
    return evolve(d, message=f"{d.message} (for_each {where}key {element.key})")


def _for_keys(d: Diagnostic, keys: Sequence[str]) -> Diagnostic:
    """A problem of launches of a repeated spec says which (`ID[KEY]`, `ID@PERIOD`), once."""
    if all("[" not in key and "@" not in key for key in keys):
        return d
    return evolve(d, message=f"{d.message} (for {_some(keys)})")


def _some(names: Iterable[str], shown: int = 5) -> str:
    """`a, b, c`, or the first `shown` and how many more."""
    listed = list(names)
    more = len(listed) - shown
    return ", ".join(listed[:shown]) + (f" and {more} more" if more > 0 else "")


def _template(
    client: Catalog, r: Rendered, cache: dict[str, dict[str, Any] | str], problems: list[Diagnostic]
) -> dict[str, Any] | None:
    ref = r.template
    if ref not in cache:
        cache[ref] = _fetch_template(client, ref)
    found = cache[ref]
    if isinstance(found, str):
        problems.append(Diagnostic(found, r.spec.pos("template"), "template", code="template"))
        return None
    return found


def find_template(client: Catalog, ref: str) -> dict[str, Any] | str:
    """The template `ref` (an id or a title) names, or a message saying why it cannot be used."""
    return _fetch_template(client, ref)


def _fetch_template(client: Catalog, ref: str) -> dict[str, Any] | str:
    """The template's API shape, or a message saying why it cannot be used."""
    if HEX_ID.fullmatch(ref):
        try:
            return client.get_template(ref)
        except NotFoundError:
            return f"template {ref} does not exist in this organisation (or is not visible)"
    matches = [t for t in client.find_templates(ref) if t.get("title") == ref]
    if not matches:
        matches = [
            t for t in client.find_templates(ref) if str(t.get("title", "")).lower() == ref.lower()
        ]
    if len(matches) != 1:
        return (
            f"no template is titled {ref!r}{title_guess(client, ref)}"
            if not matches
            else f"{len(matches)} templates are titled {ref!r}; use the template id"
        )
    return client.get_template(str(matches[0]["id"]))


def title_guess(src: Catalog, ref: str) -> str:
    """` (did you mean 'TITLE'?)` for the template title closest to `ref`, or ``."""
    titles = {str(t.get("title") or ""): None for t in src.find_templates()}
    by_folded = {title.casefold(): title for title in titles if title}
    close = difflib.get_close_matches(ref.casefold(), list(by_folded), n=1, cutoff=0.6)
    return f" (did you mean {by_folded[close[0]]!r}?)" if close else ""


def _drift(snapshots: SnapshotStore, r: Rendered, template: Mapping[str, Any]) -> list[Diagnostic]:
    from runner.snapshots.diff import drift_message, template_changes

    old = snapshots.templates.get(str(template.get("id")))
    changes = template_changes(old, template) if old is not None else []
    if not changes:
        return []
    message = drift_message(str(template.get("title") or template.get("id")), changes)
    hint = "run `launchspec templates pull`, review the snapshot diff and the specs, and commit"
    return [Diagnostic(message, r.spec.pos("template"), "template", code="drift", hint=hint)]


def input_digests(config: Config, specs: Sequence[Spec]) -> dict[str, str]:
    """sha256 of every file the plan was computed from, by path relative to the root."""
    from runner.render.expand import data_files

    files = {spec.file for spec in specs} | {str(p) for p in data_files(specs, config.root)}
    if config.file is not None:
        files.add(str(config.file))
    out = {}
    for name in sorted(files):
        path = Path(name) if Path(name).is_absolute() else config.root / name
        rel = os.path.relpath(path, config.root)
        out[rel] = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""
    return out


def git_context() -> dict[str, Any]:
    """What templates may know of git, from the GitHub Actions environment when present."""
    ref = os.environ.get("GITHUB_REF", "")
    pr = ref.split("/")[2] if ref.startswith("refs/pull/") else None
    return {
        "sha": os.environ.get("GITHUB_SHA", ""),
        "ref": ref,
        "pr": int(pr) if pr and pr.isdigit() else None,
        "repository": os.environ.get("GITHUB_REPOSITORY", ""),
    }


def _parse_time(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
