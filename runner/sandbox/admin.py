"""The admin API under `/_sandbox/` (only with `--admin`): stats, runtime faults, a run's
status set to one nothing in the sandbox reaches (complete, problem), a made-up history
of earlier runs, and a reset to the state it started in, for tests."""

from __future__ import annotations

import dataclasses
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from runner.sandbox.clock import iso
from runner.sandbox.context import Context, ctx_of, json_body
from runner.sandbox.envelope import ApiError, invalid, not_found
from runner.sandbox.faults import FaultConfig
from runner.sandbox.launch import launch, new_id
from runner.sandbox.routes_runs import as_saved

_RATES = ("error_rate", "cut_after_commit", "error_after_commit")
_COUNTS = ("latency_ms", "throttle", "seed")
_SWITCHES = ("ignore_sort", "ignore_q", "html_summaries", "hold_launches", "hold_answers")
_SETTABLE = ("active", "complete", "problem")


async def stats(request: Request) -> Response:
    ctx = ctx_of(request)
    body = ctx.stats.as_dict()
    body["runs_stored"] = ctx.store.count_runs()
    body["launches_held"] = ctx.faults.held
    body["faults_config"] = ctx.faults.config.as_dict()
    return JSONResponse(body)


async def get_faults(request: Request) -> Response:
    return JSONResponse({"data": ctx_of(request).faults.config.as_dict()})


async def put_faults(request: Request) -> Response:
    """Change some or all faults; keys left out keep their value."""
    ctx = ctx_of(request)
    config = dataclasses.replace(ctx.faults.config, **_fault_changes(await json_body(request)))
    ctx.faults.reconfigure(config)
    return JSONResponse({"data": config.as_dict(), "faults": config.describe()})


def _fault_changes(body: Any) -> dict[str, Any]:
    """Validated fault settings from a JSON object, as `PUT /_sandbox/faults` takes them."""
    if not isinstance(body, dict):
        raise invalid({"body": ["Expected a JSON object."]})
    changes: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for key, value in body.items():
        if key in _RATES and _number(value) and 0 <= value <= 1:
            changes[key] = float(value)
        elif _count(key, value) or (key in _SWITCHES and isinstance(value, bool)):
            changes[key] = value
        else:
            errors[key] = [f"{key} is not a known fault or has a bad value."]
    if errors:
        raise invalid(errors)
    return changes


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


async def post_history(request: Request) -> Response:
    """Make an organisation with a history: `{"launch": BODY, "count": N}` launches BODY once
    (validated like any launch), then stores N - 1 copies created a minute apart before it,
    named `NAME #i`, without tasks. Tests of cost against history use it: N real launches
    would take minutes."""
    ctx = ctx_of(request)
    body = await json_body(request)
    count = body.get("count") if isinstance(body, dict) else None
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 100_000:
        raise invalid({"count": ["The count must be an integer from 1 to 100000."]})
    run, _ = launch(as_saved(ctx, body.get("launch")), ctx.org, ctx.seed, ctx.store)
    newest = ctx.store.clock.last_us
    for i in range(1, count):
        created_us = newest - (count - i) * 60_000_000
        copy = dict(run, id=new_id(), increment_id=ctx.store.next_increment(ctx.org),
                    name=f"{run['name']} #{i}", created_at=iso(created_us),
                    last_updated=iso(created_us))  # fmt: skip
        ctx.store.insert_run(ctx.org, copy, created_us, [])
    return JSONResponse({"data": {"count": count, "newest": run["id"]}})


async def post_clock(request: Request) -> Response:
    """`{"advance_seconds": N}`: every later run is created N seconds later than it would
    be (time passing, for tests of what happens an hour or a month later)."""
    ctx = ctx_of(request)
    body = await json_body(request)
    seconds = body.get("advance_seconds") if isinstance(body, dict) else None
    if not isinstance(seconds, int) or isinstance(seconds, bool) or not 0 <= seconds <= 10**8:
        raise invalid({"advance_seconds": ["The advance must be a whole number of seconds."]})
    ctx.store.clock.offset_us += seconds * 1_000_000
    return JSONResponse({"data": {"offset_seconds": ctx.store.clock.offset_us // 1_000_000}})


async def post_reset(request: Request) -> Response:
    """Back to how the server started: no runs, nothing counted, the faults of its flags with
    their generator reseeded, the clock not advanced. With `{"faults": {...}}`, as if it had
    started with those faults instead (left out: off; `seed` left out: the one it has). The
    tests share one server through it, whatever faults each asks for (a new one costs a
    second to start)."""
    ctx = ctx_of(request)
    body = await json_body(request)
    faults = body.get("faults") if isinstance(body, dict) else None
    config = None
    if faults is not None:
        config = FaultConfig(**{"seed": ctx.faults.started_with.seed, **_fault_changes(faults)})
    ctx.store.clear()
    ctx.stats.clear()
    ctx.faults.restart(config)
    return JSONResponse({"data": {"runs_stored": ctx.store.count_runs()}})


def _count(key: str, value: Any) -> bool:
    return key in _COUNTS and isinstance(value, int) and not isinstance(value, bool) and value >= 0


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
            Route("/_sandbox/history", post_history, methods=["POST"]),
            Route("/_sandbox/clock", post_clock, methods=["POST"]),
            Route("/_sandbox/reset", post_reset, methods=["POST"]),
        ],
        exception_handlers={ApiError: _api_error},
    )
    app.state.ctx = ctx
    return app
