"""Handlers for the user, the organisation's lists, and templates (checklists)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from runner.sandbox.context import ctx_of, org_ctx
from runner.sandbox.envelope import data, not_found, page_of, with_set
from runner.sandbox.shapes import (
    SEED_TIME,
    folder_body,
    group_body,
    tag_body,
    template_body,
    user_body,
)

Endpoint = Callable[[Request], Awaitable[Response]]


async def me(request: Request) -> Response:
    ctx = ctx_of(request)
    body = user_body(ctx.seed.users_by_id[ctx.seed.me])
    body["organization_id"] = ctx.org
    return data(body)


async def my_organizations(request: Request) -> Response:
    """The organisations the user belongs to, paged (the CLI's and SDK's GET /me/organizations;
    GET /me does not list them)."""
    ctx = ctx_of(request)
    body = {"id": ctx.org, "name": ctx.seed.org_name, "created_at": SEED_TIME}
    return page_of(request.url, request.query_params, [body])


async def organization(request: Request) -> Response:
    ctx = org_ctx(request)
    return data({"id": ctx.org, "name": ctx.seed.org_name})


def _listing(items_of: Callable[[Any], list[dict[str, Any]]]) -> Endpoint:
    """A paged list endpoint over one kind of seed data (users, groups, tags, folders)."""

    async def endpoint(request: Request) -> Response:
        return page_of(request.url, request.query_params, items_of(org_ctx(request).seed))

    return endpoint


users = _listing(lambda seed: [user_body(u) for u in seed.users])
groups = _listing(lambda seed: [group_body(g) for g in seed.groups])
tags = _listing(lambda seed: [tag_body(t) for t in seed.tags])
async def folders(request: Request) -> Response:
    """Folders of one type, at the top level, each with `children` when asked (`with=children`).

    `folder_type=run` lists process folders; every other value, a missing one included, lists
    template (checklist) folders, as the server's FolderService::normalizeFolderTypeToClass
    does (quoted by Tallyfy's MCP server, server/tools/folder_management.py)."""
    ctx = org_ctx(request)
    params = request.query_params
    kind = "run" if params.get("folder_type") == "run" else "checklist"
    nested = "children" in (params.get("with") or "")
    chosen = [f for f in ctx.seed.folders if f.get("folder_type", "run") == kind]
    top = [f for f in chosen if not f.get("parent_id")]
    items = []
    for f in top:
        body = folder_body(f)
        if nested:
            kids = [folder_body(c) for c in chosen if c.get("parent_id") == f["id"]]
            body["children"] = {"data": kids}
        items.append(body)
    return page_of(request.url, params, items)


async def checklists(request: Request) -> Response:
    """Templates, filtered by `q` (case-insensitive partial title), paged."""
    ctx = org_ctx(request)
    q = (request.query_params.get("q") or "").casefold()
    with_ = with_set(request.query_params)
    items = [template_body(t, ctx.seed, with_) for t in ctx.seed.templates
             if q in str(t.get("title", "")).casefold()]
    return page_of(request.url, request.query_params, items)


async def checklist(request: Request) -> Response:
    ctx = org_ctx(request)
    template = ctx.seed.templates_by_id.get(request.path_params["checklist_id"])
    if template is None:
        raise not_found()
    return data(template_body(template, ctx.seed, with_set(request.query_params)))


ORG = "/organizations/{org}"

ROUTES = [
    Route("/me", me, methods=["GET"]),
    Route("/me/organizations", my_organizations, methods=["GET"]),
    Route(ORG, organization, methods=["GET"]),
    Route(f"{ORG}/users", users, methods=["GET"]),
    Route(f"{ORG}/groups", groups, methods=["GET"]),
    Route(f"{ORG}/tags", tags, methods=["GET"]),
    Route(f"{ORG}/folders", folders, methods=["GET"]),
    Route(f"{ORG}/checklists", checklists, methods=["GET"]),
    Route(f"{ORG}/checklists/{{checklist_id}}", checklist, methods=["GET"]),
]
