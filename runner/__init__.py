"""launchspec: Tallyfy process launches kept as reviewed YAML specs."""

__version__ = "0.1.0"
