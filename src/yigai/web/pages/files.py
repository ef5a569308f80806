"""Files in and out of the pages: downloads with safe Chinese file names, uploads into a temporary folder."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import UploadFile
from fastapi.responses import Response

from yigai.services.errors import InvalidInputError
from yigai.settings import EVIDENCE_CONTENT_TYPES
from yigai.web.files import download

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MEDIA_TYPES = {
    **EVIDENCE_CONTENT_TYPES,
    ".xlsx": XLSX,
    ".docx": DOCX,
    ".html": "text/html; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".pdf": "application/pdf",
    ".txt": "text/plain; charset=utf-8",
}
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def safe_filename(name: str, default: str = "download") -> str:
    """A file name without path separators, control or reserved characters (Windows' list)."""
    cleaned = _UNSAFE.sub("_", Path(name).name).strip(" .")
    return cleaned[:150] or default


def attachment(data: bytes, filename: str, media_type: str | None = None, *, inline: bool = False) -> Response:
    """A download; the Chinese name goes in ``filename*`` (RFC 6266/5987), an ASCII fallback in ``filename``.

    Without ``media_type`` the type comes from the extension.
    """
    suffix = Path(safe_filename(filename)).suffix.lower()
    response = download(
        data, filename, media_type or MEDIA_TYPES.get(suffix, "application/octet-stream"), inline=inline
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def produce(filename: str, write: Callable[[Path], object]) -> bytes:
    """Let ``write`` create a file in a temporary folder and return its bytes."""
    with tempfile.TemporaryDirectory(prefix="yigai-") as folder:
        path = Path(folder) / safe_filename(filename)
        write(path)
        return path.read_bytes()


@contextmanager
def saved_upload(upload: UploadFile, allowed: tuple[str, ...], max_bytes: int, what: str) -> Iterator[Path]:
    """The uploaded file saved under its (cleaned) name in a temporary folder, after checking type and size."""
    name = safe_filename(upload.filename or "", "")
    suffix = Path(name).suffix.lower()
    if not name or suffix not in allowed:
        raise InvalidInputError(
            f"{what}: expected {' '.join(allowed)}, got {name or '(no file)'}",
            message_zh=f"请选择{what}（{' '.join(allowed)}）",
            where="file",
        )
    data = upload.file.read(max_bytes + 1)
    if not data:
        raise InvalidInputError(f"{name} is empty", message_zh=f"{name} 是空文件", where="file")
    if len(data) > max_bytes:
        raise InvalidInputError(
            f"{name} is larger than {max_bytes} bytes",
            message_zh=f"{name} 超过上限 {max_bytes // 1048576} MiB",
            where="file",
        )
    with tempfile.TemporaryDirectory(prefix="yigai-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        yield path
