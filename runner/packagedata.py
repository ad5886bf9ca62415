"""The files installed with launchspec (schemas, starter files), read or reported as missing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from runner import __version__
from runner.errors import InstallError

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable


def files(package: str) -> Traversable:
    """The installed files of `package`; importlib.resources is imported only when one is
    read (it costs every start-up some milliseconds: tempfile, shutil, compression modules)."""
    from importlib import resources

    return resources.files(package)


def read_text(*parts: str) -> str:
    """The text of `runner/PARTS...` as installed; InstallError, saying how to repair the
    installation, when it is missing or unreadable (a broken wheel or a partial copy)."""
    try:
        return files("runner").joinpath(*parts).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InstallError(
            f"this launchspec ({__version__}) is installed without runner/{'/'.join(parts)}, "
            f"one of its own files ({type(e).__name__})",
            hint=f'reinstall it: pip install --force-reinstall "launchspec=={__version__}"',
        ) from e
