"""What `launchspec doctor` found, as text for people and JSON for tools (pure)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Literal

Status = Literal["ok", "warn", "fail"]
MARKS = {"ok": "ok  ", "warn": "warn", "fail": "FAIL"}


@dataclass(frozen=True)
class Finding:
    """One check: its subject, how it went, in words, and what to do about it."""

    check: str
    status: Status
    message: str
    hint: str = ""


@dataclass
class Report:
    """Everything doctor found, in the order it looked."""

    api_url: str
    org_id: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(f.status == "fail" for f in self.findings)


def format_text(report: Report) -> str:
    """One line per finding, hints indented under it, and a verdict."""
    lines = [f"launchspec doctor: {report.api_url}, organisation {report.org_id}", ""]
    for f in report.findings:
        lines.append(f"  {MARKS[f.status]}  {f.check}: {f.message}")
        if f.hint and f.status != "ok":
            lines.append(f"        hint: {f.hint}")
    failed = sum(f.status == "fail" for f in report.findings)
    warned = sum(f.status == "warn" for f in report.findings)
    lines.append("")
    if failed:
        lines.append(
            f"{failed} problem{'s' * (failed != 1)}: a launch would be refused or sent wrongly."
        )
    else:
        note = f" ({warned} warning{'s' * (warned != 1)})" if warned else ""
        lines.append(f"Ready: what the specs launch would be accepted{note}.")
    return "\n".join(lines) + "\n"


def format_json(report: Report) -> str:
    """`{"format_version": 1, "ok": bool, "api_url", "org_id", "findings": [...]}`."""
    body = {
        "format_version": 1,
        "ok": not report.failed,
        "api_url": report.api_url,
        "org_id": report.org_id,
        "findings": [asdict(f) for f in report.findings],
    }
    return json.dumps(body, indent=2, sort_keys=True) + "\n"
