"""The one zip-bomb guard: every ZIP-based upload is measured here before a library unpacks it.

A workbook (XLSX, read by :mod:`yigai.tabular`) or a Word document (DOCX, read by
:mod:`yigai.parsing.extract`) is a ZIP archive, and a file of a few hundred kilobytes can unpack
to gigabytes. :func:`zip_entries` lists an archive's entries without unpacking any, and
:func:`zip_bomb` says whether they are too many, too large in all, or compressed at a ratio no
real document has. The limits are named here and nowhere else; each reader words its own refusal.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

MAX_ENTRIES = 1000
MAX_UNCOMPRESSED_BYTES = 500 * 1024 * 1024  # an uploaded sheet, unpacked
MAX_RATIO = 200  # uncompressed / compressed, for entries over BIG_ENTRY
BIG_ENTRY = 1024 * 1024
# A DOCX's body is verbose XML: it may unpack to this multiple of the document byte limit, no more
# (lxml would otherwise exhaust memory on a bomb).
DOCX_EXPANSION = 8


@dataclass(frozen=True, slots=True)
class ZipLimits:
    """How far an archive may unpack."""

    max_uncompressed_bytes: int = MAX_UNCOMPRESSED_BYTES
    max_entries: int = MAX_ENTRIES
    max_ratio: int = MAX_RATIO


@dataclass(frozen=True, slots=True)
class ZipBomb:
    """Why an archive is refused: ``reason`` is ``entries``, ``size`` or ``ratio``."""

    reason: str
    entries: int
    total: int  # uncompressed bytes of every entry


def docx_limits(max_bytes: int) -> ZipLimits:
    """The limits for a Word document whose file may be ``max_bytes`` long."""
    return ZipLimits(max_uncompressed_bytes=DOCX_EXPANSION * max_bytes)


def zip_entries(source: Path | bytes) -> list[zipfile.ZipInfo] | None:
    """The archive's entries as its directory declares them (nothing unpacked); None when it is not a ZIP."""
    try:
        with zipfile.ZipFile(source if isinstance(source, Path) else io.BytesIO(source)) as archive:
            return archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        return None


def zip_bomb(entries: Sequence[zipfile.ZipInfo], limits: ZipLimits = ZipLimits()) -> ZipBomb | None:
    """None when the archive unpacks to a plausible size; otherwise why it is refused."""
    total = sum(i.file_size for i in entries)
    if len(entries) > limits.max_entries:
        return ZipBomb("entries", len(entries), total)
    if total > limits.max_uncompressed_bytes:
        return ZipBomb("size", len(entries), total)
    if any(i.file_size > BIG_ENTRY and i.file_size > limits.max_ratio * max(i.compress_size, 1) for i in entries):
        return ZipBomb("ratio", len(entries), total)
    return None


__all__ = [
    "BIG_ENTRY",
    "DOCX_EXPANSION",
    "MAX_ENTRIES",
    "MAX_RATIO",
    "MAX_UNCOMPRESSED_BYTES",
    "ZipBomb",
    "ZipLimits",
    "docx_limits",
    "zip_bomb",
    "zip_entries",
]
