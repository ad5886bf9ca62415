"""Templates for `templates pull|list|show` and `new`: found via the API or the snapshots."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from runner.errors import LaunchspecError, UsageError
from runner.remote.ports import Catalog, Reader
from runner.resolve.directory import Directory
from runner.snapshots.folder import DIRECTORY_FILE
from runner.snapshots.rows import FieldRow, StepRow, field_rows, step_rows
from runner.snapshots.store import SnapshotStore, template_path, write_directory, write_template
from runner.specs.config import Config

PULL_HINT = "run `launchspec templates pull` with TALLYFY_TOKEN set (or --sandbox)"


def source(config: Config, client: Reader | None) -> Catalog:
    """Where templates come from: the API when there is a client, else the snapshots."""
    if client is not None:
        return client
    store = SnapshotStore.load(config.snapshots_dir)
    if store is None:
        raise UsageError(
            f"no API token and no snapshots in {_rel(config, config.snapshots_dir)}/",
            hint=PULL_HINT,
        )
    return store


def lookup(src: Catalog, ref: str) -> dict[str, Any]:
    """The template `ref` (id or title) names in `src`; UsageError saying why not."""
    from runner.project.stages import find_template, title_guess

    if isinstance(src, SnapshotStore) and not src.knows(ref):
        raise UsageError(
            f"no snapshot of template {ref!r} in {_rel_folder(src.folder)}/"
            + title_guess(src, ref),
            hint=PULL_HINT,
        )
    found = find_template(src, ref)
    if isinstance(found, str):
        raise UsageError(found, hint="`launchspec templates list` shows every template")
    return dict(found)


def _rel_folder(folder: Path) -> str:
    return os.path.relpath(folder)


def directory_of(src: Catalog) -> Directory:
    return Directory(
        users=src.list_users(),
        groups=src.list_groups(),
        tags=src.list_tags(),
        folders=src.list_folders(),
    )


def list_templates(src: Catalog) -> list[dict[str, Any]]:
    """Every template with its steps when the source gives them, ordered by title."""
    found = [dict(t) for t in src.find_templates(steps=True)]
    return sorted(found, key=lambda t: (str(t.get("title", "")).casefold(), str(t.get("id"))))


# -- pull ---------------------------------------------------------------------------------


@dataclass
class Pulled:
    """What `templates pull` wrote: (path relative to the root, title, new|updated|unchanged)."""

    files: list[tuple[str, str, str]] = field(default_factory=list)


def spec_templates(config: Config) -> list[str]:
    """The `template:` of every valid spec, each once, in order of first use."""
    from runner.project.project import validate

    refs: list[str] = []
    for spec in validate(config, fields=False).specs:
        ref = spec.data.get("template")
        if isinstance(ref, str) and ref not in refs:
            refs.append(ref)
    return refs


def pull(config: Config, client: Reader, refs: Sequence[str] = ()) -> Pulled:
    """Snapshot the named templates (default: those the specs use) and the directory."""
    refs = list(refs) or spec_templates(config)
    if not refs:
        raise UsageError(
            "no spec names a template, so there is nothing to pull",
            hint="name one: `launchspec templates pull TEMPLATE`",
        )
    templates = _fetch_all(client, refs)
    directory = {
        "users": client.list_users(),
        "groups": client.list_groups(),
        "tags": client.list_tags(),
        "folders": client.list_folders(),
    }
    # Every read is done before the first write: a failed pull leaves the old set whole.
    folder, org, pulled = config.snapshots_dir, client.org_id, Pulled()
    for template in templates:
        path = template_path(folder, str(template["id"]))
        how = _written(path, partial(write_template, folder, template, org))
        pulled.files.append((_rel(config, path), str(template.get("title")), how))
    path = folder / DIRECTORY_FILE
    how = _written(path, partial(write_directory, folder, directory, org))
    pulled.files.append((_rel(config, path), "(directory)", how))
    return pulled


def _fetch_all(client: Reader, refs: Sequence[str]) -> list[dict[str, Any]]:
    """The templates `refs` name, by id; every name that finds none is reported at once."""
    templates: dict[str, dict[str, Any]] = {}
    errors: list[str] = []
    for ref in refs:
        try:
            found = lookup(client, ref)
        except UsageError as e:
            errors.append(e.message)
            continue
        templates[str(found["id"])] = found
    if errors:
        raise LaunchspecError("; ".join(errors), hint="`launchspec templates list` names them all")
    return [templates[k] for k in sorted(templates)]


def _written(path: Path, write: Callable[[], Path]) -> str:
    """Run `write` (which replaces `path`) and say whether the file is new, updated or not."""
    before = path.read_bytes() if path.exists() else None
    write()
    if before is None:
        return "new"
    return "unchanged" if before == path.read_bytes() else "updated"


def _rel(config: Config, path: Path) -> str:
    return os.path.relpath(path, config.root)


# -- one function per command ---------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """A template described for `templates show`, and where it was read from."""

    template: dict[str, Any]
    fields: list[FieldRow]
    steps: list[StepRow]
    origin: str


def origin(config: Config, src: Catalog) -> str:
    if isinstance(src, SnapshotStore):
        return f"from the snapshots in {_rel(config, src.folder)}/"
    return "from the API"


def show(config: Config, client: Reader | None, ref: str) -> Shown:
    """The template `ref` names with its fields and steps, from the API or the snapshots."""
    src = source(config, client)
    template = lookup(src, ref)
    steps = step_rows(template, directory_of(src))
    return Shown(template, field_rows(template), steps, origin(config, src))


def templates(config: Config, client: Reader | None) -> tuple[list[dict[str, Any]], str]:
    """Every template (API) or every snapshot (offline), and where they were read from."""
    src = source(config, client)
    return list_templates(src), origin(config, src)
