"""Shipped data: the built-in seed plans, department aliases, vocabularies."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def data_path(name: str) -> Path:
    return Path(str(resources.files("yigai.data").joinpath(name)))


def seed_paths() -> list[Path]:
    """The five built-in plan documents, in file-name order."""
    folder = data_path("seeds")
    return sorted(p for p in folder.iterdir() if p.suffix == ".txt")
