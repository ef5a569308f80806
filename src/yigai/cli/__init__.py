"""Command line interface (Typer); the entry point is ``yigai.cli.main:app``."""
