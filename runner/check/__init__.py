"""Checks across documents: find the spec files, schema, unique ids, parents, templated strings.

The `validate` stage. May import the layers below it: `runner.render`, `runner.specs`,
`runner.state`, and the foundation (`runner.errors`, `runner.diagnostics`). Pure but for reads.
"""
