"""Plans built by hand for the views and the applier: rendered specs, requests, actions."""

from __future__ import annotations

from typing import Any

from runner.plan.plan import Action, Change, Desired, Plan
from runner.render.render import Rendered, RenderedTask
from runner.resolve.resolve import LaunchRequest
from runner.specs.spec import Spec
from runner.state.lockfile import LockEntry

AT = "2026-11-29T09:00:00Z"
SECRET = "hunter2-s3cret"


def rendered(key: str, **kw: Any) -> Rendered:
    base: dict[str, Any] = {
        "key": key,
        "spec": Spec(key, {}, None),  # type: ignore[arg-type]
        "template": "Client Onboarding",
        "name": f"Onboarding - {key}",
        "summary": None,
        "owner": "ops@example.com",
        "kickoff": {"Client name": key},
        "tasks": {"Kick-off call": RenderedTask("2026-12-02T17:00:00Z", users=("jane@x.io",))},
    }
    return Rendered(**{**base, **kw})


def request(key: str, guests: tuple[str, ...] = (), **display: Any) -> LaunchRequest:
    shown = {
        "template": "Client Onboarding",
        "owner": "ops@example.com",
        "name": f"Onboarding - {key}",
        "prerun": {"Client name": key, "Start date": "2026-12-01", "Modules": ["SSO", "Billing"]},
        "tasks": {
            "Kick-off call": {
                "deadline": "2026-12-02T17:00:00Z",
                "owners": ["jane@x.io", "Sales (group)", *(f"{g} (guest)" for g in guests)],
            },
            "Set up accounts": {"deadline": None, "owners": []},
        },
        "tags": ["onboarding"],
        "folders": [],
        **display,
    }
    return LaunchRequest(key, "tpl1", "Client Onboarding", {}, f"d-{key}", {}, display=shown,
                         guests=guests)


def launch(key: str, online: bool = True, **kw: Any) -> Action:
    guests = kw.pop("guests", ())
    req = request(key, guests) if online else None
    return Action("create", "new", key, Desired(rendered(key, **kw), req))


def entry(key: str) -> LockEntry:
    return LockEntry(run_id=f"run-{key}", template_id="tpl1", launched_at=AT,
                     name=f"Onboarding - {key}", digest="x")


def make(actions: list[Action], offline: bool = False, notes: tuple[str, ...] = ()) -> Plan:
    return Plan(tuple(actions), lineage="lin", serial=3, organization="org1", launch_at=AT,
                inputs={"specs/a.yaml": "abc"}, offline=offline, notes=notes)


def small_plan() -> Plan:
    return make([launch("onboarding-globex", guests=("cfo@globex.example",)),
                 launch("onboarding-initech")])


def every_kind_plan() -> Plan:
    secret_kickoff = {"Client name": "acme", "API key": SECRET}
    secret_r = rendered("with-secret", kickoff=secret_kickoff, secret_values=(SECRET,),
                        name=f"Onboarding {SECRET}")
    secret_req = request("with-secret", prerun={"API key": "(secret)"})
    secret_req = LaunchRequest(**{**vars(secret_req), "secret_values": (SECRET,)})
    return make([
        launch("a-launch", guests=("guest@outside.example",)),
        Action("create", "new", "with-secret", Desired(secret_r, secret_req)),
        Action("update", "spec-changed", "b-update",
               Desired(rendered("b-update"), request("b-update")), entry("b-update"),
               changes=(Change("name", "Old | name", "New <name> @team"),),
               drift=(Change("summary", "Monthly", "Edited by hand"),)),
        Action("replace", "replace-requested", "c-replace",
               Desired(rendered("c-replace"), request("c-replace")), entry("c-replace"),
               why="--replace: archive and relaunch"),
        Action("no-op", "up-to-date", "d-same", Desired(rendered("d-same")), entry("d-same")),
        Action("no-op", "edited", "e-edited", Desired(rendered("e-edited"), request("e-edited")),
               entry("e-edited"), why="changed after launch"),
        Action("no-op", "no-spec", "f-orphan", entry=entry("f-orphan"), why="no spec asks for it"),
        Action("archive", "no-spec", "g-archive", entry=entry("g-archive"),
               why="no spec asks for it"),
        Action("no-op", "run-gone", "h-missing", Desired(rendered("h-missing")), entry("h-missing"),
               why="the run is archived"),
        Action("read", "outcome-unknown", "i-pending", Desired(rendered("i-pending")),
               why="an earlier launch's outcome is unknown"),
        Action("no-op", "duplicated", "j-twice", Desired(rendered("j-twice")), entry("j-twice"),
               why="2 runs carry this key's marker: " + "1" * 32 + ", " + "2" * 32),
        Action("adopt", "marker-found", "k-found", Desired(rendered("k-found"), request("k-found")),
               why="the server already holds run " + "3" * 32, run_id="3" * 32),
        Action("wait", "not-due", "l-later@2026-12",
               Desired(rendered("l-later@2026-12", due="2026-12-31"), request("l-later@2026-12")),
               why="a recurring launch, due 2026-12-31: apply launches it from that day"),
        Action("no-op", "up-to-date", "m-by-hand",
               Desired(rendered("m-by-hand"), request("m-by-hand")), entry("m-by-hand"),
               drift=(Change("name", "Onboarding - m", "Renamed by hand"),),
               why="changed in Tallyfy since launchspec wrote it"),
        Action("move", "renamed", "n-new", Desired(rendered("n-new"), request("n-new")),
               entry("n-old"), why="recorded as n-old until apply: nothing is launched",
               moved_from="n-old"),
    ])
