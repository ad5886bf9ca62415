"""`launchspec validate` end to end: exit codes, formats, and no traceback for any input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from runner.cli.main import main

REPO = Path(__file__).resolve().parents[2]
BAD = REPO / "tests" / "examples" / "bad"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = 0
    try:
        main(list(args))
    except SystemExit as e:
        code = int(e.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_valid_specs_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "-C", str(REPO), "validate")
    assert code == 0 and out.endswith("valid\n")


def test_problems_exit_1_with_file_line_col(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "-C", str(REPO), "validate", "tests/examples/bad/wrong-type.yaml")
    assert code == 1
    assert "tests/examples/bad/wrong-type.yaml:5:10: error: 'starred'" in out


def test_missing_path_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "-C", str(REPO), "validate", "no/such.yaml")
    assert code == 2 and "no such file" in err


def test_json_format(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys, "-C", str(REPO), "validate", "--format", "json", "tests/examples/bad/dup-ids"
    )
    doc = json.loads(out)
    assert code == 1 and doc["valid"] is False and doc["errors"] == 2
    assert {(d["file"], d["line"], d["col"]) for d in doc["diagnostics"]} == {
        ("tests/examples/bad/dup-ids/first.yaml", 3, 5),
        ("tests/examples/bad/dup-ids/second.yaml", 2, 5),
    }


def test_github_format_is_default_on_actions(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    code, out, _ = _run(capsys, "-C", str(REPO), "validate", "tests/examples/bad/tab-indent.yaml")
    assert code == 1
    assert out.startswith("::error file=tests/examples/bad/tab-indent.yaml,line=5,col=1::")


def test_bad_config_exits_1_with_position(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "launchspec.yaml").write_text("token: x\n", encoding="utf-8")
    code, _, err = _run(capsys, "-C", str(tmp_path), "validate")
    assert code == 1 and "launchspec.yaml:1:1:" in err and "TALLYFY_TOKEN" in err


def _hostile(tmp_path: Path) -> list[Path]:
    files = {
        "bomb.yaml": "\n".join(
            ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
            + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
        ),
        "deep.yaml": "a: " + "[" * 10_000 + "]" * 10_000,
        "loop.yaml": "a: &x [*x]",
        "tags.yaml": "a: !!python/object/apply:os.system [echo hi]",
        "binary.yaml": "\x00\x01\x02",
        "keys.yaml": "? [a, b]\n: c\n",
        "empty.yaml": "",
    }
    paths = []
    for name, text in files.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: b\n" * (20 * 1024 * 1024 // 5))
    return [*paths, big]


def test_no_traceback_for_any_bad_input(tmp_path: Path) -> None:
    inputs = [*_hostile(tmp_path), *sorted(BAD.glob("*.yaml")), BAD / "dup-ids"]
    result = subprocess.run(
        [sys.executable, "-m", "runner", "-C", str(REPO), "validate", *map(str, inputs)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    for name in ("bomb.yaml", "deep.yaml", "loop.yaml", "tags.yaml", "big.yaml", "empty.yaml"):
        assert f"{name}:" in result.stdout, name
