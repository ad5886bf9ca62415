"""The release path: the tag workflow (actionlint, order, permissions), the CHANGELOG section it
publishes, actions pinned to commits everywhere (init's workflows too), Dependabot, SECURITY.md."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import runner
from runner.project.starter import starter_files
from tests.support.cli import REPO
from tests.support.workflows import ACTION, WORKFLOWS, load, repo_actionlint

RELEASE = WORKFLOWS / "release.yml"
NOTES = REPO / "scripts" / "release-notes"
USES = re.compile(r"^\s*(?:- )?uses: (\S+)(.*)$", re.M)
PINNED_LINE = re.compile(r"^[\w.-]+/[\w.-]+(?:/[\w./-]+)?@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"^ # v\d+(\.\d+)*$")


def _texts() -> dict[str, str]:
    """Every file that uses actions: the workflows, the action, and what init writes."""
    texts = {p.relative_to(REPO).as_posix(): p.read_text() for p in WORKFLOWS.glob("*.yml")}
    texts["action.yml"] = ACTION.read_text()
    texts.update({f"init: {n}": t for n, t in starter_files().items() if n.endswith(".yml")})
    return texts


def test_actionlint_release_workflow() -> None:
    assert repo_actionlint()[RELEASE.name] == ""


def test_release_runs_on_a_version_tag_tests_builds_once_publishes_then_releases() -> None:
    doc = load(RELEASE)
    assert doc[True] == {"push": {"tags": ["v[0-9]+.[0-9]+.[0-9]+"]}}  # PyYAML: `on` is True
    assert doc["permissions"] == {"contents": "read"}
    assert doc["concurrency"]["cancel-in-progress"] is False
    jobs = doc["jobs"]
    assert [jobs[j].get("needs") for j in ("test", "build", "pypi", "github-release")] == [
        None, "test", "build", "pypi"]
    assert set(jobs["test"]["strategy"]["matrix"]["python"]) == {"3.11", "3.12", "3.13"}
    assert any(s.get("run") == "scripts/test" for s in jobs["test"]["steps"])
    build = "\n".join(s.get("run", "") for s in jobs["build"]["steps"])
    assert build.index("scripts/release-notes") < build.index("-m build")
    assert "twine check --strict" in build and build.count("-m build") == 1
    # Only the publishing job may mint an OpenID Connect token, and only it reaches PyPI.
    assert jobs["pypi"]["permissions"] == {"id-token": "write"}
    assert jobs["pypi"]["environment"]["name"] == "pypi"
    assert [j for j in jobs if "id-token" in jobs[j].get("permissions", {})] == ["pypi"]
    assert any("pypa/gh-action-pypi-publish@" in s.get("uses", "") for s in jobs["pypi"]["steps"])
    smoke = "\n".join(s.get("run", "") for s in jobs["installs-from-pypi"]["steps"])
    assert jobs["installs-from-pypi"]["needs"] == "pypi" and '"launchspec==${TAG#v}"' in smoke
    assert "launchspec init" in smoke and "launchspec plan --offline" in smoke
    assert jobs["github-release"]["permissions"] == {"contents": "write"}
    release = "\n".join(s.get("run", "") for s in jobs["github-release"]["steps"])
    assert 'gh release create "$TAG" dist/*' in release and "--notes-file release-notes.md" in (
        release)
    assert 'major="${TAG%%.*}"' in release and 'git push --force origin "refs/tags/$major"' in (
        release)


@pytest.mark.parametrize("name", sorted(_texts()))
def test_every_action_is_pinned_to_a_commit_with_its_version(name: str) -> None:
    found = USES.findall(_texts()[name])
    assert found, "a file that uses no action has nothing to check"
    for uses, rest in found:
        if uses.startswith("./"):
            continue  # this repository's own
        assert PINNED_LINE.match(uses), f"{uses}: pin a commit (a tag can be moved)"
        assert VERSION_COMMENT.match(rest), f"{uses}: say its version (` # vX.Y.Z`)"


def test_init_workflows_pin_the_commits_the_repository_uses() -> None:
    """Dependabot updates .github/workflows and action.yml, not runner/starter/: a bump there
    fails here until init's workflows follow."""
    def pins(text: str) -> dict[str, str]:
        return {u.split("@")[0]: f"{u.split('@')[1]}{rest}" for u, rest in USES.findall(text)}

    ours: dict[str, str] = {}
    for name, text in _texts().items():
        if not name.startswith("init: "):
            ours.update(pins(text))
    for name, text in _texts().items():
        if name.startswith("init: "):
            for action, pin in pins(text).items():
                assert ours.get(action) == pin, f"{name}: {action}"


