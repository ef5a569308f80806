"""Which DIP engine runs a job: named apart from the engines so the CLI can offer the choice without loading them."""

from __future__ import annotations

from enum import StrEnum

COLUMNAR_FROM = 20_000  # cases (history and current together) from which the columnar engine runs


class Engine(StrEnum):
    AUTO = "auto"
    REFERENCE = "reference"
    COLUMNAR = "columnar"


def pick(engine: Engine, n_cases: int) -> Engine:
    """``auto``: the reference engine (one object per case, the readable one) for small inputs."""
    if engine is Engine.AUTO:
        return Engine.COLUMNAR if n_cases >= COLUMNAR_FROM else Engine.REFERENCE
    return engine
