"""`launchspec new`: a ready-to-edit spec for a template, every field and step listed (pure).

Required kick-off fields come first and are left empty (YAML null): the spec passes the
schema as written, and `validate` (with snapshots) and `plan` name each one still empty
("missing required kick-off field ...") until it is filled in. Optional fields are listed
empty too; an empty value is not sent. Steps are listed in a commented-out `tasks:` block
with their default owners and deadline, written as overrides that change nothing, so
uncommenting one is a safe start.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runner.errors import LaunchspecError, UsageError
from runner.project.starter import SCHEMA_FILE
from runner.remote.ports import Reader
from runner.resolve.directory import Directory
from runner.resolve.shapes import unwrap
from runner.snapshots.rows import FieldRow, field_rows, step_rows
from runner.specs.config import Config
from runner.specs.schema import packaged_schema

SCHEMA_LINE = "# yaml-language-server: $schema={}"
PLAIN_KEY = re.compile(r"^[A-Za-z][\w .()/&'+@-]*(?<! )$")
SPEC_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")  # as in the schema's specId
RESERVED = {"true", "false", "null", "yes", "no", "on", "off", "y", "n"}
TYPE_HELP = {
    "date": "date, e.g. 2026-12-01",
    "multiselect": "multiselect, a list of",
    "table": "table, a list of rows with",
    "assignees_form": "assignees: {users: [email], guests: [email], groups: [name]}",
    "file": "file: cannot be set from a spec; leave it empty, attach it in Tallyfy",
}


def spec_id(title: str) -> str:
    """A spec id from a title: lowercase words joined by '-', at most 100 characters."""
    words = re.findall(r"[a-z0-9]+", title.lower())
    return "-".join(words)[:100].strip("-") or "launch"


def yaml_key(text: str) -> str:
    """`text` as a YAML mapping key: plain when that is safe, else double-quoted."""
    if PLAIN_KEY.fullmatch(text) and text.lower() not in RESERVED:
        return text
    return json.dumps(text, ensure_ascii=False)


def new_spec(
    template: Mapping[str, Any], directory: Directory, key: str | None = None, schema: str = ""
) -> str:
    """The text of a new spec launching `template`, keyed `key` (default: from its title),
    its first line pointing editors at the JSON Schema `schema` (a path or URL)."""
    title = str(template.get("title") or template.get("id"))
    fields = sorted(field_rows(template), key=lambda f: not f.required)  # stable: keeps order
    lines = [
        *([SCHEMA_LINE.format(schema)] if schema else []),
        f"# A launch of {title!r}, written by `launchspec new`. Fill in the required kick-off",
        "# fields (plan refuses the spec while one is empty), then `launchspec validate` and",
        "# `launchspec plan`. `launchspec templates show` describes every field and step.",
        f"id: {key or spec_id(title)}",
        f"template: {template.get('id')}   # {title}",
        f"name: {json.dumps(title + ' - {{ launch.date }}', ensure_ascii=False)}",
        '# summary: "..."',
        "# owner: someone@example.com        # a user's email or id (default: the token's user)",
        *_kickoff(fields),
        *_tasks(template, directory),
        "# tags: []",
    ]
    return "\n".join(lines) + "\n"


def _kickoff(fields: Sequence[FieldRow]) -> list[str]:
    if not fields:
        return ["# (this template has no kick-off fields)"]
    keys = [yaml_key(f.label) + ":" for f in fields]
    width = max(map(len, keys)) + 1
    out = ["prerun:                              # kick-off fields by label"]
    heading = None
    for f, k in zip(fields, keys, strict=True):
        now = "# required" if f.required else "# optional: an empty value is not sent"
        if now != heading:
            out.append(f"  {now}")
            heading = now
        out.append(f"  {k.ljust(width)}# {_describe(f)}")
    return out


def _describe(f: FieldRow) -> str:
    kind = TYPE_HELP.get(f.type, f.type)
    if f.type in ("dropdown", "radio", "multiselect", "table") and f.options:
        sep = ": " if f.type in ("dropdown", "radio") else " "
        return f"{kind}{sep}{' | '.join(f.options)}"
    return kind


def _tasks(template: Mapping[str, Any], directory: Directory) -> list[str]:
    steps = unwrap(template.get("steps"))
    if not steps:
        return []
    out = ["# tasks:                             # uncomment steps to change deadlines or owners"]
    for step, row in zip(steps, step_rows(template, directory), strict=True):
        limit = f"; at most {row.max_assignable} in all" if row.max_assignable else ""
        out.append(f"#   {yaml_key(row.title)}:")
        out.append(f"#     # default owners: {', '.join(row.owners) or 'nobody'}{limit}")
        out.append(f"#     # default deadline: {row.deadline}")
        expr = _deadline_expr(step.get("deadline"))
        if expr:
            out.append(f'#     deadline: "{{{{ launch.at | {expr} }}}}"')
        owners = _owners_flow(step, directory)
        if owners:
            out.append(f"#     owners: {owners}")
    return out


def _deadline_expr(deadline: Any) -> str | None:
    """The Jinja filter giving the template's default deadline, when it counts from launch."""
    if not isinstance(deadline, Mapping) or deadline.get("step", "start_run") != "start_run":
        return None
    value, unit = deadline.get("value"), str(deadline.get("unit"))
    name = {"days": "add_days", "weeks": "add_weeks", "months": "add_months"}.get(unit)
    if name is None or not isinstance(value, int) or deadline.get("option") != "from":
        return None
    return f"{name}({value})"


