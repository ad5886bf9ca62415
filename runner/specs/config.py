"""The project configuration file (`launchspec.yaml` at the root of a specs repo)."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from runner.errors import ConfigError

CONFIG_FILE = "launchspec.yaml"
DEFAULT_SPEC_GLOBS = ("specs/**/*.yaml", "specs/**/*.yml")
DEFAULT_LOCKFILE = "launchspec.lock.json"
STATE_DIR = ".launchspec"
TOKEN_VAR = "TALLYFY_TOKEN"


@dataclass(frozen=True)
class Config:
    """Project settings; every path is absolute."""

    root: Path
    org_id: str | None = None
    api_url: str | None = None
    spec_globs: tuple[str, ...] = DEFAULT_SPEC_GLOBS
    lockfile: Path = Path(DEFAULT_LOCKFILE)
    state_dir: Path = Path(STATE_DIR)
    snapshots_dir: Path = Path("templates")
    env_allow: tuple[str, ...] = ()  # env vars templates may read as `env.NAME`
    secret_vars: tuple[str, ...] = ()  # environment variables that hold secrets
    moved: tuple[tuple[str, str], ...] = ()  # launch keys renamed: (from, to)
    defaults: dict[str, Any] = field(default_factory=dict)  # merged under every spec
    max_launches: int = 25  # apply refuses more without --max-launches
    settle_seconds: int = 60  # a lost launch may still appear on the server this long after
    api_limits: dict[str, float] = field(default_factory=dict)  # deadline, answer time and size
    provenance: bool = True  # add a provenance line to each run's summary
    lease_remote: str | None = "origin"  # the git remote holding the shared lease; None: off
    lease_ttl: float = 120.0
    lease_margin: float | None = None  # a holder stops launching this long before expiry
    timezone: str = "UTC"
    file: Path | None = None  # the config file, when one exists


@lru_cache(maxsize=1)
def config_schema() -> dict[str, Any]:
    """config.schema.json with `defaults.*` checked by the spec schema's own definitions."""
    from runner.specs.schema import load_schema

    schema = copy.deepcopy(load_schema("config.schema.json"))
    spec = load_schema()
    defaults = schema["properties"]["defaults"]["properties"]
    for key in defaults:
        defaults[key] = spec["properties"][key]
    schema["$defs"].update(spec["$defs"])
    return schema


def load_config(root: Path) -> Config:
    """Read `launchspec.yaml` under `root` if present, else defaults; raise ConfigError."""
    root = root.resolve()
    path = root / CONFIG_FILE
    data: dict[str, Any] = {}
    if path.is_file():
        data = _read(path)
    return _build(root, data, path if path.is_file() else None)


def _read(path: Path) -> dict[str, Any]:
    """The configuration's data, checked; the first problem raises with its position."""
    from runner.specs.compiled import config
    from runner.specs.schema import SchemaChecker
    from runner.specs.source import load_file

    docs, problems = load_file(path, CONFIG_FILE)
    errors = [d for d in problems if d.severity == "error"]
    if not docs and all(d.code == "empty" for d in errors):
        return {}  # a file of comments only: every default applies
    if not errors and len(docs) != 1:
        raise ConfigError(f"{CONFIG_FILE} must hold exactly one YAML document")
    if not errors:
        doc = docs[0]
        if "token" in doc.data:
            raise ConfigError(
                "the API token does not belong in launchspec.yaml (it would be committed)",
                hint=f"set the {TOKEN_VAR} environment variable instead",
                pos=doc.key_pos(("token",)),
            )
        errors = SchemaChecker(config_schema, config).check(doc) + _meaning(doc)
    if errors:
        errors.sort(key=lambda d: d.sort_key())
        first, rest = errors[0], errors[1:]
        more = "".join(f"\n  {d.pos}: {d.message}" for d in rest)  # every problem in one go
        raise ConfigError(first.message + more, hint=first.hint, pos=first.pos)
    data: dict[str, Any] = docs[0].data
    return data


def _meaning(doc: Any) -> list[Any]:
    """Checks beyond the schema: the token stays out of templates; the time zone exists."""
    from runner.diagnostics import Diagnostic

    found = []
    env = doc.data.get("env") or []
    if TOKEN_VAR in env:
        index = env.index(TOKEN_VAR)
        found.append(
            Diagnostic(f"{TOKEN_VAR} may not be exposed to templates", doc.pos(("env", index)))
        )
    found += _globs_inside_root(doc)
    found += _inline_secrets(doc)
    zone = doc.data.get("timezone")
    if isinstance(zone, str) and not zone_exists(zone):
        found.append(
            Diagnostic(
                f"unknown time zone '{zone}'", doc.pos(("timezone",)), hint="e.g. Europe/Berlin"
            )
        )
    return found


