"""What the core needs from a Tallyfy client, as Protocols: the reads and the writes.

`runner.client.client.TallyfyClient` provides all of them (mypy checks it wherever the CLI
hands one to a core); the template snapshots (`runner.snapshots.store.SnapshotStore`)
provide the catalogue reads, so a fork's pull request resolves offline the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

# The API's shapes (a run, a template, a user) are JSON objects; what the core reads of them
# is checked where it is read (runner.resolve, runner.plan.drift).
Json = dict[str, Any]


class RunReader(Protocol):
    """Runs of a template, and one run: what reading launches back needs."""

    def list_runs(self, **filters: str | int | bool) -> Iterable[Json]: ...

    def get_run(self, run_id: str) -> Json: ...


class Catalog(Protocol):
    """Templates, people and places: what resolving a spec needs (the API or the snapshots)."""

    def get_template(self, template_id: str) -> Json: ...

    def find_templates(self, q: str | None = None, *, steps: bool = False) -> list[Json]: ...

    def list_users(self) -> list[Json]: ...

    def list_groups(self) -> list[Json]: ...

    def list_tags(self) -> list[Json]: ...

    def list_folders(self) -> list[Json]: ...


class Reader(RunReader, Catalog, Protocol):
    """Every read of the organisation the commands make."""

    @property
    def org_id(self) -> str: ...

    @property
    def base_url(self) -> str: ...

    def me(self) -> Json: ...

    def my_organizations(self) -> list[Json]: ...

    def get_run(self, run_id: str, with_: Sequence[str] = ()) -> Json: ...

    def first_runs(self, **filters: str | int | bool) -> tuple[list[Json], bool]: ...

    def list_tasks(self, run_id: str) -> list[Json]: ...


class Writer(Protocol):
    """The changes apply (and `--dedupe`) make to runs."""

    def launch_run(self, body: Mapping[str, Any]) -> Json: ...

    def update_run(self, run_id: str, fields: Mapping[str, Any]) -> Json: ...

    def archive_run(self, run_id: str) -> Json: ...


class RunWriter(RunReader, Writer, Protocol):
    """What the applier is handed: runs read back and written."""


class Tallyfy(Reader, Writer, Protocol):
    """A client that reads and writes: what the `apply` command is handed."""

    def permit_writes(self, check: Callable[[], None] | None) -> None: ...
