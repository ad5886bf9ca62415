"""Apply's progress as text (pure): a terminal bar with counts, rate and ETA, or a plain line."""

from __future__ import annotations

from dataclasses import dataclass

BAR_WIDTH = 24


@dataclass(frozen=True)
class Progress:
    """How far an apply is: steps done of all, and the seconds since the first began."""

    done: int
    total: int
    seconds: float
    waiting: float = 0.0  # seconds left of a wait the client said it is in (429, retry)

    @property
    def rate(self) -> float | None:
        """Steps per second so far (None before the first step, or with no time passed)."""
        return self.done / self.seconds if self.done and self.seconds > 0 else None

    @property
    def eta(self) -> float | None:
        """Seconds left at the rate so far."""
        rate = self.rate
        return self.waiting + max(0, self.total - self.done) / rate if rate else None

    @property
    def percent(self) -> int:
        return 100 * self.done // self.total if self.total else 100


def bar(p: Progress, width: int = BAR_WIDTH) -> str:
    """`[##########..............] 3/8 37% · 0.5/s · ETA 10 s` (rate and ETA once known)."""
    filled = width * min(p.done, p.total) // p.total if p.total else width
    parts = [f"[{'#' * filled}{'.' * (width - filled)}] {p.done}/{p.total} {p.percent}%"]
    if p.rate is not None:
        parts.append(f"{p.rate:.1f}/s")
    if p.waiting > 0:
        parts.append(f"waiting {duration(p.waiting)}")
    if p.eta is not None and p.done < p.total:
        parts.append(f"ETA {duration(p.eta)}")
    return " · ".join(parts)


def line(p: Progress) -> str:
    """`progress: 3/8 (37%), 0.5/s, about 10 s left`: for logs, where a bar cannot redraw."""
    text = f"progress: {p.done}/{p.total} ({p.percent}%)"
    if p.rate is not None:
        text += f", {p.rate:.1f}/s"
    if p.waiting > 0:
        text += f", waiting {duration(p.waiting)}"
    if p.eta is not None and p.done < p.total:
        text += f", about {duration(p.eta)} left"
    return text


def duration(seconds: float) -> str:
    """`9 s`, `2 min 5 s`, `1 h 3 min`: as long as it needs to be, no longer."""
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60} s" if s % 60 else f"{s // 60} min"
    return f"{s // 3600} h {s % 3600 // 60} min"
