"""Stable placeholders for every id, name, e-mail and secret in recorded API answers (pure)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

HEX_ID = re.compile(r"[0-9a-f]{32}")
EMAIL = re.compile(r"[^@\s\"'<>(),;:/]+@[^@\s\"'<>(),;:/]+\.[A-Za-z]{2,}")
# Keys whose values name or describe people and things: replaced whatever they hold.
NAME_KEYS = frozenset(
    {
        "name", "title", "label", "text", "first_name", "last_name", "full_name", "username",
        "summary", "guidance", "description", "alias", "email", "job_title", "phone",
        "profile_pic", "url", "full_url", "link", "slug", "default_process_name_format",
        "filename", "org_name", "display_name", "value",
    }
)  # fmt: skip
# Keys whose values (or list items) are ids.
ID_LIST_KEYS = frozenset(
    {"assignees", "users", "groups", "guests", "tags", "folders", "owners", "tag_ids", "members"}
)


def _is_id_key(key: str | None) -> bool:
    return key is not None and (key == "id" or key.endswith("_id") or key.endswith("_ids"))


class Anonymiser:
    """Learns the originals in a set of answers, then replaces each with the same placeholder."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets = [s for s in secrets if s]
        self._map: dict[str, str] = {}
        self._ints: dict[int, int] = {}
        self._counts: dict[str, int] = {}
        self._ids: set[str] = set()  # originals that are ids or e-mails, not names

    def _next(self, kind: str) -> int:
        self._counts[kind] = self._counts.get(kind, 0) + 1
        return self._counts[kind]

    def pin(self, original: str, kind: str) -> str:
        """The placeholder for `original` (made on first sight): hex ids stay 32 hex digits."""
        if original not in self._map:
            n = self._next(kind if not HEX_ID.fullmatch(original) else "hex")
            if HEX_ID.fullmatch(original):
                # letters in it, so no rule for integer ids in paths can take it for one
                self._map[original] = f"feed{n:028x}"
            elif EMAIL.fullmatch(original):
                self._map[original] = f"person{n}@example.invalid"
            else:
                self._map[original] = f"{kind}-{n}"
            if kind in ("hex", "id", "email", "org") or HEX_ID.fullmatch(original):
                self._ids.add(original)
        return self._map[original]

    def _int(self, value: int) -> int:
        if value not in self._ints:
            self._ints[value] = 900000 + len(self._ints) + 1
        return self._ints[value]

    def learn(self, data: Any, key: str | None = None) -> None:
        """Note every id, name and e-mail in `data`, in order of first appearance."""
        if isinstance(data, dict):
            for k, v in data.items():
                if HEX_ID.fullmatch(str(k)):
                    self.pin(str(k), "hex")
                    # a value keyed by an id (a kick-off value) is the user's data
                    self.learn(v, "value")
                else:
                    self.learn(v, str(k))
        elif isinstance(data, list):
            for item in data:
                self.learn(item, key)
        elif isinstance(data, bool) or data is None:
            return
        elif isinstance(data, int):
            if _is_id_key(key) or key in ID_LIST_KEYS:
                self._int(data)
        elif isinstance(data, str) and data:
            looks_like_id = HEX_ID.fullmatch(data) or EMAIL.fullmatch(data)
            if looks_like_id or _is_id_key(key) or key in ID_LIST_KEYS:
                self.pin(data, "id")
            elif key in NAME_KEYS:
                self.pin(data, key or "text")
            for email in EMAIL.findall(data):
                self.pin(email, "email")

    def scrub(self, data: Any, key: str | None = None) -> Any:
        """`data` with every learnt original replaced by its placeholder."""
        if isinstance(data, dict):
            return {self.text(str(k)): self.scrub(v, str(k)) for k, v in data.items()}
        if isinstance(data, list):
            return [self.scrub(item, key) for item in data]
        if isinstance(data, bool) or data is None:
            return data
        if isinstance(data, int):
            return self._ints.get(data, data) if _is_id_key(key) or key in ID_LIST_KEYS else data
        if isinstance(data, str):
            return self._map.get(data) or self.text(data)
        return data

    def text(self, value: str, *, ids_only: bool = False) -> str:
        """`value` with secrets masked and every learnt original replaced, longest first.

        With `ids_only` (paths and queries), names are left alone: a template titled "runs"
        must not rewrite `/runs`.
        """
        for secret in self._secrets:
            value = value.replace(secret, "***")
        for original in sorted(self._map, key=len, reverse=True):
            if ids_only and original not in self._ids:
                continue
            if len(original) >= 3 and original in value:
                value = value.replace(original, self._map[original])
        return re.sub(r"(?<=/)(\d+)(?=/|$)", self._path_int, value)

    def _path_int(self, match: re.Match[str]) -> str:
        number = int(match.group(1))
        return str(self._ints.get(number, number))
