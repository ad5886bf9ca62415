"""Entry point for `python -m runner.sandbox`."""

import sys

from runner.sandbox.server import main

sys.exit(main(sys.argv[1:]))
