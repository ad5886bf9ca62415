"""The admin API under `/_sandbox/` (only with `--admin`): stats, runtime faults, and a run's
status set to one nothing in the sandbox reaches (complete, problem), for tests."""

from __future__ import annotations

import dataclasses
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from runner.sandbox.context import Context, ctx_of, json_body
from runner.sandbox.envelope import ApiError, invalid, not_found

_RATES = ("error_rate", "cut_after_commit", "error_after_commit")
_COUNTS = ("latency_ms", "throttle", "seed")
_SETTABLE = ("active", "complete", "problem")


async def stats(request: Request) -> Response:
    ctx = ctx_of(request)
    body = ctx.stats.as_dict()
    body["runs_stored"] = ctx.store.count_runs()
    body["faults_config"] = ctx.faults.config.as_dict()
    return JSONResponse(body)


async def get_faults(request: Request) -> Response:
    return JSONResponse({"data": ctx_of(request).faults.config.as_dict()})


async def put_faults(request: Request) -> Response:
    """Change some or all faults; keys left out keep their value."""
    ctx = ctx_of(request)
    body = await json_body(request)
    if not isinstance(body, dict):
        raise invalid({"body": ["Expected a JSON object."]})
    changes: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for key, value in body.items():
        if key in _RATES and _number(value) and 0 <= value <= 1:
            changes[key] = float(value)
        elif key in _COUNTS and isinstance(value, int) and not isinstance(value, bool) \
                and value >= 0:
            changes[key] = value
        else:
            errors[key] = [f"{key} is not a known fault or has a bad value."]
    if errors:
        raise invalid(errors)
    config = dataclasses.replace(ctx.faults.config, **changes)
    ctx.faults.reconfigure(config)
    return JSONResponse({"data": config.as_dict(), "faults": config.describe()})


async def put_run(request: Request) -> Response:
    """Set a run's status: `{"status": "active"|"complete"|"problem"}`."""
    ctx = ctx_of(request)
    run = ctx.store.get_run(ctx.org, request.path_params["run_id"])
    if run is None:
        raise not_found()
    body = await json_body(request)
    if not isinstance(body, dict) or body.get("status") not in _SETTABLE:
        raise invalid({"status": [f"The status must be one of {', '.join(_SETTABLE)}."]})
    run["status"] = body["status"]
    ctx.store.update_run(run)
    return JSONResponse({"data": {"id": run["id"], "status": run["status"]}})


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response()


def admin_app(ctx: Context) -> Starlette:
    app = Starlette(
        routes=[
            Route("/_sandbox/stats", stats, methods=["GET"]),
            Route("/_sandbox/faults", get_faults, methods=["GET"]),
            Route("/_sandbox/faults", put_faults, methods=["PUT"]),
            Route("/_sandbox/runs/{run_id}", put_run, methods=["PUT"]),
        ],
        exception_handlers={ApiError: _api_error},
    )
    app.state.ctx = ctx
    return app
