"""read_document: encodings, line breaks, bad input, .docx and .pdf text extraction."""

from __future__ import annotations

import codecs
import contextlib
import os
import random
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yigai.domain.errors import (
    BinaryDocumentError,
    DocumentError,
    DocumentTooLargeError,
    EmptyDocumentError,
    UnsupportedFormatError,
)
from yigai.parsing.extract import SourceDocument, read_document

from .conftest import pdf_file

SEEDS_DIR = Path(__file__).resolve().parents[2] / "src" / "yigai" / "data" / "seeds"
SEEDS = sorted(SEEDS_DIR.glob("*.txt"))


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_five_seeds_are_present() -> None:
    assert len(SEEDS) == 5


# --- encodings --------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
@pytest.mark.parametrize(
    "encoding",
    ["utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-le", "utf-16-be"],
)
def test_seed_decodes_identically_in_every_encoding(tmp_path: Path, seed: Path, encoding: str) -> None:
    """The same seed saved in another encoding must give exactly the UTF-8 text."""
    expected = seed.read_text("utf-8")
    path = _write(tmp_path, "seed.txt", expected.encode(encoding))
    doc = read_document(path)
    assert doc.text == expected
    assert doc.format == "txt"
    assert doc.name == "seed.txt"


def test_gbk_and_gb2312_are_read_as_gb18030(tmp_path: Path) -> None:
    text = "关于深化医药卫生体制改革的实施方案\n家庭医生签约覆盖率≥80%\n"
    for encoding in ("gbk", "gb2312"):
        assert read_document(_write(tmp_path, f"{encoding}.txt", text.encode(encoding))).text == text


def test_utf16_with_bom_has_bom_stripped(tmp_path: Path) -> None:
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        path = _write(tmp_path, "u16.txt", bom + "一、总体要求\n".encode(codec))
        assert read_document(path).text == "一、总体要求\n"


def test_utf8_bom_is_stripped(tmp_path: Path) -> None:
    path = _write(tmp_path, "bom.md", codecs.BOM_UTF8 + "# 标题\n正文".encode())
    doc = read_document(path)
    assert doc.text == "# 标题\n正文"
    assert doc.format == "md"


def test_big5_is_not_misread_as_gb18030(tmp_path: Path) -> None:
    """Big5 bytes are valid GB18030 but decode to Private Use garbage; detection overrules."""
    text = "中文醫改方案，這是一個測試文件。"
    assert read_document(_write(tmp_path, "big5.txt", text.encode("big5"))).text == text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"a\r\nb\r\nc", "a\nb\nc"),
        (b"a\rb\rc", "a\nb\nc"),
        (b"a\r\n\r\nb\n", "a\n\nb\n"),
        ("一、\r\n（一）\r二\u2028三".encode(), "一、\n（一）\n二\n三"),
    ],
)
def test_line_breaks_become_lf(tmp_path: Path, raw: bytes, expected: str) -> None:
    assert read_document(_write(tmp_path, "crlf.txt", raw)).text == expected


def test_crlf_gb18030_seed(tmp_path: Path) -> None:
    expected = SEEDS[0].read_text("utf-8")
    path = _write(tmp_path, "crlf.txt", expected.replace("\n", "\r\n").encode("gb18030"))
    assert read_document(path).text == expected


def test_extension_is_case_insensitive(tmp_path: Path) -> None:
    assert read_document(_write(tmp_path, "PLAN.TXT", "方案".encode())).format == "txt"


# --- bad input --------------------------------------------------------------------


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(EmptyDocumentError) as info:
        read_document(_write(tmp_path, "empty.txt", b""))
    assert info.value.where == "empty.txt"
    assert info.value.message_zh


@pytest.mark.parametrize("raw", [b"   \n\t\n", "\u3000\u3000\r\n".encode(), codecs.BOM_UTF8 + b"\n"])
def test_whitespace_only(tmp_path: Path, raw: bytes) -> None:
    with pytest.raises(EmptyDocumentError):
        read_document(_write(tmp_path, "blank.txt", raw))


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.mark.parametrize(
    "raw",
    [
        PNG,
        random.Random(7).randbytes(4096) + b"\x00\x00",
        bytes(range(256)) * 4,
        b"abc\x01\x02\x03\x04\x05\x06",
        b"PK\x03\x04\x14\x00\x00\x00",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64,
    ],
    ids=["png", "random-with-nul", "all-bytes", "controls", "zip", "ole2"],
)
def test_binary_content_is_refused(tmp_path: Path, raw: bytes) -> None:
    with pytest.raises(BinaryDocumentError) as info:
        read_document(_write(tmp_path, "image.txt", raw))
    assert info.value.where == "image.txt"


