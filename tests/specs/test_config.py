"""Loading launchspec.yaml: defaults, every key, and errors with positions."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.errors import ConfigError
from runner.specs.config import load_config


def _config(tmp_path: Path, text: str) -> Path:
    (tmp_path / "launchspec.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def test_no_file_means_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    assert config.file is None and config.lockfile == tmp_path.resolve() / "launchspec.lock.json"
    assert config.spec_globs == ("specs/**/*.yaml", "specs/**/*.yml")


def test_every_key(tmp_path: Path) -> None:
    root = _config(
        tmp_path,
        "organization: 5192e8fadff2a873872ba9aed3f2e334\napi_url: https://api.tallyfy.com\n"
        "specs: [launches/*.yaml]\nlockfile: state/lock.json\nstate_dir: .state\n"
        "snapshots_dir: snaps\nenv: [GITHUB_SHA]\nsecrets: [password]\n"
        "defaults: {owner: ops@example.com, vars: {company: Acme}, tags: [x]}\n"
        "limits: {max_launches: 3}\nprovenance: false\ntimezone: Europe/Berlin\n",
    )
    c = load_config(root)
    root = root.resolve()
    assert (c.org_id, c.api_url, c.spec_globs) == (
        "5192e8fadff2a873872ba9aed3f2e334",
        "https://api.tallyfy.com",
        ("launches/*.yaml",),
    )
    assert (c.lockfile, c.state_dir, c.snapshots_dir) == (
        root / "state/lock.json",
        root / ".state",
        root / "snaps",
    )
    assert (c.env_allow, c.secret_vars, c.max_launches, c.provenance, c.timezone) == (
        ("GITHUB_SHA",),
        ("password",),
        3,
        False,
        "Europe/Berlin",
    )
    assert c.defaults["vars"] == {"company": "Acme"} and c.file == root / "launchspec.yaml"


def test_comments_only_is_all_defaults(tmp_path: Path) -> None:
    assert load_config(_config(tmp_path, "# nothing yet\n")).org_id is None


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("token: abc\n", "1:1", "the API token does not belong in launchspec.yaml"),
        ("specz: [a]\n", "1:1", "unknown key 'specz' (did you mean 'specs'?)"),
        ("organization: acme\n", "1:15", "is not an organization id"),
        ("env: [HOME, TALLYFY_TOKEN]\n", "1:13", "TALLYFY_TOKEN may not be exposed"),
        ("timezone: Mars/Base\n", "1:11", "unknown time zone 'Mars/Base'"),
        ("defaults: {owner: [1]}\n", "1:19", "'owner': a list is not a user id"),
        ("defaults: {id: x}\n", "1:12", "unknown key 'id'"),
        ("limits: {max_launches: -1}\n", "1:24", "must be at least 0"),
        ("a: [1\n", "2:1", "YAML syntax error"),
        ("- a\n", "1:1", "holds a list"),
        ("a: 1\n---\nb: 2\n", "", "exactly one YAML document"),
    ],
)
def test_errors_name_the_place(tmp_path: Path, text: str, where: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(_config(tmp_path, text))
    shown = str(caught.value)
    assert message in shown
    if where:
        assert shown.startswith(f"launchspec.yaml:{where}: "), shown


def test_all_problems_are_listed(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(_config(tmp_path, "organization: x\nspecz: [a]\n"))
    assert str(caught.value).count("launchspec.yaml:") == 2
