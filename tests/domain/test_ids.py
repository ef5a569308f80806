"""A number from a request names a stored row only within the database's integer range."""

from __future__ import annotations

import pytest

from yigai.domain.ids import MAX_STORED_INT, parse_id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        (" １２ ", 12),
        (7, 7),
        ("0", 0),
        (str(MAX_STORED_INT), MAX_STORED_INT),
        (str(MAX_STORED_INT + 1), None),
        ("623858392637407232000", None),
        ("-1", None),
        (-1, None),
        ("1e3", None),
        ("", None),
        ("T4", None),
        ("٣", None),
    ],
)
def test_parse_id(text: str | int, expected: int | None) -> None:
    assert parse_id(text) == expected