def _globs_inside_root(doc: Any) -> list[Any]:
    """Spec globs stay inside the root: a `..` part or an absolute path could read any file."""
    from pathlib import PurePosixPath

    from runner.diagnostics import Diagnostic

    found = []
    globs = doc.data.get("specs")
    for index, glob in enumerate(globs if isinstance(globs, list) else []):
        if not isinstance(glob, str):
            continue
        parts = PurePosixPath(glob.replace("\\", "/")).parts
        if glob.startswith(("/", "~")) or ".." in parts or (parts and ":" in parts[0]):
            found.append(
                Diagnostic(
                    f"spec glob {glob!r} leaves the project root",
                    doc.pos(("specs", index)),
                    hint="spec files must be inside the project root: write a path relative to it",
                )
            )
    return found


def _inline_secrets(doc: Any) -> list[Any]:
    """`defaults.vars` holding a value named under `secrets:` would put the secret in git."""
    secrets = doc.data.get("secrets") or []
    if not isinstance(secrets, list):
        return []
    return inline_secrets(doc, ("defaults", "vars"), secrets)


def inline_secrets(doc: Any, at: tuple[str, ...], secrets: Sequence[str]) -> list[Any]:
    """A secret's value written under `at` (it would be committed to git): an error there.

    Shared by the configuration's `defaults.vars` and each spec's `vars`."""
    from runner.diagnostics import Diagnostic

    values = doc.data
    for key in at:
        values = values.get(key) if isinstance(values, Mapping) else None
    if not isinstance(values, Mapping):
        return []
    return [
        Diagnostic(
            f"{name!r} is a secret: its value may not be written here (it would be in git)",
            doc.pos((*at, name)),
            path=".".join((*at, name)),
            code="secret",
            hint=f"set the environment variable {name} (a CI secret) and read it as "
            f"`{{{{ secrets.{name} }}}}`",
        )
        for name in values
        if name in secrets
    ]


def zone_exists(name: str) -> bool:
    """Whether `name` is an IANA time zone this machine knows."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _margin(lease: dict[str, Any], file: Path | None) -> float | None:
    if "margin_seconds" not in lease:
        return None
    margin, ttl = float(lease["margin_seconds"]), float(lease.get("ttl_seconds", 120))
    if margin >= ttl / 2:
        raise ConfigError(
            f"{file or CONFIG_FILE}: lease.margin_seconds ({margin:g}) must be less than half "
            f"of lease.ttl_seconds ({ttl:g})",
            hint="a holder renews three times within ttl less the margin; keep the margin small",
        )
    return margin


API_LIMITS = ("deadline_seconds", "response_seconds", "max_response_mib", "wait_budget_seconds")


def _build(root: Path, data: dict[str, Any], file: Path | None) -> Config:
    limits = data.get("limits") or {}
    lease = data.get("lease", {})
    return Config(
        root=root,
        org_id=data.get("organization"),
        api_url=data.get("api_url"),
        spec_globs=tuple(data.get("specs") or DEFAULT_SPEC_GLOBS),
        lockfile=root / data.get("lockfile", DEFAULT_LOCKFILE),
        state_dir=root / data.get("state_dir", STATE_DIR),
        snapshots_dir=root / data.get("snapshots_dir", "templates"),
        env_allow=tuple(data.get("env") or ()),
        secret_vars=tuple(data.get("secrets") or ()),
        moved=tuple((str(m["from"]), str(m["to"])) for m in data.get("moved") or ()),
        defaults=dict(data.get("defaults") or {}),
        max_launches=int(limits.get("max_launches", 25)),
        settle_seconds=int(limits.get("settle_seconds", 60)),
        api_limits={k: float(v) for k, v in limits.items() if k in API_LIMITS},
        provenance=bool(data.get("provenance", True)),
        lease_remote=None if lease is False else str(lease.get("remote", "origin")),
        lease_ttl=120.0 if lease is False else float(lease.get("ttl_seconds", 120)),
        lease_margin=None if lease is False else _margin(lease, file),
        timezone=data.get("timezone", "UTC"),
        file=file,
    )
