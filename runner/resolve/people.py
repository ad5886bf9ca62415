"""Owners as written (emails, ids, group names, guests) -> the API's {users, guests, groups}."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from runner.resolve.directory import Directory, closest, label_of, looks_like_email

PathPart = str | int


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a value, `path` relative to where the caller found it."""

    message: str
    path: tuple[PathPart, ...] = ()
    hint: str | None = None
    warning: bool = False  # said, not refused


@dataclass
class People:
    """Resolved owners: user ids, guest emails, group ids, plus how to show them."""

    users: list[int] = field(default_factory=list)
    guests: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)  # emails and group names, for plans
    problems: list[Problem] = field(default_factory=list)

    def body(self) -> dict[str, list[Any]]:
        return {"users": list(self.users), "guests": list(self.guests), "groups": list(self.groups)}

    def count(self) -> int:
        return len(self.users) + len(self.guests) + len(self.groups)


def over_cap(limit: Any, count: int) -> bool:
    """Whether `count` assignees pass a step's `max_assignable` (0: unlimited; not said: not
    known, so not checked)."""
    return isinstance(limit, int) and not isinstance(limit, bool) and limit > 0 and count > limit


def cap_unsaid(step: Mapping[str, Any]) -> bool:
    """Whether the step's answer leaves `max_assignable` out (or null): the SDK reads that as
    1, the sandbox as no cap; which Tallyfy applies is not known."""
    limit = step.get("max_assignable")
    return not isinstance(limit, int) or isinstance(limit, bool)


def assignee_count(people: People, directory: Directory) -> int:
    """What the cap counts: distinct members (a group as its members) and guests."""
    members: set[str] = {str(u) for u in people.users}
    guests = set(people.guests)
    for ref in people.groups:
        group = directory.group(ref) or {}
        members.update(str(m) for m in group.get("members") or ())
        guests.update(str(g) for g in group.get("guests") or ())
    return len(members) + len(guests)


def step_owner_problems(
    step: Mapping[str, Any], people: People, directory: Directory
) -> list[tuple[Problem, tuple[str, ...]]]:
    """What a step's owner rules say of `people`: guests refused, more owners than it takes."""
    title = label_of(step, "title")
    found: list[tuple[Problem, tuple[str, ...]]] = []
    if people.guests and step.get("allow_guest_owners") is False:
        found.append((Problem(f"step {title!r} does not allow guests as owners"), ("guests",)))
    limit = step.get("max_assignable")
    count = assignee_count(people, directory)
    if count > 1 and cap_unsaid(step):  # one owner passes every reading, the SDK's 1 too
        found.append((
            Problem(
                f"step {title!r} does not say how many owners it takes (no max_assignable): "
                f"{count} given, not checked; Tallyfy decides at launch",
                warning=True,
            ),
            (),
        ))  # fmt: skip
    if over_cap(limit, count):
        found.append((
            Problem(
                f"step {title!r} takes at most {limit} owner{'s' if limit != 1 else ''}; "
                f"{count} given (a group counts as its members; guests count too)"
            ),
            (),
        ))  # fmt: skip
    return found


def resolve_people(
    directory: Directory,
    users: Sequence[Any] = (),
    guests: Sequence[Any] = (),
    groups: Sequence[Any] = (),
) -> People:
    """Look every reference up; what cannot be found becomes a Problem at its list index."""
    out = People()
    for i, ref in enumerate(users):
        user = directory.user(ref)
        if user is None:
            out.problems.append(_unknown_user(ref, directory, ("users", i)))
        elif int(user["id"]) not in out.users:
            out.users.append(int(user["id"]))
            out.shown.append(str(user.get("email") or user["id"]))
    for i, email in enumerate(guests):
        if not looks_like_email(email):
            out.problems.append(Problem(f"guest {email!r} is not an email address", ("guests", i)))
        elif email.casefold() not in (g.casefold() for g in out.guests):
            out.guests.append(email)
            out.shown.append(f"{email} (guest)")
    for i, ref in enumerate(groups):
        group = directory.group(ref)
        if group is None:
            out.problems.append(_unknown_group(ref, directory, ("groups", i)))
        elif group["id"] not in out.groups:
            out.groups.append(str(group["id"]))
            out.shown.append(f"{group.get('name') or group['id']} (group)")
    return out


def _unknown_user(ref: Any, directory: Directory, path: tuple[PathPart, ...]) -> Problem:
    if isinstance(ref, str) and "@" not in ref and not ref.strip().isdigit():
        return _group_as_user(ref, directory, path)
    what = "email" if isinstance(ref, str) else "id"
    guess = closest(ref, directory.emails()) if isinstance(ref, str) else None
    hint = f"did you mean {guess!r}?" if guess else None
    if what == "email" and hint is None:
        hint = "to invite someone outside the organisation, list them under guests"
    return Problem(f"user {ref!r} is not in the organisation (unknown {what})", path, hint)


def _group_as_user(ref: str, directory: Directory, path: tuple[PathPart, ...]) -> Problem:
    """A user given by a name: no user has one, but a group may (`Sales`, or `Sals` for it)."""
    group = directory.group(ref)
    name = str(group.get("name")) if group else closest(ref, directory.group_names())
    hint = f"{name!r} is a group: list it under groups ({{groups: [{name}]}})" if name else None
    if name and not group:
        hint = f"did you mean the group {name!r}? list it under groups ({{groups: [{name}]}})"
    return Problem(
        f"user {ref!r} is not in the organisation (a user is an email or an id)", path, hint
    )


def _unknown_group(ref: Any, directory: Directory, path: tuple[PathPart, ...]) -> Problem:
    names = directory.group_names()
    guess = closest(ref, names) if isinstance(ref, str) else None
    known = ", ".join(names) or "none"
    hint = f"did you mean {guess!r}?" if guess else None
    return Problem(
        f"group {ref!r} is not in the organisation (unknown id or name; groups: {known})",
        path,
        hint,
    )
