"""The provenance line launchspec ends each run's summary with, and finding it again (pure).

A marker, `launchspec-id: LINEAGE/KEY`, names the lockfile lineage and the launch key; it is
what lockfiles, journals and scans record. The summary is Tallyfy's Process Notes, shown to
everyone on the run on every task, so a sentence above the marker says what it is for. The
marker stays alone on its own line, as every release wrote it: older releases read only that
(docs/compatibility.md: markers never change). People edit the notes in a rich-text editor,
which may save them as HTML (`<p>...</p>`): markers are found anywhere in the summary once
markup is removed (docs/tallyfy-api-notes.md, "Listing runs").
"""

from __future__ import annotations

import html
import re

MARKER_PREFIX = "launchspec-id: "
NOTE = "Launched by launchspec. Please keep the next line: it stops this launch being sent twice."
# Lineages are uuids (tests use words); keys are spec ids with [element] and @period.
_MARKER = re.compile(r"launchspec-id:\s*([^\s/()<>]+/[A-Za-z0-9._\[\]@-]+)")
_HTML = re.compile(r"</?(p|br|div|span|strong|b|em|i|u|a|ul|ol|li|h[1-6])\b[^>]*>", re.I)
_LONE_BREAK = re.compile(r"<br\s*/?>\s*(?=</p>)", re.I)  # an empty paragraph's placeholder
_BREAK = re.compile(r"<br\s*/?>|</(p|div|li|h[1-6])>", re.I)
_TAG = re.compile(r"<[^>]+>")


def marker_for(lineage: str, key: str) -> str:
    """The provenance marker for one launch key of one lockfile lineage."""
    return f"{MARKER_PREFIX}{lineage}/{key}"


def with_marker(summary: str | None, marker: str | None) -> str | None:
    """The summary to send: the user's text, then the note saying what the marker is for, then
    the marker on its own line."""
    if not marker:
        return summary
    lines = f"{NOTE}\n{marker}"
    return f"{summary}\n\n{lines}" if summary else lines


def plain_text(summary: str) -> str:
    """The summary as text: markup a rich-text editor saved (paragraphs, breaks, inline tags)
    removed and entities decoded; a summary with no such markup is returned as it is."""
    if not _HTML.search(summary):
        return summary
    text = _BREAK.sub("\n", _LONE_BREAK.sub("", summary))
    return html.unescape(_TAG.sub("", text)).rstrip("\n")


def markers_in(summary: object) -> list[str]:
    """Every marker in a run's summary, wherever it stands, in the order written."""
    if not isinstance(summary, str) or "launchspec-id" not in summary:
        return []
    return [MARKER_PREFIX + m.group(1) for m in _MARKER.finditer(plain_text(summary))]


def key_of(marker: str) -> str:
    """The launch key a marker names (`launchspec-id: LINEAGE/KEY`)."""
    return marker[len(MARKER_PREFIX):].split("/", 1)[-1]


def without_markers(summary: str) -> str | None:
    """The summary as the person wrote it, as text: the note and lines holding a marker left
    out."""
    lines = plain_text(summary).split("\n")
    kept = [line for line in lines if line.strip() != NOTE and not markers_in(line)]
    return "\n".join(kept).rstrip("\n") or None
