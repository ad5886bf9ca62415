"""Command cores: run the stages in order for each command (validate, plan, apply, status, ...).

The orchestration layer the CLI calls. May import every layer below it (apply, views, plan,
templates, check, resolve, render, specs, state); never the CLI or the sandbox.
"""
