"""Handlers for runs (launch, list, get, update, archive, reactivate, delete) and tasks."""

from __future__ import annotations

import html
from typing import Any

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from runner.sandbox import update as changes
from runner.sandbox.context import Context, json_body, org_ctx
from runner.sandbox.envelope import data, invalid, not_found, page_args, paged, with_set
from runner.sandbox.launch import launch
from runner.sandbox.shapes import run_view
from runner.sandbox.store import RunQuery

Obj = dict[str, Any]
STATUSES = (
    "active", "complete", "problem", "archived", "delayed", "starred", "issue", "improvement",
)  # fmt: skip
TRUE = ("true", "1", "yes")


def _run(ctx: Context, request: Request) -> Obj:
    run = ctx.store.get_run(ctx.org, request.path_params["run_id"])
    if run is None:
        raise not_found()
    return run


def _view(ctx: Context, request: Request, run: Obj, status: int = 200) -> Response:
    return data(run_view(run, ctx.seed, ctx.store, with_set(request.query_params)), status)


def as_saved(ctx: Context, body: Any) -> Any:
    """The body as stored: with the `html_summaries` fault, the summary as Tallyfy's rich-text
    editor (Process Notes) saves it, one `<p>` per line, text escaped."""
    if not ctx.faults.config.html_summaries or not isinstance(body, dict):
        return body
    summary = body.get("summary")
    if not isinstance(summary, str):
        return body
    lines = [html.escape(line, quote=False) for line in summary.split("\n")]
    return {**body, "summary": "".join(f"<p>{line or '<br>'}</p>" for line in lines)}


async def create_run(request: Request) -> Response:
    ctx = org_ctx(request)
    body = as_saved(ctx, await json_body(request))
    run, _ = launch(body, ctx.org, ctx.seed, ctx.store)
    ctx.stats.launches_committed += 1
    return _view(ctx, request, run, 201)


async def get_run(request: Request) -> Response:
    ctx = org_ctx(request)
    return _view(ctx, request, _run(ctx, request))


async def list_runs(request: Request) -> Response:
    ctx = org_ctx(request)
    query = _run_query(request.query_params, ctx)
    page, per_page = page_args(request.query_params)
    ctx.stats.run_list_pages[request.query_params.get("checklist_id", "")] += 1
    total, runs = ctx.store.list_runs(ctx.org, query, (page - 1) * per_page, per_page)
    with_ = with_set(request.query_params)
    items = [run_view(r, ctx.seed, ctx.store, with_) for r in runs]
    return paged(request.url, items, total, page, per_page)


def _csv(params: QueryParams, *names: str) -> list[str]:
    values: list[str] = []
    for name in names:
        for raw in params.getlist(name):
            values.extend(v.strip() for v in raw.split(",") if v.strip())
    return values


def _run_query(params: QueryParams, ctx: Context) -> RunQuery:
    status = params.get("status") or None
    if status is not None and status not in STATUSES:
        raise invalid({"status": ["The selected status is invalid."]})
    archived = (params.get("archived") or "").lower()
    tags = [ctx.seed.tag(t) for t in _csv(params, "tag", "tag_ids")]
    starred = params.get("starred")
    return RunQuery(
        q=None if ctx.faults.config.ignore_q else params.get("q") or None,
        status=status,
        checklist_id=params.get("checklist_id") or None,
        owners=[int(o) for o in _csv(params, "owners") if o.isdigit()],
        tags=[t["id"] for t in tags if t] or (["-"] if tags else []),
        folder=params.get("folder") or None,
        groups=_csv(params, "groups"),
        starred=None if starred is None else starred.lower() in TRUE,
        # SDK and MCP server: `archived=only` alone, `archived=true` alongside the others.
        archived="only" if archived == "only" else "include" if archived in TRUE else "exclude",
        sort="created_at" if ctx.faults.config.ignore_sort else params.get("sort") or "-created_at",
    )


async def put_run(request: Request) -> Response:
    ctx = org_ctx(request)
    run = _run(ctx, request)
    body = as_saved(ctx, await json_body(request))
    return _view(ctx, request, changes.update(run, body, ctx.seed, ctx.store))


async def archive_run(request: Request) -> Response:
    ctx = org_ctx(request)
    return _view(ctx, request, changes.archive(_run(ctx, request), ctx.store))


async def activate_run(request: Request) -> Response:
    ctx = org_ctx(request)
    return _view(ctx, request, changes.activate(_run(ctx, request), ctx.store))


async def delete_run(request: Request) -> Response:
    ctx = org_ctx(request)
    changes.delete(_run(ctx, request), ctx.store)
    return Response(status_code=200)  # 200 with an empty body, as real clients see it


async def run_tasks(request: Request) -> Response:
    ctx = org_ctx(request)
    run = _run(ctx, request)
    params = request.query_params
    if (params.get("without_pagination") or "").lower() in TRUE:
        total, tasks = ctx.store.tasks_of(run["id"])
        return paged(request.url, tasks, total, 1, max(total, 1))
    page, per_page = page_args(params)
    total, tasks = ctx.store.tasks_of(run["id"], (page - 1) * per_page, per_page)
    return paged(request.url, tasks, total, page, per_page)


async def run_task(request: Request) -> Response:
    ctx = org_ctx(request)
    run = _run(ctx, request)
    task = ctx.store.get_task(ctx.org, request.path_params["task_id"])
    if task is None or task["run_id"] != run["id"]:
        raise not_found()
    return data(task)


async def task(request: Request) -> Response:
    ctx = org_ctx(request)
    found = ctx.store.get_task(ctx.org, request.path_params["task_id"])
    if found is None:
        raise not_found()
    return data(found)


RUNS = "/organizations/{org}/runs"

ROUTES = [
    Route(RUNS, create_run, methods=["POST"]),
    Route(RUNS, list_runs, methods=["GET"]),
    Route(f"{RUNS}/{{run_id}}", get_run, methods=["GET"]),
    Route(f"{RUNS}/{{run_id}}", put_run, methods=["PUT"]),
    Route(f"{RUNS}/{{run_id}}", archive_run, methods=["DELETE"]),
    Route(f"{RUNS}/{{run_id}}/activate", activate_run, methods=["PUT"]),
    Route(f"{RUNS}/{{run_id}}/delete", delete_run, methods=["DELETE"]),
    Route(f"{RUNS}/{{run_id}}/tasks", run_tasks, methods=["GET"]),
    Route(f"{RUNS}/{{run_id}}/tasks/{{task_id}}", run_task, methods=["GET"]),
    Route("/organizations/{org}/tasks/{task_id}", task, methods=["GET"]),
]