def _owners_flow(step: Mapping[str, Any], directory: Directory) -> str:
    """The step's default owners as a YAML flow mapping of emails and group names."""
    users = [str((directory.user(u) or {}).get("email") or u) for u in step.get("assignees") or ()]
    groups = [str((directory.group(g) or {}).get("name") or g) for g in step.get("groups") or ()]
    guests = [str(g) for g in step.get("guests") or ()]
    parts = [
        f"{kind}: [{', '.join(yaml_key(v) for v in values)}]"
        for kind, values in (("users", users), ("groups", groups), ("guests", guests))
        if values
    ]
    return "{" + ", ".join(parts) + "}" if parts else ""


@dataclass(frozen=True)
class Scaffolded:
    """A new spec: its key, where it goes (None: standard output) and its text."""

    key: str
    path: Path | None
    text: str
    own_schema: bool  # the first line names the project's schema/, not the installed copy


def scaffold(
    config: Config, client: Reader | None, ref: str, key: str | None, out: Path | None
) -> Scaffolded:
    """The new spec for template `ref`, read from the API or the snapshots, to be written to
    `out` (default `specs/KEY.yaml`; `-`: standard output). UsageError when `key` is not a
    valid id, or another spec file of the project already uses it."""
    from runner.project.catalog import directory_of, lookup, source

    if key is not None and not SPEC_ID.fullmatch(key):
        raise UsageError(
            f"--id {key!r} is not a valid spec id",
            hint="lowercase letters, digits, '.', '_' and '-', starting with a letter or digit",
        )
    src = source(config, client)
    template = lookup(src, ref)
    key = key or spec_id(str(template.get("title") or template.get("id")))
    path = None if str(out) == "-" else config.root / (out or Path("specs") / f"{key}.yaml")
    _refuse_taken(config, key, path)
    schema = schema_ref(config.root, path or config.root / "specs" / f"{key}.yaml")
    own = (config.root / SCHEMA_FILE).is_file()
    return Scaffolded(key, path, new_spec(template, directory_of(src), key, schema), own)


def schema_ref(root: Path, spec: Path) -> str:
    """The spec schema as `spec`'s first line names it: the project's own copy (written by
    `init`) relative to the spec, else the copy inside the installed package."""
    own = root / SCHEMA_FILE
    if own.is_file():
        return Path(os.path.relpath(own, spec.parent)).as_posix()
    return str(packaged_schema())


def _refuse_taken(config: Config, key: str, path: Path | None) -> None:
    """UsageError when a spec file other than `path` already has the id `key`."""
    from runner.check.check import find_spec_files
    from runner.specs.source import load_file

    try:
        found = find_spec_files(config)
    except LaunchspecError:
        return  # no spec files yet (or none readable): nothing to clash with
    for file in found:
        if path is not None and file.resolve() == path.resolve():
            continue  # the file being replaced (--force)
        shown = os.path.relpath(file, config.root)
        for doc in load_file(file, shown)[0]:
            if isinstance(doc.data, Mapping) and doc.data.get("id") == key:
                at = doc.pos(("id",))
                raise UsageError(
                    f"id {key!r} is already used in {at.file}:{at.line}",
                    hint="choose another with --id, or replace that file with --out and --force",
                )
