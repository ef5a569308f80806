"""Check an uploaded .xlsx before openpyxl unpacks it: a real workbook, not a zip bomb.

An .xlsx is a zip archive; a small file can unpack to gigabytes. Every importer that opens a
workbook (progress templates, value sheets, record files) asks :func:`xlsx_problem` first.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

MAX_ENTRIES = 1000
MAX_RATIO = 200  # uncompressed / compressed, for entries over 1 MiB
_BIG_ENTRY = 1024 * 1024


def xlsx_problem(path: Path, *, max_file_bytes: int, max_uncompressed_bytes: int) -> tuple[str, str] | None:
    """None for a plausible workbook; otherwise (Chinese, English) saying what is wrong."""
    not_xlsx = ("文件不是 Excel（.xlsx）文件", "the file is not an Excel (.xlsx) workbook")
    try:
        size = path.stat().st_size
    except OSError as exc:
        return "无法读取文件", f"cannot read the file: {exc.strerror or exc}"
    if size > max_file_bytes:
        return (f"文件过大（{size} 字节，上限 {max_file_bytes} 字节）",
                f"the file is too large ({size} bytes, limit {max_file_bytes})")
    if not zipfile.is_zipfile(path):
        return not_xlsx
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return not_xlsx
    total = sum(i.file_size for i in infos)
    if (len(infos) > MAX_ENTRIES or total > max_uncompressed_bytes
            or any(i.file_size > _BIG_ENTRY and i.file_size > MAX_RATIO * max(i.compress_size, 1) for i in infos)):
        return (f"压缩包解压后过大或压缩比异常（{len(infos)} 个文件，共 {total} 字节），拒绝读取",
                f"refused: the archive unpacks to an absurd size or ratio ({len(infos)} entries, {total} bytes)")
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        return not_xlsx
    return None
