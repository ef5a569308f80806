"""Read a document file into text (placeholder until the extraction module lands)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class SourceDocument:
    name: str
    format: str
    text: str


def read_document(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> SourceDocument:
    return SourceDocument(name=path.name, format=path.suffix.lstrip("."), text=path.read_text("utf-8"))
