"""A run made outside launchspec, as a person would: Acme GmbH's month-end close of the seed."""

from __future__ import annotations

from typing import Any, Protocol

GMBH = "month-end-2026-11-acme-gmbh"
GMBH_NAME = "Month-end close - Acme GmbH - 2026-11"
MONTH_END = "7bd3db0bb939aef446ffc68c3e8e653f"  # Month-end Close in the default seed


class Launches(Protocol):
    """A sandbox the test launches in directly (tests/chaos/harness.py's Server)."""

    def launch(self, body: dict[str, Any]) -> dict[str, Any]: ...


def launch_by_hand(server: Launches, marker: str) -> str:
    """Launch GMBH's process outside launchspec, carrying `marker` as launchspec would."""
    run = server.launch({
        "checklist_id": MONTH_END, "name": GMBH_NAME, "summary": marker,
        "prerun": {"de2e7cb6223698268b40e953d3692403": "2026-11",
                   "bb45365012ec3bf9d8a3a9105ee7c16a": {"id": 42, "text": "Acme GmbH"}}})
    return str(run["id"])
