"""The provenance line: written as a sentence, found anywhere, through markup, in both forms."""

from __future__ import annotations

import html

import pytest

from runner.state.provenance import (
    key_of,
    marker_for,
    markers_in,
    plain_text,
    with_marker,
    without_markers,
)

LINEAGE = "0b6c5d1e-7f3a-4c2b-9d8e-1a2b3c4d5e6f"
KEYS = ["onboarding-globex", "onboard[acme-gmbh]", "close@2026-11", "close[kk]@2026-W05"]


def _as_editor_saves(text: str) -> str:
    """What a rich-text editor saves: one paragraph per line, text escaped, blank lines kept."""
    lines = (html.escape(line, quote=False) or "<br>" for line in text.split("\n"))
    return "".join(f"<p>{line}</p>" for line in lines)


@pytest.mark.parametrize("key", KEYS)
def test_a_sentence_says_what_the_marker_is_for(key: str) -> None:
    summary = with_marker("Kick-off for Globex & co", marker_for(LINEAGE, key))
    assert summary is not None
    note, line = summary.split("\n")[-2:]
    assert note.startswith("Launched by launchspec. Please keep the next line")
    assert line == marker_for(LINEAGE, key)
    assert markers_in(summary) == [marker_for(LINEAGE, key)]
    assert key_of(markers_in(summary)[0]) == key
    assert without_markers(summary) == "Kick-off for Globex & co"


@pytest.mark.parametrize("key", KEYS)
def test_the_marker_stays_alone_on_its_line_as_older_releases_read_it(key: str) -> None:
    """docs/compatibility.md: markers never change; a release before this one matched a line
    that is exactly the marker."""
    summary = with_marker("Kick-off", marker_for(LINEAGE, key))
    assert summary is not None
    lines = [line.strip() for line in summary.splitlines()]
    assert marker_for(LINEAGE, key) in lines


@pytest.mark.parametrize("key", KEYS)
def test_a_marker_is_found_after_the_editor_saved_html(key: str) -> None:
    summary = with_marker("Kick-off <for> Globex & co", marker_for(LINEAGE, key))
    assert summary is not None
    saved = _as_editor_saves(summary)
    assert markers_in(saved) == [marker_for(LINEAGE, key)]
    assert without_markers(saved) == "Kick-off <for> Globex & co"


def test_the_old_bare_line_is_still_read() -> None:
    """Runs launched before carry `launchspec-id: LINEAGE/KEY` alone on a line."""
    old = f"Kick-off\n\nlaunchspec-id: {LINEAGE}/onboarding-globex"
    assert markers_in(old) == [marker_for(LINEAGE, "onboarding-globex")]
    assert markers_in(f"<p>launchspec-id: {LINEAGE}/k</p>") == [marker_for(LINEAGE, "k")]
    assert without_markers(old) == "Kick-off"


def test_a_marker_anywhere_in_a_line_is_found() -> None:
    text = f"Notes. (was launchspec-id: {LINEAGE}/k) and more"
    assert markers_in(text) == [marker_for(LINEAGE, "k")]
    assert without_markers(f"Kick-off\n{text}") == "Kick-off"


def test_text_without_markup_is_left_as_written() -> None:
    assert plain_text("a < b and c > d") == "a < b and c > d"
    assert plain_text("<p>a</p><p><br></p><p>b&nbsp;&amp;</p>") == "a\n\nb\xa0&"
    assert markers_in("no marker here") == [] and markers_in(None) == []


def test_a_summary_that_is_only_the_line_has_nothing_left() -> None:
    summary = with_marker(None, marker_for(LINEAGE, "k"))
    assert summary is not None and without_markers(summary) is None
    assert with_marker("text", None) == "text"
