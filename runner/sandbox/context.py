"""What every handler needs: seed, store, faults and stats, plus request helpers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from runner.sandbox.envelope import error
from runner.sandbox.faults import Faults, Stats
from runner.sandbox.seed import Seed
from runner.sandbox.store import Store

DEFAULT_TOKEN = "lsbx-test-token-not-a-secret"


@dataclass
class Context:
    """The state of one sandbox server."""

    seed: Seed
    store: Store
    org: str
    token: str
    faults: Faults
    stats: Stats
    admin: bool = False


def ctx_of(request: Request) -> Context:
    ctx: Context = request.app.state.ctx
    return ctx


def org_ctx(request: Request) -> Context:
    """The context, after checking that the path names the sandbox's organisation.

    Assumption: another organisation's id is answered 403 (the token has no access there).
    """
    ctx = ctx_of(request)
    if request.path_params.get("org") != ctx.org:
        raise error(403, "You do not have access to this organization.", "FORBIDDEN")
    return ctx


async def json_body(request: Request) -> Any:
    """The parsed JSON body; an empty body reads as `{}`; malformed JSON is 400."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise error(400, f"Malformed JSON body: {exc}", "MALFORMED_JSON") from exc
