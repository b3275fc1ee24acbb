"""Subcommands of the ``geo`` CLI: thin click shells over the Python API, one module each."""
