"""Applying a plan: journal each launch, call the API through an injected client, record runs.

Also reading launches back (provenance markers) and settling what a cut-off apply left.
May import `runner.plan` and everything below it; never the client module, views or the CLI
(the client is handed in).
"""
