"""The render and resolve stages over every spec, with the reads they need (templates, people)."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from runner.config import Config
from runner.diagnostics import Diagnostic, has_errors
from runner.errors import NotFoundError, SpecError
from runner.lockfile import Lockfile
from runner.plan import Desired
from runner.render import Rendered
from runner.spec import Spec

HEX_ID = re.compile(r"[0-9a-f]{32}")


def render_all(config: Config, specs: Sequence[Spec], lock: Lockfile, at: str) -> list[Rendered]:
    from runner.render import RenderContext, render_spec

    env = {name: os.environ[name] for name in config.env_allow if name in os.environ}
    out: list[Rendered] = []
    problems: list[Diagnostic] = []
    for spec in specs:
        entry = lock.entries.get(spec.id)
        context = RenderContext(
            launch_at=_parse_time(entry.launched_at if entry else at),
            timezone=config.timezone,
            default_vars=dict(config.defaults.get("vars", {})),
            env=env,
            git=git_context(),
            secret_vars=tuple(config.secret_vars),
        )
        rendered, diagnostics = render_spec(spec, context)
        problems.extend(diagnostics)
        if rendered is not None:
            out.append(rendered)
    if has_errors(problems):
        raise SpecError(problems)
    return out


def resolve_all(client: Any, rendered: Sequence[Rendered]) -> tuple[list[Desired], list[str]]:
    from runner.resolve import Directory, resolve

    directory = Directory(
        users=client.list_users(),
        groups=client.list_groups(),
        tags=client.list_tags(),
        folders=client.list_folders(),
    )
    templates: dict[str, Any] = {}
    desired: list[Desired] = []
    problems: list[Diagnostic] = []
    for r in rendered:
        template = _template(client, r, templates, problems)
        if template is None:
            continue
        request, diagnostics = resolve(r, template, directory)
        problems.extend(diagnostics)
        if request is not None:
            desired.append(Desired(r, request))
    if has_errors(problems):
        raise SpecError(problems)
    return desired, []


def _template(
    client: Any, r: Rendered, cache: dict[str, Any], problems: list[Diagnostic]
) -> Any | None:
    ref = r.template
    if ref not in cache:
        cache[ref] = _fetch_template(client, ref)
    found = cache[ref]
    if isinstance(found, str):
        problems.append(Diagnostic(found, r.spec.pos("template"), "template", code="template"))
        return None
    return found


def _fetch_template(client: Any, ref: str) -> Any:
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
            f"no template is titled {ref!r}"
            if not matches
            else f"{len(matches)} templates are titled {ref!r}; use the template id"
        )
    return client.get_template(str(matches[0]["id"]))


def offline(rendered: Sequence[Rendered]) -> tuple[list[Desired], list[str]]:
    notes = [
        "no API token: templates, kick-off fields, owners and live runs were not checked; "
        "changes are judged from the rendered specs against the lockfile"
    ]
    return [Desired(r) for r in rendered], notes


def live_states(client: Any, lock: Lockfile) -> dict[str, str]:
    states = {}
    for key, entry in lock.entries.items():
        try:
            run = client.get_run(entry.run_id)
        except NotFoundError:
            states[key] = "missing"
            continue
        states[key] = "archived" if run.get("status") == "archived" else "active"
    return states


def input_digests(config: Config, specs: Sequence[Spec]) -> dict[str, str]:
    """sha256 of every file the plan was computed from, by path relative to the root."""
    files = {spec.file for spec in specs}
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
