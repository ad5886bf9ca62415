"""Views of plans, diagnostics and templates: text, Markdown, JSON, GitHub annotations.

Pure functions that return strings, plus the fail-closed leak scan of what is printed.
May import `runner.plan` and below; never the client.
"""
