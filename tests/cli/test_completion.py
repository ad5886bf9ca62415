"""Shell completion (click's), as the README tells users to turn it on."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import run_cli


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_completion_script_is_printed(tmp_path: Path, shell: str) -> None:
    shown = run_cli(tmp_path, env={"_LAUNCHSPEC_COMPLETE": f"{shell}_source"})
    assert shown.code == 0 and "Traceback" not in shown.err, shown.text
    assert "_LAUNCHSPEC_COMPLETE" in shown.out


def test_commands_and_options_complete(tmp_path: Path) -> None:
    def complete(words: str) -> list[str]:
        env = {"_LAUNCHSPEC_COMPLETE": "bash_complete", "COMP_WORDS": words,
               "COMP_CWORD": str(len(words.split()) - 1)}
        done = run_cli(tmp_path, env=env)
        assert done.code == 0 and "Traceback" not in done.err, done.text
        return done.out.split()

    assert "plain,plan" in complete("launchspec pl")
    assert "plain,--target" in complete("launchspec plan --tar")
    assert "plain,init" in complete("launchspec in")
