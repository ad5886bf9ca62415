"""Versions of the files launchspec writes: read forward, upgraded on write, refused when newer.

Each format (the lockfile, a journal line, a saved plan, a snapshot) has a number, raised only
when an older launchspec would misread the new shape. Every file records it beside
`needs_launchspec`, the first release that reads that number, so that an older launchspec
refusing a newer file can name the release to install. A launchspec reads every older number
(its `upgrades` bring a document forward one number at a time) and writes only its own; it
never writes over a file it refused. docs/compatibility.md lists the numbers by release.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from runner import __version__
from runner.errors import LaunchspecError

NEEDS = "needs_launchspec"
RELEASE = re.compile(r"\d{1,4}(\.\d{1,4}){1,2}([a-z]+\d{0,4})?")  # what a file may say it needs
Upgrade = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Format:
    """One kind of file: where its number is, the numbers this launchspec knows, and how to
    bring an older document forward."""

    name: str  # as a user calls the file: "lockfile", "saved plan", ...
    key: str  # the field holding the number
    current: int
    since: Mapping[int, str]  # number -> the first launchspec release that reads it
    upgrades: Mapping[int, Upgrade] = field(default_factory=dict)  # from N to N + 1
    unversioned: int | None = None  # the number of a file with no `key` (None: refused)
    error: type[LaunchspecError] = LaunchspecError

    def stamp(self) -> dict[str, Any]:
        """The fields every file of this format is written with."""
        # A number with no release listed yet is new in the release being made.
        return {self.key: self.current, NEEDS: self.since.get(self.current, __version__)}

    def version(self, doc: Mapping[str, Any], where: str) -> int:
        """The document's number, checked: one this launchspec reads, else `error` saying what
        to do (a newer one names the release it needs)."""
        found = doc.get(self.key, self.unversioned)
        if found is None:
            raise self.error(
                f"{where} has no {self.key}: it is not a {self.name} launchspec wrote",
                hint="restore it from git (git checkout -- the file) and run the command again",
            )
        if isinstance(found, bool) or not isinstance(found, int) or found < 1:
            raise self.error(
                f"{where} has {self.key} {found!r}, which no launchspec writes (a whole number "
                "from 1)",
                hint="restore it from git (git checkout -- the file) and run the command again",
            )
        if found > self.current:
            message, hint = self._newer(found, doc.get(NEEDS), where)
            raise self.error(message, hint=hint)
        return found

    def _newer(self, found: int, needs: Any, where: str) -> tuple[str, str]:
        known = isinstance(needs, str) and RELEASE.fullmatch(needs)
        by = f"launchspec {needs} or newer" if known else "a newer launchspec"
        message = (
            f"{where} is a {self.name} of format {found}, newer than this launchspec "
            f"({__version__}) reads (format {self.current} at most): it needs {by}. Nothing was "
            "changed"
        )
        install = f'pip install "launchspec>={needs}"' if known else "pip install -U launchspec"
        hint = (
            f"upgrade launchspec ({install}) here and in the version your workflows install; "
            "docs/compatibility.md says which release reads which format"
        )
        return message, hint

    def upgrade(self, doc: dict[str, Any], where: str) -> dict[str, Any]:
        """`doc` brought forward to the current number (the same object when it is current)."""
        found = self.version(doc, where)
        for number in range(found, self.current):
            doc = self.upgrades[number](doc)
        return doc
