"""`plan --help` explains every symbol a plan can show."""

from __future__ import annotations

from click.testing import CliRunner

from runner.cli.main import cli
from runner.plan.vocabulary import SYMBOL


def test_the_legend_names_every_symbol() -> None:
    out = CliRunner().invoke(cli, ["plan", "--help"]).output
    legend = out[out.index("Symbols:") :]
    for symbol in {s for s in SYMBOL.values() if s.strip()}:
        assert f" {symbol} " in f" {legend} ".replace("\n", " "), symbol
