"""Loading specs: YAML files and the configuration -> plain data with positions, schema-checked.

Owns the safe YAML loader, the JSON Schema check, the `Spec` value, `launchspec.yaml` and
`for_each` data files. May import: `runner.errors`, `runner.diagnostics`, `runner.state`.
"""
