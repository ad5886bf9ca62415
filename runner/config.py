"""The project configuration file (`launchspec.yaml` at the root of a specs repo).

STUB: loading to be implemented (issue 2). The Config shape below is the contract.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CONFIG_FILE = "launchspec.yaml"
DEFAULT_SPEC_GLOBS = ("specs/**/*.yaml", "specs/**/*.yml")
DEFAULT_LOCKFILE = "launchspec.lock.json"
STATE_DIR = ".launchspec"


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
    secret_vars: tuple[str, ...] = ()  # names in `vars` whose values are never shown
    defaults: dict[str, Any] = field(default_factory=dict)  # merged under every spec
    max_launches: int = 25  # apply refuses more without --max-launches
    provenance: bool = True  # add a provenance line to each run's summary
    timezone: str = "UTC"
    file: Path | None = None  # the config file, when one exists


def load_config(root: Path) -> Config:
    """Read `launchspec.yaml` under `root` if present, else defaults; raise ConfigError."""
    root = root.resolve()
    return Config(
        root=root,
        lockfile=root / DEFAULT_LOCKFILE,
        state_dir=root / STATE_DIR,
        snapshots_dir=root / "templates",
    )
