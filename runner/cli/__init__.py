"""The command line: parse arguments, call the command cores, print their views, map errors.

Nothing imports this package. It may import every other part of the runner, but never the
sandbox (it starts the sandbox as a separate process).
"""

from runner.cli.main import main

__all__ = ["main"]
