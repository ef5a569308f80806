"""Files in and out of the web app: uploads to a private temporary folder, downloads with safe names.

An upload is read in chunks and refused past its limit; it is written under a fresh
temporary folder with a cleaned name (no folders, no control characters, the
extension kept), handed to a service as a path, and deleted afterwards. A download
names its file with RFC 6266 ``filename*`` so that Chinese names survive.
"""

from __future__ import annotations

import re
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from fastapi import UploadFile
from fastapi.responses import Response

from yigai.services.errors import InvalidInputError

CHUNK = 1024 * 1024
MAX_NAME = 120
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


class UploadRejectedError(InvalidInputError):
    message_zh = "上传文件不符合要求"


def safe_filename(name: str | None, default: str = "upload") -> str:
    """The last component of ``name`` without characters a file system or a shell would misread."""
    text = unicodedata.normalize("NFC", (name or "").replace("\\", "/").split("/")[-1])
    text = _UNSAFE.sub("_", text).strip(" .")
    if not text:
        return default
    stem, dot, ext = text.rpartition(".")
    if dot and len(ext) <= 10:
        return stem[: MAX_NAME - len(ext) - 1] + "." + ext if stem else default + "." + ext
    return text[:MAX_NAME]


async def read_upload(upload: UploadFile, max_bytes: int, *, field: str = "file") -> bytes:
    """The bytes of an upload, refusing it once it passes ``max_bytes``."""
    chunks: list[bytes] = []
    size = 0
    while chunk := await upload.read(CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise UploadRejectedError(
                f"{upload.filename or field} is larger than {max_bytes} bytes",
                message_zh=f"文件「{safe_filename(upload.filename)}」超过 {max_bytes // (1024 * 1024)} MiB 上限",
                where=field,
            )
        chunks.append(chunk)
    return b"".join(chunks)


def check_extension(filename: str, allowed: tuple[str, ...], field: str = "file") -> None:
    suffix = Path(filename).suffix.lower()
    if suffix not in allowed:
        raise UploadRejectedError(
            f"{filename}: only {', '.join(allowed)} files are accepted",
            message_zh=f"文件「{filename}」类型不支持（仅支持 {'、'.join(allowed)}）",
            where=field,
        )


@contextmanager
def saved_upload(data: bytes, filename: str) -> Iterator[Path]:
    """``data`` as a file named ``filename`` in a private temporary folder, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="yigai-upload-") as folder:
        path = Path(folder) / safe_filename(filename)
        path.write_bytes(data)
        yield path


@contextmanager
def scratch_file(filename: str) -> Iterator[Path]:
    """A path to write a download to, in a private temporary folder removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="yigai-download-") as folder:
        yield Path(folder) / safe_filename(filename)


def ascii_filename(name: str) -> str:
    """The ``filename=`` fallback for clients without RFC 5987: ASCII only, the extension kept.

    ``2026年Q4台账.xlsx`` → ``2026_Q4.xlsx``; ``工作台账.xlsx`` → ``download.xlsx``.
    """
    stem, dot, ext = name.rpartition(".")
    if not dot or not ext.isascii() or len(ext) > 10:
        stem, ext = name, ""
    plain = re.sub(r"[^\x20-\x7e]+|[\"%;\\]+", "_", stem)
    plain = re.sub(r"_+", "_", plain).strip("_ .") or "download"
    return f"{plain}.{ext}" if ext else plain


def disposition(filename: str, *, inline: bool = False) -> str:
    """Content-Disposition per RFC 6266: ``filename*=UTF-8''…`` (RFC 5987) and an ASCII ``filename``."""
    name = safe_filename(filename, "download")
    return (
        f'{"inline" if inline else "attachment"}; filename="{ascii_filename(name)}"; '
        f"filename*=UTF-8''{quote(name, safe='')}"
    )


def download(data: bytes, filename: str, media_type: str, *, inline: bool = False) -> Response:
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": disposition(filename, inline=inline), "X-Content-Type-Options": "nosniff"},
    )
