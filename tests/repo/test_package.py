"""The release artefacts: `python -m build` makes an sdist and a wheel that pass `twine check`;
the wheel holds every data file the package reads, the sdist the tests; and the wheel,
installed into a fresh virtual environment with no development packages, runs `init`,
`validate` and `plan --sandbox` in a new project on every supported Python found here.

The build runs once per test session (about 20 s); each install takes a second or two with uv
and its cache (`uv venv`, `uv pip install`), against PyPI for the dependencies.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock

import runner
from tests.support.cli import REPO

pytestmark = pytest.mark.packaging

BIN = Path(sys.executable).parent
SUPPORTED = ("3.11", "3.12", "3.13")
DEV_ONLY = {"pytest", "hypothesis", "mypy", "ruff", "import-linter", "build", "twine", "uv"}


@dataclass(frozen=True)
class Dist:
    wheel: Path
    sdist: Path


def _run(args: list[str], **kw: Any) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(args, capture_output=True, text=True, timeout=300, **kw)
    assert proc.returncode == 0, f"{args}: {proc.stdout}\n{proc.stderr}"
    return proc


def _tool(name: str) -> str:
    path = BIN / name
    if not path.exists():
        pytest.skip(f"{name} is not installed in the test environment: run scripts/bootstrap")
    return str(path)


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Dist:
    """The sdist and the wheel, built once per run (the wheel from the sdist, as `build`
    does); parallel workers share the run's folder and wait for whichever builds first."""
    _tool("uv")
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # pytest-N/popen-gwK -> pytest-N: this run's, every worker's
    out = shared / "dist"
    with FileLock(shared / "dist.lock"):
        if not (out / "built").exists():
            _run([sys.executable, "-m", "build", "--outdir", str(out), str(REPO)])
            (out / "built").touch()
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return Dist(wheel, sdist)


def _tracked(folder: str) -> list[str]:
    """The files git tracks under `folder`, also through links (runner/schemas is one)."""
    tracked = set(_run(["git", "-C", str(REPO), "ls-files"]).stdout.split())
    found = []
    for where, _, names in os.walk(REPO / folder, followlinks=True):
        for path in (Path(where) / n for n in names):
            if path.resolve().relative_to(REPO.resolve()).as_posix() in tracked:
                found.append(path.relative_to(REPO).as_posix())
    return sorted(found)


def test_artefacts_pass_twine_check(dist: Dist) -> None:
    assert dist.wheel.name == f"launchspec-{runner.__version__}-py3-none-any.whl"
    assert dist.sdist.name == f"launchspec-{runner.__version__}.tar.gz"
    checked = _run([_tool("twine"), "check", "--strict", str(dist.wheel), str(dist.sdist)])
    assert checked.stdout.count("PASSED") == 2, checked.stdout


def test_wheel_holds_every_data_file_the_package_reads(dist: Dist) -> None:
    """Schemas, starter files and the sandbox's seed: every file under runner/ but code."""
    data = [n for n in _tracked("runner") if not n.endswith((".py", "README.md"))]
    assert {"runner/schemas/lockfile.schema.json", "runner/starter/launchspec-plan.yml",
            "runner/sandbox/default_seed.yaml", "runner/py.typed"} <= set(data)
    names = set(zipfile.ZipFile(dist.wheel).namelist())
    assert [n for n in data if n not in names] == []
    assert not any(n.startswith(("tests/", "specs/")) for n in names), "the wheel is the package"
    assert f"launchspec-{runner.__version__}.dist-info/licenses/LICENSE" in names  # MIT's notice


def test_sdist_holds_the_tests(dist: Dist) -> None:
    top = f"launchspec-{runner.__version__}/"
    with tarfile.open(dist.sdist) as archive:
        names = {n.removeprefix(top) for n in archive.getnames()}
    wanted = [*_tracked("tests"), *_tracked("specs"), *_tracked("schema"), "CHANGELOG.md",
              "LICENSE"]
    assert [n for n in wanted if n not in names] == []
    assert not any("__pycache__" in n for n in names)


def _pythons() -> list[object]:
    """Each supported Python this machine has, on PATH or installed by pyenv (CI's matrix
    adds the ones a machine lacks); the one running the tests always."""
    found = {f"{sys.version_info[0]}.{sys.version_info[1]}": sys.executable}
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    for version in SUPPORTED:
        candidates = [shutil.which(f"python{version}"),
                      *sorted(pyenv.glob(f"{version}.*/bin/python{version}"))]
        for path in filter(None, candidates):
            if version not in found and _is_python(str(path), version):
                found[version] = str(path)
    return [pytest.param(found[v], id=f"py{v}") for v in sorted(found) if v in SUPPORTED]


def _is_python(path: str, version: str) -> bool:
    """`path` runs and is that version (a pyenv shim of a version not selected fails)."""
    probe = subprocess.run([path, "-c", "import sys; print(*sys.version_info[:2], sep='.')"],
                           capture_output=True, text=True, timeout=30)
    return probe.returncode == 0 and probe.stdout.strip() == version


@pytest.mark.parametrize("python", _pythons())
def test_wheel_installed_fresh_runs_a_new_project(
    dist: Dist, python: str, tmp_path: Path
) -> None:
    uv = _tool("uv")
    venv = tmp_path / "venv"
    uv_env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never", "VIRTUAL_ENV": str(venv)}
    _run([uv, "venv", "--quiet", "--python", python, str(venv)], env=uv_env)
    # The wheel file itself, with the sandbox extra that `plan --sandbox` needs.
    _run([uv, "pip", "install", "--quiet", f"launchspec[sandbox] @ {dist.wheel.as_uri()}"],
         env=uv_env)
    installed = _run([uv, "pip", "list", "--format", "freeze"], env=uv_env).stdout
    names = {line.split("==")[0].lower() for line in installed.split()}
    assert "launchspec" in names and not names & DEV_ONLY, names

    project = tmp_path / "new-project"
    project.mkdir()
    # Nothing of this checkout or the test environment: only the virtual environment's bin.
    env = {"PATH": f"{venv / 'bin'}{os.pathsep}/usr/bin:/bin", "HOME": str(tmp_path),
           "XDG_CACHE_HOME": str(tmp_path / "cache"), "LANG": "C.UTF-8"}

    def launchspec(*args: str) -> str:
        return _run(["launchspec", *args], cwd=project, env=env).stdout

    assert launchspec("--version").split()[-1] == runner.__version__
    where = _run(["python", "-c", "import runner; print(runner.__file__)"], cwd=project, env=env)
    assert where.stdout.startswith(str(venv)), where.stdout
    assert "wrote .github/workflows/launchspec-plan.yml" in launchspec("init")
    assert "1 file valid" in launchspec("validate")
    planned = launchspec("--no-color", "plan", "--sandbox")
    assert "example-onboarding" in planned and "1 to launch" in planned, planned

    # A wheel missing a data file: a message that says how to repair it, not a traceback.
    (Path(where.stdout.strip()).parent / "starter" / "launchspec.yaml").unlink()
    broken = subprocess.run(["launchspec", "init", "other"], cwd=project, env=env,
                            capture_output=True, text=True, timeout=60)
    assert broken.returncode == 1 and "Traceback" not in broken.stderr, broken.stderr
    assert "installed without runner/starter/launchspec.yaml" in broken.stderr, broken.stderr
    assert f'pip install --force-reinstall "launchspec=={runner.__version__}"' in broken.stderr
