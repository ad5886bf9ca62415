"""The ASGI application: request ids, admin dispatch, faults, auth, then the API routes.

Every route is served under both base-URL forms, `/api/...` and `/...`. Auth comes before
routing, so an unknown path without a token is 401, with one 404 `ENDPOINT_NOT_FOUND`.
"""

from __future__ import annotations

import uuid

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from runner.sandbox import routes_org, routes_runs
from runner.sandbox.admin import admin_app
from runner.sandbox.context import Context
from runner.sandbox.envelope import ApiError, endpoint_not_found, error
from runner.sandbox.faults import FaultMiddleware

API_ROUTES = [*routes_org.ROUTES, *routes_runs.ROUTES]
ADMIN_PREFIX = "/_sandbox/"


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response()


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        return error(405, "The method is not allowed for this endpoint.",
                     "METHOD_NOT_ALLOWED").response()
    if exc.status_code == 404:
        return endpoint_not_found().response()
    return error(exc.status_code, str(exc.detail), "HTTP_ERROR").response()


async def _crash(request: Request, exc: Exception) -> Response:
    return error(500, "Server error", "SERVER_ERROR").response()


def api_app(ctx: Context) -> Starlette:
    app = Starlette(
        routes=[Mount("/api", routes=API_ROUTES), *API_ROUTES],
        exception_handlers={ApiError: _api_error, HTTPException: _http_error, 500: _crash},
    )
    # A trailing slash is an unknown endpoint, not a redirect (a redirected POST is trouble).
    app.router.redirect_slashes = False
    app.state.ctx = ctx
    return app


class AuthMiddleware:
    """401 unless the bearer token matches and an `X-Tallyfy-Client` header is present."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.expected = f"bearer {token}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                       for k, v in scope["headers"]}
            problem = None
            if headers.get("authorization", "").strip().lower() != self.expected.lower():
                problem = error(401, "Token rejected: the access token is missing, invalid or "
                                "expired.", "UNAUTHENTICATED")
            elif not headers.get("x-tallyfy-client", "").strip():
                problem = error(401, "The X-Tallyfy-Client header is required.",
                                "CLIENT_HEADER_MISSING")
            if problem is not None:
                problem.headers["WWW-Authenticate"] = "Bearer"
                await problem.response()(scope, receive, send)
                return
        await self.app(scope, receive, send)


class Gateway:
    """Adds `X-Request-Id` to every answer and sends `/_sandbox/` to the admin app."""

    def __init__(self, api: ASGIApp, admin: ASGIApp | None) -> None:
        self.api = api
        self.admin = admin

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.api(scope, receive, send)
            return
        request_id = uuid.uuid4().hex.encode()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                message = {**message, "headers": [*headers, (b"x-request-id", request_id)]}
            await send(message)

        admin = self.admin is not None and scope["path"].startswith(ADMIN_PREFIX)
        target = self.admin if admin and self.admin is not None else self.api
        await target(scope, receive, send_with_id)


def build_app(ctx: Context) -> ASGIApp:
    """The whole server: gateway, faults (API only), auth, routes."""
    api = FaultMiddleware(AuthMiddleware(api_app(ctx), ctx.token), ctx.faults)
    return Gateway(api, admin_app(ctx) if ctx.admin else None)
