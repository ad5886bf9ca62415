"""The sandbox's default seed shaped like API answers: templates and the organisation directory."""

from __future__ import annotations

import copy
import textwrap
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from runner.resolve.resolve import Directory
from runner.specs.source import load_text
from runner.specs.spec import Spec

SEED = Path(__file__).resolve().parents[2] / "runner" / "sandbox" / "default_seed.yaml"


@lru_cache(maxsize=1)
def _seed() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    return data


def seed() -> dict[str, Any]:
    """A fresh copy of the whole seed (tests may change it freely)."""
    return copy.deepcopy(_seed())


def template(title: str, *, wrap_prerun: bool = False) -> dict[str, Any]:
    """The template titled `title` as GET /checklists/{id}?with=steps returns it."""
    for t in seed()["templates"]:
        if t["title"] == title:
            t["steps"] = {"data": t["steps"]}
            if wrap_prerun:
                t["prerun"] = {"data": t["prerun"]}
            return dict(t)
    raise KeyError(title)


def directory() -> Directory:
    """The seed organisation's users, groups, tags and folders."""
    s = seed()
    return Directory(users=s["users"], groups=s["groups"], tags=s["tags"], folders=s["folders"])


def spec(text: str, file: str = "specs/test.yaml") -> Spec:
    """The one spec in YAML `text`, loaded with positions as validate would load it."""
    docs, problems = load_text(textwrap.dedent(text), file)
    assert not [p for p in problems if p.severity == "error"], problems
    (doc,) = docs
    return Spec(str(doc.data["id"]), doc.data, doc)
