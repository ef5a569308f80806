"""The range of a stored integer: ids, versions, page numbers.

Every integer column is a PostgreSQL ``integer`` (SQLite holds 64 bits; the smaller range
rules), so a number outside 0..2**31-1 names nothing that can exist. Checking it at the edge
keeps such a number from reaching the driver, which fails with an overflow instead of "not found".
"""

from __future__ import annotations

import unicodedata

MAX_STORED_INT = 2**31 - 1


def parse_id(text: str | int) -> int | None:
    """``"12"`` (or full-width ``"１２"``, or 12) → 12; anything else, or a number beyond the stored range → None."""
    if isinstance(text, int):
        return text if 0 <= text <= MAX_STORED_INT else None
    digits = unicodedata.normalize("NFKC", text).strip()
    if not digits.isascii() or not digits.isdigit() or len(digits) > len(str(MAX_STORED_INT)):
        return None
    value = int(digits)
    return value if value <= MAX_STORED_INT else None
