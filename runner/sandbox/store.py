"""SQLite state of the sandbox: runs and their tasks, per-org counters, a monotonic clock.

One connection, used only from the event loop: handlers never await between reading and
writing, so launches are serialised and none is lost or doubled.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from runner.sandbox.clock import MonotonicClock, iso, now_us

Obj = dict[str, Any]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY, org TEXT NOT NULL, created_us INTEGER NOT NULL,
  increment_id INTEGER NOT NULL, checklist_id TEXT NOT NULL, name TEXT NOT NULL,
  status TEXT NOT NULL, starred INTEGER NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS runs_org_created ON runs(org, created_us);
CREATE TABLE IF NOT EXISTS tasks (
  id TEXT PRIMARY KEY, run_id TEXT NOT NULL, org TEXT NOT NULL, position INTEGER NOT NULL,
  status TEXT NOT NULL, deadline TEXT, increment_id INTEGER NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS tasks_run ON tasks(run_id, position);
"""

_SORTS = {
    "created_at": "created_us ASC",
    "-created_at": "created_us DESC",
    "name": "name ASC, created_us ASC",
    "-name": "name DESC, created_us DESC",
}


@dataclass
class RunQuery:
    """Filters of `GET runs`, already parsed; empty lists mean "no filter"."""

    q: str | None = None
    status: str | None = None
    checklist_id: str | None = None
    owners: list[int] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    folder: str | None = None
    groups: list[str] = field(default_factory=list)
    starred: bool | None = None
    archived: str = "exclude"  # exclude | only | include
    sort: str = "-created_at"


class Store:
    """Runs and tasks in SQLite (`:memory:` when no file is given)."""

    def __init__(self, path: str | None = None) -> None:
        self.db = sqlite3.connect(path or ":memory:", isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)
        last = self.db.execute("SELECT COALESCE(MAX(created_us), 0) FROM runs").fetchone()[0]
        self.clock = MonotonicClock(int(last))
        self._counters: dict[str, int] = {}

    def close(self) -> None:
        self.db.close()

    def clear(self) -> None:
        """No runs, no tasks, counters and clock as in a new store."""
        self.db.execute("BEGIN IMMEDIATE")
        self.db.execute("DELETE FROM tasks")
        self.db.execute("DELETE FROM runs")
        self.db.execute("COMMIT")
        self.clock = MonotonicClock(0)
        self._counters.clear()

    def next_increment(self, org: str, table: str = "runs") -> int:
        """The next per-org `increment_id` for runs or tasks."""
        key = f"{org}:{table}"
        if key not in self._counters:
            sql = f"SELECT COALESCE(MAX(increment_id), 0) FROM {table} WHERE org = ?"
            self._counters[key] = int(self.db.execute(sql, (org,)).fetchone()[0])
        self._counters[key] += 1
        return self._counters[key]

    def insert_run(self, org: str, run: Obj, created_us: int, tasks: list[Obj]) -> None:
        """Write a launched run and its tasks in one transaction."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.execute(
                "INSERT INTO runs VALUES (?,?,?,?,?,?,?,?,?)",
                (run["id"], org, created_us, run["increment_id"], run["checklist_id"],
                 run["name"], run["status"], int(run["starred"]), json.dumps(run)),
            )
            self.db.executemany(
                "INSERT INTO tasks VALUES (?,?,?,?,?,?,?,?)",
                [(t["id"], run["id"], org, t["position"], t["status"], t["deadline"],
                  t["increment_id"], json.dumps(t)) for t in tasks],
            )
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def update_run(self, run: Obj) -> None:
        self.db.execute(
            "UPDATE runs SET name=?, status=?, starred=?, body=? WHERE id=?",
            (run["name"], run["status"], int(run["starred"]), json.dumps(run), run["id"]),
        )

    def delete_run(self, run_id: str) -> None:
        self.db.execute("BEGIN IMMEDIATE")
        self.db.execute("DELETE FROM tasks WHERE run_id = ?", (run_id,))
        self.db.execute("DELETE FROM runs WHERE id = ?", (run_id,))
        self.db.execute("COMMIT")

    def get_run(self, org: str, run_id: str) -> Obj | None:
        row = self.db.execute(
            "SELECT body FROM runs WHERE org = ? AND id = ?", (org, run_id)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def count_runs(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM runs").fetchone()[0])

    def list_runs(
        self, org: str, query: RunQuery, offset: int, limit: int
    ) -> tuple[int, list[Obj]]:
        """Total matching runs and one page of them."""
        where, params = _run_filters(org, query)
        clause = " AND ".join(where)
        total = self.db.execute(f"SELECT COUNT(*) FROM runs WHERE {clause}", params).fetchone()[0]
        order = _SORTS.get(query.sort, _SORTS["-created_at"])
        rows = self.db.execute(
            f"SELECT body FROM runs WHERE {clause} ORDER BY {order} LIMIT ? OFFSET ?",
            [*params, limit, offset],
        ).fetchall()
        return int(total), [json.loads(r[0]) for r in rows]

    def tasks_of(self, run_id: str, offset: int = 0, limit: int = -1) -> tuple[int, list[Obj]]:
        """Total tasks of a run and one page of them, by position."""
        total = self.db.execute("SELECT COUNT(*) FROM tasks WHERE run_id = ?", (run_id,))
        rows = self.db.execute(
            "SELECT body FROM tasks WHERE run_id = ? ORDER BY position LIMIT ? OFFSET ?",
            (run_id, limit, offset),
        ).fetchall()
        return int(total.fetchone()[0]), [json.loads(r[0]) for r in rows]

    def get_task(self, org: str, task_id: str) -> Obj | None:
        row = self.db.execute(
            "SELECT body FROM tasks WHERE org = ? AND id = ?", (org, task_id)
        ).fetchone()
        return json.loads(row[0]) if row else None


def _in(values: list[Any]) -> str:
    return "(" + ",".join("?" for _ in values) + ")"


def _or_a_task(run_clause: str, owners: str, marks: str) -> str:
    """`run_clause`, or one of the run's tasks assigned to one of `marks` (`owners`: the
    task's `users` or `groups`)."""
    return (
        f"({run_clause} OR EXISTS (SELECT 1 FROM tasks t, json_each(t.body, '$.owners.{owners}') j"
        f" WHERE t.run_id = runs.id AND j.value IN {marks}))"
    )


