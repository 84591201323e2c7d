"""Pure rules: the patent and our decisions, with no I/O.

Imports only itself and the standard library (tests/unit/test_layers.py checks it)."""
