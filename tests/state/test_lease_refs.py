"""Lease ref names (issue 20, item 3): one ref per project folder, valid for git, never nested."""

from __future__ import annotations

import subprocess

from hypothesis import given, settings
from hypothesis import strategies as st

from runner.state.leasegit import LEASES, REF, ref_for

# Folder names as people write them: letters of any script, spaces, dots, dashes, emoji.
NAME = st.text(
    st.characters(exclude_categories=["Cs"], exclude_characters="/\x00"), min_size=1,
    max_size=12,
).filter(lambda s: s not in (".", ".."))  # fmt: skip
PATH = st.lists(NAME, min_size=1, max_size=3).map(lambda parts: "/".join(parts) + "/")


def valid(ref: str) -> bool:
    return subprocess.run(["git", "check-ref-format", ref], capture_output=True).returncode == 0


@settings(max_examples=150, deadline=None)
@given(st.lists(PATH, min_size=2, max_size=6, unique=True))
def test_no_two_folders_share_a_ref_and_git_accepts_every_one(paths: list[str]) -> None:
    refs = [ref_for(p) for p in paths]
    assert len(set(refs)) == len(paths)
    for ref in refs:
        assert ref.startswith(LEASES + "/") and ref.count("/") == 3  # one component: no nesting
        assert valid(ref), ref


def test_folders_the_old_names_mixed_up_now_have_their_own_refs() -> None:
    pairs = [("people ops/", "people-ops/"), ("財務/", "人事/"), ("ops/", "ops/emea/"),
             ("a/b/", "a-b/"), ("ops/", "ops/")]  # fmt: skip
    for one, other in pairs[:-1]:
        assert ref_for(one) != ref_for(other), (one, other)
    assert ref_for("ops/") == ref_for("ops")  # the same folder, however git shows it
    assert ref_for("") == REF
    assert ref_for("people ops/").startswith(f"{LEASES}/people-ops-")  # still readable
    assert valid(ref_for("財務/")) and ref_for("財務/").startswith(f"{LEASES}/folder-")
