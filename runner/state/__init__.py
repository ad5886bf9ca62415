"""State on disk: the lockfile, the launch journal, durable file writes and the process lock.

The bottom layer above the foundation: imports only `runner.errors` and `runner.diagnostics`.
"""
