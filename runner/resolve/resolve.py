"""Labels, titles and emails -> API ids; plain values -> API shapes: Rendered -> LaunchRequest.

Kick-off keys match a field by timeline id, else by label (exact, then a unique case-insensitive
match), else by alias; task keys match a step the same way by id, title, alias. Every value the
API would refuse or silently drop is a diagnostic at the value's position in the spec.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from runner.diagnostics import Diagnostic, has_errors
from runner.render.render import Rendered
from runner.resolve.directory import Directory, closest, label_of
from runner.resolve.encode import EncodeError, encode
from runner.resolve.people import (
    PathPart,
    People,
    Problem,
    resolve_people,
    step_owner_problems,
)
from runner.resolve.request import SECRET, UPDATABLE_FIELDS, LaunchRequest, without_secrets
from runner.resolve.roles import role_id, step_roles
from runner.resolve.rules import (
    default_name,
    is_empty,
    launch_refusal,
    not_for_runs,
)
from runner.resolve.shapes import canonical_json, find_one, plain, unwrap
from runner.specs.schema import dotted

__all__ = ["UPDATABLE_FIELDS", "Directory", "LaunchRequest", "canonical_json", "resolve"]


def resolve(
    rendered: Rendered, template: Mapping[str, Any], directory: Directory
) -> tuple[LaunchRequest | None, list[Diagnostic]]:
    """Resolve one rendered launch against its template (API shape) and the directory."""
    return _Resolver(rendered, template, directory).run()


class _Resolver:
    def __init__(self, rendered: Rendered, template: Mapping[str, Any], directory: Directory):
        self.r = rendered
        self.template = template
        self.directory = directory
        self.diagnostics: list[Diagnostic] = []
        self.guests: list[str] = []
        self.display: dict[str, Any] = {"template": template.get("title"), "owner": None}

    def problem(self, p: Problem, *base: PathPart) -> None:
        path = (*base, *p.path)
        self.diagnostics.append(
            Diagnostic(
                p.message,
                pos=self.r.spec.pos(*path),
                path=dotted(path),
                severity="warning" if p.warning else "error",
                code="resolve",
                hint=p.hint,
            )
        )

    def run(self) -> tuple[LaunchRequest | None, list[Diagnostic]]:
        refusal = launch_refusal(self.template)
        if refusal:
            self.problem(Problem(refusal, hint="publish the template in Tallyfy first"), "template")
        body = self._body()
        if has_errors(self.diagnostics):
            return None, self.diagnostics
        fixed = {k: v for k, v in body.items() if k not in UPDATABLE_FIELDS}
        fixed = without_secrets(fixed, self.r.secret_values)  # a rotated secret edits nothing
        return LaunchRequest(
            key=self.r.key,
            template_id=str(self.template["id"]),
            template_title=str(self.template.get("title") or ""),
            body=body,
            digest=hashlib.sha256(canonical_json(fixed).encode()).hexdigest(),
            updatable={k: body[k] for k in UPDATABLE_FIELDS if k in body},
            parent=self.r.parent,
            display=self.display,
            guests=tuple(sorted(set(self.guests), key=str.casefold)),
            secret_values=self.r.secret_values,
            auto_named=bool(self.template.get("auto_naming")),
        ), self.diagnostics

    def _body(self) -> dict[str, Any]:
        r = self.r
        body: dict[str, Any] = {"checklist_id": self.template.get("id")}
        # Sources disagree on whether a name is required (docs/tallyfy-api-notes.md): always
        # send one, the documented default "{template title} - {date}" when the spec has none.
        body["name"] = r.name or default_name(self.template, r)
        if r.summary is not None:
            body["summary"] = r.summary
        self.display.update(name=self._redact(body["name"]), summary=self._redact(r.summary))
        if r.owner is not None:
            body["owner_id"] = self._owner(r.owner)
        optional = {
            "prerun": self._kickoff(),
            "tasks": self._tasks(),
            "tags": self._labels(r.tags, "tags", self.directory.tag, ("title",)),
            "folders": self._labels(
                r.folders, "folders", self.directory.folder, ("name", "title"), not_for_runs
            ),
            "users": self._people(users=r.users).users,
            "groups": self._people(groups=r.groups).groups,
            "roles": self._roles(),
        }
        body.update({k: v for k, v in optional.items() if v})
        for flag in ("starred", "is_public"):
            if getattr(r, flag) is not None:
                body[flag] = bool(getattr(r, flag))
        return body

    def _redact(self, text: str | None) -> str | None:
        for secret in self.r.secret_values:
            text = text.replace(secret, SECRET) if text else text
        return text

    def _owner(self, ref: str | int) -> int | None:
        user = self.directory.user(ref)
        self.display["owner"] = str(user.get("email") or user["id"]) if user else str(ref)
        if user is None:
            people = resolve_people(self.directory, users=[ref])
            self.problem(
                Problem(f"run owner: {people.problems[0].message}", hint=people.problems[0].hint),
                "owner",
            )
            return None
        return int(user["id"])

    def _people(
        self,
        base: tuple[PathPart, ...] = (),
        users: Sequence[Any] = (),
        guests: Sequence[Any] = (),
        groups: Sequence[Any] = (),
    ) -> People:
        people = resolve_people(self.directory, users, guests, groups)
        for p in people.problems:
            self.problem(p, *base)
        self.guests.extend(people.guests)
        return people

    def _labels(
        self,
        refs: Sequence[str],
        key: str,
        find: Any,
        fields: tuple[str, ...],
        unusable: Any = lambda item: None,
    ) -> list[str]:
        ids: list[str] = []
        shown: list[str] = []
        items = [i for i in getattr(self.directory, key) if not unusable(i)]
        known = [label_of(i, *fields) for i in items]
        for i, ref in enumerate(refs):
            item = find(ref)
            why = unusable(item) if item is not None else None
            if why:
                self.problem(Problem(f"{key[:-1]} {ref!r} {why}"), key, i)
            elif item is None:
                guess = closest(str(ref), known)
                self.problem(
                    Problem(
                        f"{key[:-1]} {ref!r} does not exist (known: {', '.join(known) or 'none'})",
                        hint=f"did you mean {guess!r}?" if guess else None,
                    ),
                    key,
                    i,
                )
            elif item["id"] not in ids:
                ids.append(str(item["id"]))
                shown.append(label_of(item, *fields))
        self.display[key] = shown
        return ids

    def _roles(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        known = step_roles(self.template)
        for role, refs in self.r.roles.items():
            if not isinstance(refs, Mapping):
                self.problem(Problem("a role takes {users, guests, groups}"), "roles", role)
                continue
            rid = role_id(str(role), known, str(self.template.get("title") or ""))
            if isinstance(rid, Problem):
                self.problem(rid, "roles", role)
                continue
            people = self._people(("roles", role), *(refs.get(k) or () for k in _KINDS))
            out[rid] = people.body()
        return out

    def _kickoff(self) -> dict[str, Any]:
        fields = unwrap(self.template.get("prerun"))
        zone = ZoneInfo(self.r.timezone)
        out: dict[str, Any] = {}
        shown: dict[str, Any] = {}
        seen: set[str] = set()  # fields named, even when their value is refused
        for key, value in self.r.kickoff.items():
            found = self._match(str(key), fields, "label", "prerun", _KICKOFF)
            if found is None or value is None:
                continue
            fid, label = str(found["id"]), label_of(found, "label")
            if fid in seen:
                self.problem(Problem(f"kick-off field {label!r} is given twice"), "prerun", key)
                continue
            seen.add(fid)
            if found.get("required") and is_empty(value):
                self.problem(
                    Problem(
                        f"required kick-off field {label!r} is empty (the API would refuse the "
                        "launch: 422)"
                    ),
                    "prerun",
                    key,
                )
                continue
            try:
                encoded = encode(found, value, self.directory, zone)
            except EncodeError as exc:
                self.problem(Problem(exc.message, hint=exc.hint), "prerun", key)
                continue
            out[fid] = encoded
            if found.get("field_type") == "assignees_form":
                self.guests.extend(out[fid]["guests"])
            shown[label] = self._shown(value)
        self._required(fields, seen)
        self.display["prerun"] = shown
        return out

    def _required(self, fields: Sequence[Mapping[str, Any]], given: set[str]) -> None:
        for f in fields:
            if f.get("required") and f.get("id") not in given:
                where = ("prerun",) if "prerun" in self.r.spec.data else ()
                self.problem(
                    Problem(
                        f"missing required kick-off field {label_of(f, 'label')!r} "
                        f"(the API would refuse the launch: 422)"
                    ),
                    *where,
                )

    def _shown(self, value: Any) -> Any:
        """The value as written, JSON-safe, and hidden entirely when it holds a secret."""
        text = canonical_json(plain(value))
        if any(s in text for s in self.r.secret_values):
            return SECRET
        return plain(value)

    def _match(
        self, key: str, items: Sequence[Mapping[str, Any]], label: str, where: str, what: str
    ) -> Mapping[str, Any] | None:
        found = find_one(key, items, label, what, silently_dropped=where == "prerun")
        if isinstance(found, Problem):
            self.problem(found, where, key)
            return None
        return found

    def _tasks(self) -> dict[str, Any]:
        steps = unwrap(self.template.get("steps"))
        out: dict[str, Any] = {}
        shown: dict[str, Any] = {}
        for key, task in self.r.tasks.items():
            step = self._match(key, steps, "title", "tasks", "step")
            if step is None:
                continue
            sid, title, base = str(step["id"]), label_of(step, "title"), ("tasks", key)
            if sid in out:
                self.problem(Problem(f"step {title!r} is given twice"), *base)
                continue
            entry: dict[str, Any] = {}
            if task.deadline is not None:
                entry["deadline"] = task.deadline
            people = self._people((*base, "owners"), task.users, task.guests, task.groups)
            if task.owners_set or people.count() or people.problems:
                self._check_step_owners(step, people, (*base, "owners"))
                entry["owners"] = people.body()
            out[sid] = entry
            shown[title] = {"deadline": task.deadline, "owners": people.shown}
        self.display["tasks"] = shown
        return {k: v for k, v in out.items() if v}

    def _check_step_owners(
        self, step: Mapping[str, Any], people: People, base: tuple[PathPart, ...]
    ) -> None:
        for problem, where in step_owner_problems(step, people, self.directory):
            self.problem(problem, *base, *where)


_KINDS = ("users", "guests", "groups")
_KICKOFF = "kick-off field"