@pytest.mark.parametrize("name", ["plan.doc", "plan.xlsx", "plan.html", "plan"])
def test_unsupported_extension(tmp_path: Path, name: str) -> None:
    with pytest.raises(UnsupportedFormatError) as info:
        read_document(_write(tmp_path, name, "方案".encode()))
    assert info.value.where == name
    assert ".docx" in str(info.value)


def test_too_large(tmp_path: Path) -> None:
    path = _write(tmp_path, "big.txt", "医改".encode() * 100)
    assert read_document(path, max_bytes=600).text
    with pytest.raises(DocumentTooLargeError):
        read_document(path, max_bytes=599)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="not found") as info:
        read_document(tmp_path / "nowhere.txt")
    assert info.value.where == "nowhere.txt"
    assert info.value.message_zh == "文件不存在"


def test_directory_is_not_a_file(tmp_path: Path) -> None:
    (tmp_path / "dir.txt").mkdir()
    with pytest.raises(DocumentError):
        read_document(tmp_path / "dir.txt")


def test_every_error_is_bilingual(tmp_path: Path) -> None:
    with pytest.raises(DocumentError) as info:
        read_document(_write(tmp_path, "x.txt", b""))
    assert "x.txt" in info.value.bilingual()
    assert info.value.message_zh in info.value.bilingual()


# --- .docx ------------------------------------------------------------------------


