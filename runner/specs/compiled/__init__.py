"""The schemas compiled to Python by scripts/compile-schema (generated code, checked in)."""
