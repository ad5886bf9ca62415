"""launchspec: Tallyfy process launches kept as reviewed YAML specs."""

# The one place the version is written: pyproject.toml reads it (dynamic), `launchspec
# --version`, the User-Agent and the workflows `init` writes use it; a release tags it.
__version__ = "0.1.0"
