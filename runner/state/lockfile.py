"""The lockfile: which run each launch key created. Read, write atomically, lock against others."""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from runner.errors import LockBusyError, LockfileError
from runner.state.formats import Format
from runner.state.fsutil import atomic_write
from runner.state.scans import Scan
from runner.state.stateschema import lockfile_problem

# Files from before 0.1.0 have no `needs_launchspec`; they gain it on their first write.
LOCKFILE = Format("lockfile", "format_version", 1, {1: "0.1.0"}, error=LockfileError)
FORMAT_VERSION = LOCKFILE.current


@dataclass(frozen=True)
class LockEntry:
    """One launched run, as recorded when it was launched (or adopted)."""

    run_id: str
    template_id: str
    launched_at: str  # ISO 8601 UTC with Z; also the pinned `launch.at` for re-renders
    name: str  # rendered name, secrets redacted
    digest: str  # of the request fields fixed at launch
    fields_digest: str = ""  # of the updatable fields (name, summary, owner, …) as last applied
    source_digest: str = ""  # of the rendered spec's fixed part (for plans without API access)
    source_fields_digest: str = ""  # of the rendered spec's updatable part
    fields: Mapping[str, Any] = field(default_factory=dict)  # updatable fields, secrets redacted
    parent: str | None = None
    spec_file: str | None = None
    adopted: bool = False  # recorded by `import` or reconciliation, not by a launch response
    # The fixed part as launched, as the spec wrote it, secrets redacted (runner/plan/launched.py):
    # what `!` edited after launch shows as old. Empty in entries recorded before it was kept.
    launched: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "run_id": self.run_id,
            "template_id": self.template_id,
            "launched_at": self.launched_at,
            "name": self.name,
            "digest": self.digest,
            "fields_digest": self.fields_digest,
            "source_digest": self.source_digest,
            "source_fields_digest": self.source_fields_digest,
            "fields": dict(self.fields),
            "parent": self.parent,
            "spec_file": self.spec_file,
        }
        if self.adopted:
            doc["adopted"] = True
        if self.launched:
            doc["launched"] = dict(self.launched)
        return doc

    @classmethod
    def from_json(cls, key: str, doc: Mapping[str, Any]) -> LockEntry:
        entry = cls._from_json(key, doc)
        try:
            # Re-renders pin `launch.at` to this value: a bad one must fail here, with the key.
            datetime.strptime(entry.launched_at, "%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            raise LockfileError(
                f"lockfile entry {key!r} is malformed: launched_at {entry.launched_at!r} is not "
                "a UTC time like 2026-12-01T09:00:00Z"
            ) from None
        return entry

    @classmethod
    def _from_json(cls, key: str, doc: Mapping[str, Any]) -> LockEntry:
        try:
            return cls(
                run_id=str(doc["run_id"]),
                template_id=str(doc["template_id"]),
                launched_at=str(doc["launched_at"]),
                name=str(doc.get("name", "")),
                digest=str(doc.get("digest", "")),
                fields_digest=str(doc.get("fields_digest", "")),
                source_digest=str(doc.get("source_digest", "")),
                source_fields_digest=str(doc.get("source_fields_digest", "")),
                fields=dict(doc.get("fields") or {}),
                parent=doc.get("parent"),
                spec_file=doc.get("spec_file"),
                adopted=bool(doc.get("adopted", False)),
                launched=dict(doc.get("launched") or {}),
            )
        except (KeyError, TypeError, AttributeError) as e:
            raise LockfileError(f"lockfile entry {key!r} is malformed: missing or bad {e}") from e


