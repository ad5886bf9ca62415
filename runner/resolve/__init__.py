"""Resolving against templates and people: labels, titles, emails -> ids; values -> API shapes.

Rendered -> LaunchRequest. Pure: templates and the directory are handed in. May import
`runner.render`, `runner.specs` and the foundation.
"""
