"""Conformance tests for the sandbox, written from TALLYFY_API.md and issue 3."""