def _run_filters(org: str, query: RunQuery) -> tuple[list[str], list[Any]]:
    where: list[str] = ["org = ?"]
    params: list[Any] = [org]
    if query.archived == "only" or query.status == "archived":
        where.append("status = 'archived'")
    elif query.archived == "exclude":
        where.append("status != 'archived'")
    if query.status in ("active", "complete"):
        where.append("status = ?")
        params.append(query.status)
    elif query.status in ("problem", "issue", "improvement"):
        where.append("0")  # the sandbox never marks tasks as problems
    elif query.status == "starred":
        where.append("starred = 1")
    elif query.status == "delayed":
        where.append(
            "status = 'active' AND EXISTS (SELECT 1 FROM tasks t WHERE t.run_id = runs.id"
            " AND t.status != 'completed' AND t.deadline IS NOT NULL AND t.deadline < ?)"
        )
        params.append(iso(now_us()))
    if query.q:
        where.append("instr(lower(name), lower(?)) > 0")
        params.append(query.q)
    if query.checklist_id:
        where.append("checklist_id = ?")
        params.append(query.checklist_id)
    if query.starred is not None:
        where.append("starred = ?")
        params.append(int(query.starred))
    _json_filters(query, where, params)
    return where, params


def _json_filters(query: RunQuery, where: list[str], params: list[Any]) -> None:
    if query.tags:
        where.append(f"EXISTS (SELECT 1 FROM json_each(runs.body, '$.tags') WHERE value IN "
                     f"{_in(query.tags)})")
        params.extend(query.tags)
    if query.folder:
        where.append("EXISTS (SELECT 1 FROM json_each(runs.body, '$.folders') WHERE value = ?)")
        params.append(query.folder)
    if query.owners:
        marks = _in(query.owners)
        run_owner = f"json_extract(runs.body, '$.owner_id') IN {marks}"
        where.append(_or_a_task(run_owner, "users", marks))
        params.extend(query.owners * 2)
    if query.groups:
        marks = _in(query.groups)
        run_groups = (
            f"EXISTS (SELECT 1 FROM json_each(runs.body, '$.groups') WHERE value IN {marks})"
        )
        where.append(_or_a_task(run_groups, "groups", marks))
        params.extend(query.groups * 2)
