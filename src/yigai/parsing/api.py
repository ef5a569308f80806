"""Entry points of the parser."""

from __future__ import annotations

import hashlib
from pathlib import Path

from yigai.domain.errors import EmptyDocumentError
from yigai.domain.plan import PlanDraft
from yigai.parsing.builder import build_draft
from yigai.parsing.departments import DepartmentDirectory
from yigai.parsing.extract import DEFAULT_MAX_BYTES, read_document


def parse_text(
    text: str, *, source_name: str = "<text>", source_format: str = "txt", directory: DepartmentDirectory | None = None
) -> PlanDraft:
    """Parse decoded document text into a draft; raises only DocumentError subclasses.

    ``directory`` is the office's alias table (the shipped one when None), so the
    spellings an office has taught the product resolve on import too.
    """
    if not text.strip():
        raise EmptyDocumentError("the document contains no text", where=source_name)
    sha = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return build_draft(text, source_name=source_name, source_format=source_format, sha256=sha, directory=directory)


def parse_file(
    path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES, directory: DepartmentDirectory | None = None
) -> PlanDraft:
    doc = read_document(Path(path), max_bytes=max_bytes)
    return parse_text(doc.text, source_name=doc.name, source_format=doc.format, directory=directory)