def test_dependabot_watches_pip_and_actions() -> None:
    doc = yaml.safe_load((REPO / ".github" / "dependabot.yml").read_text())
    watched = {(u["package-ecosystem"], u["directory"]) for u in doc["updates"]}
    assert watched == {("pip", "/"), ("pip", "/.github/release"), ("github-actions", "/")}
    assert (REPO / ".github" / "release" / "requirements.txt").is_file()
    pinned = (REPO / ".github" / "release" / "requirements.txt").read_text().splitlines()
    assert [line for line in pinned if line and not line.startswith("#") and "==" not in line] \
        == []


def test_security_policy_says_how_to_report() -> None:
    text = (REPO / "SECURITY.md").read_text()
    assert "**Report a vulnerability**" in text and "Please do not open a\npublic issue" in text


def test_releasing_is_five_steps() -> None:
    numbered = re.findall(r"^\d\. ", (REPO / "docs" / "releasing.md").read_text(), re.M)
    assert len(numbered) == 5


# -- scripts/release-notes: the CHANGELOG section a tag publishes ------------------------------

CHANGELOG = """# Changelog

## [Unreleased]

## [1.2.0] - 2027-01-05

### Added
- a thing

## [1.1.0] - 2026-12-01

### Fixed
- another
"""


def _notes(tmp_path: Path, tag: str, changelog: str, version: str = "1.2.0") -> (
        subprocess.CompletedProcess[str]):
    (tmp_path / "CHANGELOG.md").write_text(changelog)
    (tmp_path / "__init__.py").write_text(f'"""x"""\n\n__version__ = "{version}"\n')
    return subprocess.run(
        [sys.executable, "-I", str(NOTES), tag, str(tmp_path / "CHANGELOG.md"),
         str(tmp_path / "__init__.py")], capture_output=True, text=True, timeout=30)


def test_release_notes_print_the_tag_version_section(tmp_path: Path) -> None:
    done = _notes(tmp_path, "v1.2.0", CHANGELOG)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "### Added\n- a thing\n"


@pytest.mark.parametrize(("tag", "changelog", "says"), [
    ("v1.3.0", CHANGELOG, "tag v1.3.0 is not the package's version (1.2.0"),
    ("v1.2.0", CHANGELOG.replace("[1.2.0]", "[1.2.1]"), "rename '## [Unreleased]'"),
    ("v1.2.0", CHANGELOG.replace("### Added\n- a thing\n", ""), "section of CHANGELOG.md is empty"),
])
def test_release_notes_refuse_with_what_to_do(
    tmp_path: Path, tag: str, changelog: str, says: str
) -> None:
    done = _notes(tmp_path, tag, changelog)
    assert done.returncode == 1 and says in done.stderr, done.stderr
    assert done.stdout == "" and "Traceback" not in done.stderr


def test_release_notes_read_this_repository() -> None:
    """The real files: the version is runner's, and the CHANGELOG's headings are ones the
    script finds (while unreleased it says to rename [Unreleased])."""
    done = subprocess.run([sys.executable, "-I", str(NOTES), f"v{runner.__version__}"],
                          capture_output=True, text=True, timeout=30)
    headings = re.findall(r"^## \[([^\]]+)\]", (REPO / "CHANGELOG.md").read_text(), re.M)
    assert headings[0] == "Unreleased"
    if runner.__version__ in headings:
        assert done.returncode == 0 and done.stdout.strip(), done.stderr
    else:
        assert done.returncode == 1 and "rename '## [Unreleased]'" in done.stderr
