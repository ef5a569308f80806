"""The one zip-bomb guard (XLSX and DOCX readers): entries, unpacked size and ratio, limits in one place."""

from __future__ import annotations

import zipfile
from pathlib import Path

from yigai.zipguard import DOCX_EXPANSION, MAX_ENTRIES, ZipLimits, docx_limits, zip_bomb, zip_entries


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def test_a_plain_archive_passes(tmp_path: Path) -> None:
    entries = zip_entries(_zip(tmp_path / "a.zip", {"a.txt": b"hello", "b.txt": bytes(range(256)) * 100}))
    assert entries is not None and [e.filename for e in entries] == ["a.txt", "b.txt"]
    assert zip_bomb(entries) is None


def test_not_a_zip_has_no_entries(tmp_path: Path) -> None:
    assert zip_entries(b"not a zip") is None
    assert zip_entries(b"PK\x03\x04garbage") is None
    (tmp_path / "x.zip").write_bytes(b"plain text")
    assert zip_entries(tmp_path / "x.zip") is None


def test_each_limit_refuses(tmp_path: Path) -> None:
    many = zip_entries(_zip(tmp_path / "many.zip", {f"{n}.txt": b"" for n in range(MAX_ENTRIES + 1)}))
    assert many is not None and (bomb := zip_bomb(many)) is not None and bomb.reason == "entries"
    packed = zip_entries(_zip(tmp_path / "ratio.zip", {"zeros": bytes(2 * 1024 * 1024)}))
    assert packed is not None and (bomb := zip_bomb(packed)) is not None and bomb.reason == "ratio"
    assert bomb.total == 2 * 1024 * 1024 and bomb.entries == 1
    big = zip_bomb(packed, ZipLimits(max_uncompressed_bytes=1024 * 1024))
    assert big is not None and big.reason == "size"


def test_docx_limits_follow_the_document_limit() -> None:
    assert docx_limits(1000).max_uncompressed_bytes == DOCX_EXPANSION * 1000
    assert docx_limits(1000).max_ratio == ZipLimits().max_ratio
