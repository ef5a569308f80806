"""Evidence files: content-addressed storage, size and type limits, carried across versions."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from yigai.services.errors import EvidenceRejectedError
from yigai.services.evidence import EvidenceUpload, check_upload
from yigai.services.reports import report_history, save_report
from yigai.settings import MAX_EVIDENCE_BYTES
from yigai.storage.evidence_store import EvidenceStore

from .conftest import Loop

PDF = b"%PDF-1.7\n" + "会议纪要".encode() * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_the_store_is_content_addressed(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path / "evidence")
    sha = store.put(PDF)
    assert sha == hashlib.sha256(PDF).hexdigest()
    assert store.path_for(sha) == tmp_path / "evidence" / sha[:2] / sha[2:]
    assert store.read(sha) == PDF
    assert store.put(PDF) == sha  # stored once
    assert [p for p in (tmp_path / "evidence").rglob("*") if p.is_file()] == [store.path_for(sha)]
    with pytest.raises(ValueError):
        store.path_for("../../etc/passwd")


@pytest.mark.parametrize(
    ("name", "data", "fragment"),
    [
        ("会议纪要.exe", b"MZ" + b"\x00" * 10, "type .exe"),
        ("无扩展名", b"text", "type (none)"),
        ("空文件.pdf", b"", "empty"),
        ("伪装.pdf", b"MZ\x90\x00 not a pdf", "does not contain"),
        ("伪装.docx", PDF, "does not contain"),
        ("二进制.txt", b"\x00\x01\x02", "does not contain"),
    ],
)
def test_unacceptable_files_are_refused(name: str, data: bytes, fragment: str) -> None:
    with pytest.raises(EvidenceRejectedError, match=fragment.replace("(", r"\(").replace(")", r"\)")) as err:
        check_upload(EvidenceUpload(name, data))
    assert err.value.where == "evidence"


def test_accepted_types_and_the_size_limit() -> None:
    assert check_upload(EvidenceUpload("a.pdf", PDF)) == "application/pdf"
    assert check_upload(EvidenceUpload("照片.PNG", PNG)) == "image/png"
    assert check_upload(EvidenceUpload("说明.txt", "进展说明".encode("gb18030"))) == "text/plain"
    assert check_upload(EvidenceUpload("表.xlsx", b"PK\x03\x04rest")).endswith("spreadsheetml.sheet")
    assert MAX_EVIDENCE_BYTES == 20 * 1024 * 1024
    with pytest.raises(EvidenceRejectedError, match="limit is 100"):
        check_upload(EvidenceUpload("a.pdf", PDF), max_bytes=100)


def test_evidence_is_stored_once_and_carried_to_later_versions(loop: Loop) -> None:
    uow = loop.app.uow
    save_report(
        uow(),
        loop.health,
        1,
        "T4.M2",
        "2023Q4",
        "区卫生健康委",
        "推进中",
        40,
        store=loop.store,
        evidence=[EvidenceUpload("专家委员会名单.pdf", PDF)],
    )
    save_report(
        uow(),
        loop.health,
        1,
        "T4.M2",
        "2023Q4",
        "区卫生健康委",
        "推进中",
        60,
        store=loop.store,
        evidence=[EvidenceUpload("演练照片.png", PNG), EvidenceUpload("名单副本.pdf", PDF)],
    )
    save_report(
        uow(),
        loop.health,
        1,
        "T4.M3",
        "2023Q4",
        "区卫生健康委",
        "推进中",
        60,
        store=loop.store,
        evidence=[EvidenceUpload("同一份名单.pdf", PDF)],
    )
    first, second = report_history(uow(), 1, "T4.M2", "2023Q4")
    assert [e.filename for e in first.evidence] == ["专家委员会名单.pdf"]
    assert [e.filename for e in second.evidence] == ["专家委员会名单.pdf", "演练照片.png"]
    assert second.evidence[0].sha256 == hashlib.sha256(PDF).hexdigest() and second.evidence[0].size == len(PDF)
    files = [p for p in loop.store.root.rglob("*") if p.is_file()]
    assert len(files) == 2  # the PDF once, the PNG once
    with uow() as u:
        assert [e.action for e in u.audit.entries(entity="evidence_file")] == ["evidence.add", "evidence.add"]


def test_a_report_with_a_bad_file_saves_nothing_and_stores_nothing(loop: Loop) -> None:
    with pytest.raises(EvidenceRejectedError):
        save_report(
            loop.app.uow(),
            loop.health,
            1,
            "T4.M2",
            "2023Q4",
            "区卫生健康委",
            "推进中",
            40,
            store=loop.store,
            evidence=[EvidenceUpload("ok.pdf", PDF), EvidenceUpload("bad.exe", b"MZ")],
        )
    assert not loop.store.root.exists() or not any(p.is_file() for p in loop.store.root.rglob("*"))
    with loop.app.uow() as uow:
        assert uow.reports.count_for_plan(1) == 0
