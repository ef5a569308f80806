"""Policy document → PlanDraft.

``parse_file(path)`` reads and parses a .txt/.md/.docx/.pdf file;
``parse_text(text)`` parses text already decoded. Both raise only
``yigai.domain.errors.DocumentError`` subclasses for bad input.
"""

from yigai.parsing.api import parse_file, parse_text

__all__ = ["parse_file", "parse_text"]