def test_docx_paragraphs_bold_lead_and_table_in_order(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("一、总体要求", level=1)
    lead = document.add_paragraph()
    lead.add_run("推进公立医院").bold = True
    lead.add_run("高质量发展。").bold = True  # Word splits runs; they merge into one phrase
    lead.add_run("其余正文")
    document.add_paragraph("")  # empty paragraphs leave no extra blank lines
    table = document.add_table(rows=3, cols=3)
    for col, text in enumerate(["指标", "目标值", "属性"]):
        table.cell(0, col).text = text
    table.cell(1, 0).text = "每千常住人口床位数\n（张）"
    table.cell(1, 1).text = "7.48"
    table.cell(1, 2).text = "预期性"
    table.cell(2, 0).merge(table.cell(2, 1)).text = "合并单元格"
    table.cell(2, 2).text = "约束性"
    document.add_paragraph("（一）表后正文。")
    path = tmp_path / "plan.docx"
    document.save(str(path))

    doc = read_document(path)
    assert doc == SourceDocument(
        name="plan.docx",
        format="docx",
        text=(
            "一、总体要求\n\n"
            "**推进公立医院高质量发展。**其余正文\n\n"
            "指标\t目标值\t属性\n"
            "每千常住人口床位数 （张）\t7.48\t预期性\n"
            "合并单元格\t约束性\n\n"
            "（一）表后正文。"
        ),
    )


def test_docx_vertical_merge_leaves_continuation_cells_blank(tmp_path: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=3, cols=2)
    table.cell(0, 0).merge(table.cell(2, 0)).text = "主要任务"
    for row in range(3):
        table.cell(row, 1).text = f"措施{row + 1}"
    path = tmp_path / "merge.docx"
    document.save(str(path))
    assert read_document(path).text == "主要任务\t措施1\n\t措施2\n\t措施3"


def test_docx_bold_character_style_and_spacing(tmp_path: Path) -> None:
    document = docx.Document()
    para = document.add_paragraph("（1）")
    para.add_run(" 强化监测评估。").style = "Strong"
    para.add_run("每年评估。")
    path = tmp_path / "strong.docx"
    document.save(str(path))
    assert read_document(path).text == "（1） **强化监测评估。**每年评估。"


@pytest.mark.parametrize(
    "raw",
    [b"not a zip at all", b"PK\x03\x04garbage", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512],
    ids=["text", "broken-zip", "legacy-doc"],
)
def test_corrupt_docx(tmp_path: Path, raw: bytes) -> None:
    with pytest.raises(DocumentError) as info:
        read_document(_write(tmp_path, "bad.docx", raw))
    assert info.value.where == "bad.docx"
    assert ".doc" in str(info.value)


def test_zip_that_is_not_word(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "other.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(DocumentError, match="not a Word document"):
        read_document(path)


def test_a_docx_zip_bomb_is_refused_by_the_one_guard(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Word-looking archive under 1 MiB whose body unpacks to 64 MiB: refused by ``yigai.zipguard``
    (the guard the XLSX reader uses) before python-docx sees it."""
    import zipfile

    from yigai import tabular, zipguard
    from yigai.parsing import extract

    assert extract.zip_bomb is zipguard.zip_bomb is tabular.zip_bomb
    seen: list[zipguard.ZipBomb | None] = []

    def spy(entries: list[zipfile.ZipInfo], limits: zipguard.ZipLimits) -> zipguard.ZipBomb | None:
        seen.append(zipguard.zip_bomb(entries, limits))
        return seen[-1]

    monkeypatch.setattr(extract, "zip_bomb", spy)
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as entry:
            for _ in range(64):
                entry.write(bytes(1024 * 1024))
    assert path.stat().st_size < 1024 * 1024
    with pytest.raises(DocumentTooLargeError, match="expands to more than") as info:
        read_document(path)
    assert info.value.where == "bomb.docx"
    assert [b.reason for b in seen if b is not None] == ["ratio"]


def test_docx_without_text_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "blank.docx"
    docx.Document().save(str(path))
    with pytest.raises(EmptyDocumentError):
        read_document(path)


# --- .pdf -------------------------------------------------------------------------


def build_pdf(lines: list[str], *, encrypt: bool = False) -> bytes:
    """A one-page PDF written by hand: Helvetica (a standard Type1 font), ASCII text.

    With ``encrypt`` the trailer names a standard security handler whose user
    password is not empty, so the file cannot be opened without one.
    """
    ops = ["BT", "/F1 12 Tf", "14 TL", "72 720 Td"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"({escaped}) Tj T*")
    ops.append("ET")
    stream = "\n".join(ops).encode("ascii") if lines else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]"
        b" /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    if encrypt:
        objects.append(b"<< /Filter /Standard /V 1 /R 2 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32 + b"> /P -4 >>")
    trailer = b" /Encrypt %d 0 R /ID [<%s> <%s>]" % (len(objects), b"ab" * 16, b"ab" * 16) if encrypt else b""
    return pdf_file(objects, head=b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", trailer=trailer)


def test_pdf_text_layer(tmp_path: Path) -> None:
    path = _write(tmp_path, "plan.pdf", build_pdf(["Health reform work plan", "1. Family doctor coverage (80%)"]))
    doc = read_document(path)
    assert doc.format == "pdf"
    assert doc.text == "Health reform work plan\n1. Family doctor coverage (80%)\n"


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    with pytest.raises(EmptyDocumentError, match="no text layer") as info:
        read_document(_write(tmp_path, "scan.pdf", build_pdf([])))
    assert "OCR" in info.value.message_zh


def test_encrypted_pdf(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="encrypted"):
        read_document(_write(tmp_path, "locked.pdf", build_pdf(["secret"], encrypt=True)))


@pytest.mark.parametrize(
    "raw",
    [build_pdf(["truncated"])[:200], b"%PDF-1.4\nnothing here", b"plain text, no header"],
    ids=["truncated", "no-objects", "not-pdf"],
)
def test_corrupt_pdf(tmp_path: Path, raw: bytes) -> None:
    with pytest.raises(DocumentError) as info:
        read_document(_write(tmp_path, "bad.pdf", raw))
    assert type(info.value) is DocumentError
    assert info.value.where == "bad.pdf"


# --- properties -------------------------------------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    raw=st.one_of(
        st.binary(max_size=2048),
        st.text(max_size=512).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.text(max_size=512).map(lambda t: t.encode("utf-16", "surrogatepass")),
        st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), max_size=256).map(
            lambda t: t.encode("gb18030")
        ),
    )
)
def test_arbitrary_bytes_raise_only_document_errors(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "any.txt"
    path.write_bytes(raw)
    try:
        doc = read_document(path)
    except DocumentError:
        return
    assert doc.text.strip()
    assert "\r" not in doc.text
    assert not doc.text.startswith("\ufeff")


def _sample_docx() -> bytes:
    import io

    document = docx.Document()
    document.add_paragraph("一、总体要求")
    document.add_paragraph().add_run("推进公立医院高质量发展。").bold = True
    document.add_table(rows=2, cols=2).cell(0, 0).text = "指标"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


SAMPLE_DOCX = _sample_docx()
SAMPLE_PDF = build_pdf(["Health reform", "(80%)"])


@st.composite
def _damaged(draw: st.DrawFn, original: bytes) -> bytes:
    """A valid file with a few bytes overwritten and possibly truncated."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 8))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data[: draw(st.integers(1, len(data)))])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(docx_raw=_damaged(SAMPLE_DOCX), pdf_raw=_damaged(SAMPLE_PDF))
def test_damaged_docx_and_pdf_raise_only_document_errors(tmp_path: Path, docx_raw: bytes, pdf_raw: bytes) -> None:
    for name, data in (("any.docx", docx_raw), ("any.pdf", pdf_raw)):
        path = tmp_path / name
        path.write_bytes(data)
        with contextlib.suppress(DocumentError):
            read_document(path)


def test_unreadable_file(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can read any file")
    path = _write(tmp_path, "secret.txt", "方案".encode())
    path.chmod(0)
    with pytest.raises(DocumentError, match="permission"):
        read_document(path)
