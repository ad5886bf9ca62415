"""The provenance line launchspec ends each run's summary with, and finding it again (pure).

A marker, `launchspec-id: LINEAGE/KEY`, names the lockfile lineage and the launch key; it is
what lockfiles, journals and scans record. The line written around it reads as a sentence,
since the summary is Tallyfy's Process Notes, shown to everyone on the run on every task. People
edit it in a rich-text editor, which may save it as HTML (`<p>...</p>`): markers are found
anywhere in the summary once markup is removed, in the sentence and in the bare line that runs
launched before carry (docs/tallyfy-api-notes.md, "Listing runs").
"""

from __future__ import annotations

import html
import re

MARKER_PREFIX = "launchspec-id: "
# Lineages are uuids (tests use words); keys are spec ids with [element] and @period.
_MARKER = re.compile(r"launchspec-id:\s*([^\s/()<>]+/[A-Za-z0-9._\[\]@-]+)")
_HTML = re.compile(r"</?(p|br|div|span|strong|b|em|i|u|a|ul|ol|li|h[1-6])\b[^>]*>", re.I)
_LONE_BREAK = re.compile(r"<br\s*/?>\s*(?=</p>)", re.I)  # an empty paragraph's placeholder
_BREAK = re.compile(r"<br\s*/?>|</(p|div|li|h[1-6])>", re.I)
_TAG = re.compile(r"<[^>]+>")


def marker_for(lineage: str, key: str) -> str:
    """The provenance marker for one launch key of one lockfile lineage."""
    return f"{MARKER_PREFIX}{lineage}/{key}"


def line_for(marker: str) -> str:
    """The line written into a summary: a sentence a colleague understands, holding `marker`."""
    return f"Launched by launchspec. Keep this line: it stops a second launch ({marker})"


def with_marker(summary: str | None, marker: str | None) -> str | None:
    """The summary to send: the user's text, then the provenance line on its own."""
    if not marker:
        return summary
    line = line_for(marker)
    return f"{summary}\n\n{line}" if summary else line


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
    """The summary as the person wrote it, as text: lines holding a marker left out."""
    kept = [line for line in plain_text(summary).split("\n") if not markers_in(line)]
    return "\n".join(kept).rstrip("\n") or None
