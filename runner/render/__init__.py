"""Rendering: the sandboxed Jinja environment, its filters, expansion of `for_each`/`every`.

Spec -> Rendered, deterministic with a pinned clock. May import: `runner.specs`, `runner.state`
(to read pinned launch times), and the foundation. Never the client, the CLI or the sandbox.
"""
