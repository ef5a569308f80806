"""Use cases: plain functions taking a unit of work; the CLI and web call only these."""