@dataclass(frozen=True)
class Lockfile:
    """The whole lockfile: identity (lineage), version (serial) and entries by launch key."""

    lineage: str
    serial: int = 0
    organization: str | None = None
    entries: Mapping[str, LockEntry] = field(default_factory=dict)
    scans: Mapping[str, Scan] = field(default_factory=dict)  # template id -> what was read
    # The project folder in its git repository ("" at the top; None: not known yet), so that
    # another folder's lockfile is never taken for this one's (runner/state/merge.py).
    project: str | None = None
    # Key -> runs this history archived (prune, replace, dedupe): never an entry again, so a
    # merge with a version that still holds one drops it (runner/state/merge.py).
    archived: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def new(cls, organization: str | None = None) -> Lockfile:
        return cls(lineage=str(uuid.uuid4()), serial=0, organization=organization)

    def with_entry(self, key: str, entry: LockEntry) -> Lockfile:
        entries = dict(self.entries)
        entries[key] = entry
        return replace(self, entries=entries, serial=self.serial + 1)

    def without(self, key: str) -> Lockfile:
        entries = dict(self.entries)
        entries.pop(key, None)
        return replace(self, entries=entries, serial=self.serial + 1)

    def with_archived(self, key: str, run_id: str, *, drop: bool) -> Lockfile:
        """`run_id`, a run of `key`, archived: remembered as such, and with `drop` the key's
        entry removed too (`replace` keeps it until the new run is recorded)."""
        runs = tuple(sorted({*self.archived.get(key, ()), run_id}))
        lock = replace(self, archived={**self.archived, key: runs}, serial=self.serial + 1)
        return replace(lock.without(key), serial=lock.serial) if drop else lock

    def to_bytes(self) -> bytes:
        """The file's bytes: sorted, indented JSON (diffs of one launch are a few lines)."""
        doc: dict[str, Any] = {
            **LOCKFILE.stamp(),
            "lineage": self.lineage,
            "serial": self.serial,
            "organization": self.organization,
            "launches": {k: e.to_json() for k, e in self.entries.items()},
        }
        if self.scans:
            doc["scans"] = {t: scan.to_json() for t, scan in sorted(self.scans.items())}
        if self.project is not None:
            doc["project"] = self.project
        if self.archived:
            doc["archived"] = {k: list(v) for k, v in sorted(self.archived.items())}
        return (json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def parse_lockfile(data: bytes, where: str) -> Lockfile:
    """Parse lockfile bytes; every way it can be wrong is a LockfileError naming `where`."""
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise LockfileError(
            f"{where} is not valid JSON ({e}); it may be truncated or have merge conflicts",
            hint="restore it from git (git checkout -- the file) and run the command again",
        ) from e
    if not isinstance(doc, dict):
        raise LockfileError(f"{where} must hold a JSON object")
    doc = LOCKFILE.upgrade(doc, where)  # a newer one is refused before anything is read
    launches = doc.get("launches", {})
    if not isinstance(launches, dict) or not isinstance(doc.get("lineage"), str):
        raise LockfileError(f"{where} is malformed: needs 'lineage' and a 'launches' object")
    damage = lockfile_problem(doc)
    if damage:
        raise LockfileError(
            f"{where} is malformed: {damage}",
            hint="restore it from git (git checkout -- the file) and run the command again",
        )
    try:
        entries = {k: LockEntry.from_json(k, v) for k, v in launches.items()}
    except LockfileError as e:
        raise LockfileError(
            f"{where}: {e.message}", hint="restore it from git (git checkout -- the file)"
        ) from e
    return Lockfile(
        lineage=doc["lineage"],
        serial=int(doc.get("serial", 0)),
        organization=doc.get("organization"),
        entries=entries,
        scans={str(t): Scan.from_json(v) for t, v in (doc.get("scans") or {}).items()},
        project=doc.get("project"),
        archived={str(k): tuple(str(i) for i in v) for k, v in (doc.get("archived") or {}).items()},
    )


def read_lockfile(path: Path, organization: str | None = None) -> Lockfile:
    """Read the lockfile at `path`; a missing file is an empty lockfile with a new lineage."""
    if not path.exists():
        return Lockfile.new(organization)
    lock = parse_lockfile(path.read_bytes(), str(path))
    if organization and lock.organization and lock.organization != organization:
        raise LockfileError(
            f"{path} belongs to organisation {lock.organization}, not {organization}",
            hint="check TALLYFY_ORG_ID, or use a separate lockfile per organisation",
        )
    return lock


def write_lockfile(path: Path, lock: Lockfile) -> None:
    """Write the lockfile atomically (temp file, fsync, rename)."""
    atomic_write(path, lock.to_bytes())


@contextmanager
def exclusive(state_dir: Path, timeout: float, on_wait: Any = None) -> Iterator[None]:
    """Hold the project's apply lock; wait up to `timeout` seconds, then LockBusyError."""
    from filelock import FileLock, Timeout

    state_dir.mkdir(parents=True, exist_ok=True)
    lock_path = state_dir / "apply.lock"
    info_path = state_dir / "apply.lock.info"
    lock = FileLock(str(lock_path))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        holder = _holder(info_path)
        if timeout <= 0:
            raise LockBusyError(
                f"another launchspec apply holds the lock ({holder})",
                hint="wait for it to finish, or pass --lock-timeout SECONDS to wait",
            ) from None
        if on_wait:
            on_wait(holder)
        try:
            lock.acquire(timeout=timeout)
        except Timeout:
            raise LockBusyError(
                f"gave up after {timeout:g}s waiting for another launchspec apply "
                f"({_holder(info_path)})",
                hint="wait for it to finish, or pass a longer --lock-timeout",
            ) from None
    try:
        info = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.time()}
        info_path.write_text(json.dumps(info))
        yield
    finally:
        lock.release()


def _holder(info_path: Path, tries: int = 25) -> str:
    """Who holds the lock, from the note it writes just after taking it.

    Read again for a moment while the note is missing, torn or names a dead process: a holder
    that has just taken the lock has not written its note yet, and a killed one left an old one.
    """
    for _ in range(tries):
        try:
            info = json.loads(info_path.read_text())
            pid, host = int(info["pid"]), str(info["host"])
            if host != socket.gethostname() or _alive(pid):
                since = time.strftime("%H:%M:%S", time.localtime(float(info["since"])))
                return f"pid {pid} on {host}, since {since}"
        except (OSError, ValueError, KeyError, TypeError):
            pass
        time.sleep(0.02)
    return "holder unknown"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True
