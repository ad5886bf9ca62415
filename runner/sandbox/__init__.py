"""A local Tallyfy-compatible API server; the runner never imports it."""
