"""Conformance tests for the sandbox, written from docs/tallyfy-api-notes.md and issue 3."""
