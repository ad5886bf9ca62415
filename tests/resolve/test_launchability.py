"""Whether Tallyfy launches a template, decided from the fields real templates carry.

Evidence (docs/tallyfy-api-notes.md): real templates show `status: "active"` or `null`, with
`is_published_state` and `dual_version_enabled`; only with dual versioning on must a template
be in a published state. The word "published" appears only in a mocked CLI fixture.
"""

from __future__ import annotations

import pytest

from runner.resolve.rules import launch_refusal

LAUNCHABLE = {
    "documented example": {"status": "active"},
    "new template": {"status": None, "dual_version_enabled": False, "is_published_state": False},
    "dual, published": {"status": "active", "dual_version_enabled": True,
                        "is_published_state": True},
    "the SDK's model (no status)": {"is_published_state": True},
    "fields absent": {},
}
REFUSED = {
    "dual, not published": {"status": None, "dual_version_enabled": True,
                            "is_published_state": False},
    "archived": {"status": "active", "archived_at": "2026-01-01T00:00:00Z"},
}


@pytest.mark.parametrize("template", LAUNCHABLE.values(), ids=LAUNCHABLE.keys())
def test_real_shapes_are_launchable(template: dict[str, object]) -> None:
    assert launch_refusal(template) is None


@pytest.mark.parametrize("template", REFUSED.values(), ids=REFUSED.keys())
def test_unlaunchable_shapes_are_refused_with_the_reason(template: dict[str, object]) -> None:
    refusal = launch_refusal(template)
    assert refusal is not None and "403" in refusal
