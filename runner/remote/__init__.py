"""Remote state: what the server holds, read through the client port before planning.

The run index (each template's runs, read once per command), launches read back by their
provenance marker, keys launched twice, runs to adopt, and the settling of launches a cut-off
apply left pending. Below planning: may import `runner.state` and the foundation; the client
is handed in, typed by `runner.remote.ports`.
"""
