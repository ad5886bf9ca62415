"""The organisation's people and labels, looked up by id, email, name or title."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

Item = Mapping[str, Any]
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def looks_like_email(value: Any) -> bool:
    """A loose check: one @, no spaces, a dot in the domain (the API checks nothing)."""
    return isinstance(value, str) and bool(EMAIL.fullmatch(value))


def closest(word: str, candidates: Sequence[str]) -> str | None:
    """The candidate most like `word` (case-insensitive), if any is close enough."""
    folded = {c.casefold(): c for c in candidates}
    found = difflib.get_close_matches(word.casefold(), list(folded), n=1, cutoff=0.6)
    return folded[found[0]] if found else None


def by_label(ref: str, items: Sequence[Item], *fields: str) -> list[Item]:
    """Items whose first field in `fields` equals `ref` exactly, else case-insensitively."""
    for exact in (True, False):
        for name in fields:
            want = ref if exact else ref.casefold()
            hits = [
                i
                for i in items
                if isinstance(i.get(name), str)
                and (i[name] if exact else i[name].casefold()) == want
            ]
            if hits:
                return hits
    return []


@dataclass(frozen=True)
class Directory:
    """The organisation's people and labels, as the API lists them."""

    users: Sequence[Mapping[str, Any]] = ()
    groups: Sequence[Mapping[str, Any]] = ()
    tags: Sequence[Mapping[str, Any]] = ()
    folders: Sequence[Mapping[str, Any]] = ()

    @cached_property
    def _users_by_id(self) -> dict[int, Item]:
        return {int(u["id"]): u for u in self.users}

    @cached_property
    def _users_by_email(self) -> dict[str, Item]:
        return {str(u["email"]).casefold(): u for u in self.users if u.get("email")}

    def user(self, ref: Any) -> Item | None:
        """A user by id (int or digits) or by email (any case)."""
        if isinstance(ref, bool):
            return None
        if isinstance(ref, int) or (isinstance(ref, str) and ref.strip().isdigit()):
            return self._users_by_id.get(int(ref))
        if isinstance(ref, str):
            return self._users_by_email.get(ref.strip().casefold())
        return None

    def group(self, ref: Any) -> Item | None:
        """A group by id, or by name (exact, then a unique case-insensitive match)."""
        return _find(ref, self.groups, "name")

    def tag(self, ref: Any) -> Item | None:
        """A tag by id, or by title."""
        return _find(ref, self.tags, "title")

    def folder(self, ref: Any) -> Item | None:
        """A folder by id, or by name (or title, which some answers use)."""
        return _find(ref, self.folders, "name", "title")

    def emails(self) -> list[str]:
        return [str(u["email"]) for u in self.users if u.get("email")]

    def group_names(self) -> list[str]:
        return [str(g.get("name")) for g in self.groups]


def _find(ref: Any, items: Sequence[Item], *fields: str) -> Item | None:
    if not isinstance(ref, str):
        return None
    for item in items:
        if item.get("id") == ref:
            return item
    hits = by_label(ref, items, *fields)
    return hits[0] if len(hits) == 1 else None


def label_of(item: Item, *fields: str) -> str:
    """The first non-empty of `fields`, else the id."""
    for name in fields:
        if item.get(name):
            return str(item[name])
    return str(item.get("id"))
