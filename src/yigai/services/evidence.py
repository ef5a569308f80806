"""Evidence files for progress reports: checked, stored content-addressed, recorded once.

A file is accepted when its extension is one of ``EVIDENCE_CONTENT_TYPES``, its
bytes look like that kind of file (a renamed .exe is not a PDF), and it is no
larger than ``MAX_EVIDENCE_BYTES``. The content type is taken from the
extension, never from what a client claims.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from yigai.domain.errors import NotFoundError
from yigai.domain.reports import Evidence
from yigai.domain.users import User
from yigai.services.errors import EvidenceRejectedError
from yigai.settings import EVIDENCE_CONTENT_TYPES, MAX_EVIDENCE_BYTES
from yigai.storage.evidence_store import EvidenceStore
from yigai.storage.uow import UnitOfWork

_ZIP, _OLE = (b"PK\x03\x04",), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF-",),
    ".ofd": _ZIP,
    ".docx": _ZIP,
    ".xlsx": _ZIP,
    ".doc": _OLE,
    ".xls": _OLE,
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
}
MAX_FILENAME = 255


@dataclass(frozen=True, slots=True)
class EvidenceUpload:
    """A file as received: its name and bytes (the CLI reads a path, the web app a request)."""

    filename: str
    data: bytes

    @classmethod
    def from_path(cls, path: Path) -> EvidenceUpload:
        try:
            return cls(path.name, path.read_bytes())
        except OSError as exc:
            raise EvidenceRejectedError(
                f"cannot read {path}: {exc.strerror}", message_zh="无法读取佐证材料文件", where=str(path)
            ) from exc


def _is_text(data: bytes) -> bool:
    if b"\x00" in data[:8192]:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            data.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def check_upload(upload: EvidenceUpload, max_bytes: int = MAX_EVIDENCE_BYTES) -> str:
    """The content type of an acceptable file; EvidenceRejectedError naming the file otherwise."""
    name = Path(upload.filename).name
    suffix = Path(name).suffix.lower()
    if not name or len(name) > MAX_FILENAME:
        raise EvidenceRejectedError(
            "the file name is empty or too long", message_zh="文件名为空或过长", where="evidence"
        )
    if suffix not in EVIDENCE_CONTENT_TYPES:
        allowed = " ".join(sorted(EVIDENCE_CONTENT_TYPES))
        raise EvidenceRejectedError(
            f"{name}: type {suffix or '(none)'} is not accepted ({allowed})",
            message_zh=f"{name}：不接受此类型的文件（可用 {allowed}）",
            where="evidence",
        )
    size = len(upload.data)
    if size == 0:
        raise EvidenceRejectedError(f"{name} is empty", message_zh=f"{name} 是空文件", where="evidence")
    if size > max_bytes:
        raise EvidenceRejectedError(
            f"{name} is {size} bytes; the limit is {max_bytes}",
            message_zh=f"{name} 大小 {size / 1048576:.1f} MiB，超过上限 {max_bytes / 1048576:.0f} MiB",
            where="evidence",
        )
    signatures = _SIGNATURES.get(suffix)
    looks_right = _is_text(upload.data) if signatures is None else upload.data.startswith(signatures)
    if not looks_right:
        raise EvidenceRejectedError(
            f"{name} does not contain what a {suffix} file contains",
            message_zh=f"{name} 的内容与扩展名 {suffix} 不符",
            where="evidence",
        )
    return EVIDENCE_CONTENT_TYPES[suffix]


def check_uploads(uploads: Sequence[EvidenceUpload], max_bytes: int = MAX_EVIDENCE_BYTES) -> list[str]:
    """Check every upload before anything is stored."""
    return [check_upload(u, max_bytes) for u in uploads]


def store_uploads(
    uow: UnitOfWork,
    user: User,
    store: EvidenceStore,
    uploads: Sequence[EvidenceUpload],
    *,
    now: dt.datetime | None = None,
    max_bytes: int = MAX_EVIDENCE_BYTES,
) -> list[Evidence]:
    """Store checked uploads and record them (inside an open unit of work); each content once."""
    types = check_uploads(uploads, max_bytes)
    stored: list[Evidence] = []
    for upload, content_type in zip(uploads, types, strict=True):
        sha = store.put(upload.data)
        ev = Evidence(sha, Path(upload.filename).name, len(upload.data), content_type)
        if uow.reports.add_evidence(ev, created_by=user.username, created_at=now):
            uow.audit.record(user.username, "evidence.add", "evidence_file", sha, after=ev, at=now)
        stored.append(ev)
    return stored


_SHA256 = re.compile(r"[0-9a-f]{64}")


def read_evidence(uow: UnitOfWork, store: EvidenceStore, sha256: str) -> tuple[Evidence, bytes]:
    """A stored evidence file attached to some report, by its SHA-256: metadata (with the name
    it was uploaded with) and bytes. Anything that is not a lowercase hex digest is not found,
    so no path can be smuggled in."""
    missing = NotFoundError(f"no evidence file {sha256[:80]!r}", message_zh="佐证材料不存在", where="sha256")
    if not _SHA256.fullmatch(sha256):
        raise missing
    with uow:
        ev = uow.reports.evidence(sha256)
        name = uow.reports.evidence_filename(sha256) if ev is not None else None
    if ev is None or name is None or not store.exists(sha256):
        raise missing
    return Evidence(ev.sha256, name, ev.size, ev.content_type), store.read(sha256)
