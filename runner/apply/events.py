"""What an apply reports: one event per key acted on, and the overall result."""

from __future__ import annotations

from dataclasses import dataclass, field

from runner.errors import ApiError, LaunchspecError
from runner.state.lockfile import Lockfile


@dataclass(frozen=True)
class Event:
    """Progress of one key, for the CLI to show."""

    kind: str  # launched, updated, archived, dropped, failed, unknown, skipped
    key: str
    run_id: str | None = None
    message: str = ""


FAILING = ("failed", "unknown", "skipped", "duplicate")


@dataclass
class ApplyResult:
    """What an apply did and did not do."""

    events: list[Event] = field(default_factory=list)
    interrupted: bool = False
    lock: Lockfile | None = None
    seconds: float = 0.0  # time spent executing actions (not planning)
    halt: LaunchspecError | None = None  # why writes stopped (the shared lease was lost)

    def of(self, kind: str) -> list[Event]:
        return [e for e in self.events if e.kind == kind]

    @property
    def ok(self) -> bool:
        return not self.interrupted and self.halt is None and not any(
            e.kind in FAILING for e in self.events
        )


def lost_answer(error: ApiError) -> str:
    return (
        f"the launch's answer was lost ({error.message}) and the server does not show the run "
        "yet; the next apply reads it back before anything is sent again"
    )
