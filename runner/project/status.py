"""`launchspec status`: the live state of every launch in the lockfile.

The reads are the remote stage's (`runner.remote.recorded`: each run and its tasks, read
together, the people, the keys launched twice); what they become and how it is shown is
`runner.views.statusview`'s. This core only puts the two together.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from runner.remote.ports import Reader
from runner.remote.recorded import read_recorded
from runner.resolve.directory import Directory
from runner.specs.config import Config
from runner.state.lockfile import Lockfile, read_lockfile
from runner.views.statusview import RunStatus
from runner.views.statusview import format_json as format_json  # the command's views
from runner.views.statusview import format_text as format_text
from runner.views.statusview import summarise as summarise


def collect(client: Reader, lock: Lockfile, now: datetime) -> list[RunStatus]:
    """Read every recorded run and its tasks; one RunStatus per key, ordered by key."""
    found = read_recorded(client, lock)
    directory = Directory(users=found.users, groups=found.groups)
    return [
        replace(
            summarise(key, entry, *found.progress[key], directory, now),
            duplicates=found.duplicates.get(key, ()),
        )
        for key, entry in sorted(lock.entries.items())
    ]


def current(config: Config, client: Reader, now: datetime) -> list[RunStatus]:
    """The live state of every key in the project's lockfile."""
    return collect(client, read_lockfile(config.lockfile, organization=client.org_id), now)
