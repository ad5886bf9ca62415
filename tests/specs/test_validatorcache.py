"""The compiled schema validator kept between runs: used when sound, ignored when not."""

from __future__ import annotations

import marshal
import os
from pathlib import Path

import fastjsonschema
import pytest

from runner.specs.schema import load_schema
from runner.specs.validatorcache import cache_folder, compiled_validator

GOOD = {"id": "a", "template": "Client Onboarding", "name": "x"}
BAD = {"id": "a", "templatee": "Client Onboarding"}


def _judges_like_the_schema(validate: object) -> None:
    assert callable(validate)
    validate(GOOD)
    with pytest.raises(fastjsonschema.JsonSchemaException):
        validate(BAD)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("CI", raising=False)
    return tmp_path / "launchspec"


def test_the_second_run_reads_the_compiled_code_from_the_cache(cache: Path) -> None:
    _judges_like_the_schema(compiled_validator(load_schema()))
    stored = list(cache.glob("validator-*.bin"))
    assert len(stored) == 1 and cache_folder() == cache
    stamp = stored[0].stat().st_mtime_ns
    _judges_like_the_schema(compiled_validator(load_schema()))
    assert stored[0].stat().st_mtime_ns == stamp  # read, not written again


@pytest.mark.parametrize("damage", [b"", b"\x00garbage", b"\xe3" + b"\x00" * 40])
def test_a_damaged_cache_file_is_compiled_again(cache: Path, damage: bytes) -> None:
    compiled_validator(load_schema())
    (stored,) = cache.glob("validator-*.bin")
    stored.write_bytes(damage)
    _judges_like_the_schema(compiled_validator(load_schema()))
    assert stored.read_bytes() != damage  # and the good code written back


def test_an_unwritable_cache_folder_only_costs_time(cache: Path) -> None:
    cache.parent.mkdir(exist_ok=True)
    cache.write_text("a file where the folder should be")
    _judges_like_the_schema(compiled_validator(load_schema()))
    assert cache.is_file() and not os.path.isdir(cache)


def test_the_cached_validator_is_the_one_fastjsonschema_compiles(cache: Path) -> None:
    import copy

    compiled = fastjsonschema.compile(copy.deepcopy(load_schema()), use_default=False)
    for _ in range(2):  # compiled, then read back
        assert compiled_validator(load_schema()).__name__ == compiled.__name__


def test_in_ci_nothing_is_cached(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    _judges_like_the_schema(compiled_validator(load_schema()))
    assert not cache.exists()


def test_code_others_could_have_written_is_not_run(cache: Path) -> None:
    compiled_validator(load_schema())
    (stored,) = cache.glob("validator-*.bin")
    planted = marshal.dumps(("validate", compile("def validate(data): pass", "x", "exec")))
    stored.write_bytes(planted)  # accepts everything: would hide every schema error
    stored.chmod(0o666)
    _judges_like_the_schema(compiled_validator(load_schema()))  # not run: compiled afresh
    stored.write_bytes(planted)
    stored.chmod(0o600)
    cache.chmod(0o777)  # the folder: anyone could have replaced the file
    _judges_like_the_schema(compiled_validator(load_schema()))
