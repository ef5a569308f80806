"""Read a policy document file (.txt, .md, .docx, .pdf) into plain text.

This is the only place that touches the file's bytes. Everything downstream
(normalisation, headings, provenance spans) works on the text returned here,
so the text is settled once: encoding detected rather than assumed, a leading
BOM removed, and every line break turned into ``\\n``. Bad input ends in a
``DocumentError`` subclass with an English message, a Chinese ``message_zh``
and ``where`` set to the file name, never in a library's own exception.

The heavy readers (python-docx, pdfplumber, charset-normalizer) are imported
when first needed, so importing this module stays cheap.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from yigai.domain.errors import (
    BinaryDocumentError,
    DocumentError,
    DocumentTooLargeError,
    EmptyDocumentError,
    EncodingError,
    UnsupportedFormatError,
)
from yigai.parsing.pdf import CELL_BREAKS, read_pdf
from yigai.zipguard import docx_limits, zip_bomb, zip_entries

DEFAULT_MAX_BYTES = 20 * 1024 * 1024

# Extension → format name. Anything else is refused before the file is read.
FORMATS: dict[str, str] = {".txt": "txt", ".md": "md", ".markdown": "md", ".docx": "docx", ".pdf": "pdf"}

# Longest BOM first: the UTF-32-LE BOM begins with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# C0 controls that never occur in prose (TAB, LF, VT, FF, CR are allowed), plus DEL.
_CONTROL_BYTES = bytes(b for b in [*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F])
# Above this share of control characters a "text" file is treated as binary.
_MAX_CONTROL_SHARE = 0.05
_CONTROL_CHARS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
# GB18030 reads its user-defined areas as Private Use code points; real documents have
# next to none, text in another encoding misread as GB18030 has many.
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
_MAX_PRIVATE_USE_SHARE = 0.01

# Every line-break form Python's str.splitlines() honours becomes "\n", so that
# offsets computed by splitting on "\n" and by splitlines() agree downstream.
_LINE_BREAKS = str.maketrans(
    {
        "\r": "\n",
        "\v": "\n",
        "\f": "\n",
        "\x1c": "\n",
        "\x1d": "\n",
        "\x1e": "\n",
        "\x85": "\n",
        "\u2028": "\n",
        "\u2029": "\n",
    }
)

# Signatures of common binary files, for a more helpful message than "binary".
_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image", "PNG 图片"),
    (b"\xff\xd8\xff", "a JPEG image", "JPEG 图片"),
    (b"GIF8", "a GIF image", "GIF 图片"),
    (b"%PDF-", "a PDF document (use the .pdf extension)", "PDF 文档（请使用 .pdf 扩展名）"),
    (b"PK\x03\x04", "a ZIP archive such as .docx or .xlsx", "ZIP 压缩包（如 .docx、.xlsx）"),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "a legacy Office file (.doc/.xls); save it as .docx",
        "旧版 Office 文件（.doc/.xls），请另存为 .docx",
    ),
    (b"\x7fELF", "an executable", "可执行文件"),
    (b"\x1f\x8b", "a gzip archive", "gzip 压缩包"),
    (b"Rar!", "a RAR archive", "RAR 压缩包"),
    (b"7z\xbc\xaf\x27\x1c", "a 7z archive", "7z 压缩包"),
)


@dataclass(frozen=True, slots=True)
class SourceDocument:
    """A document's text as the parser sees it; ``format`` is txt, md, docx or pdf."""

    name: str
    format: str
    text: str


def read_document(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> SourceDocument:
    """Read ``path`` into text, choosing the reader by its extension.

    Raises only DocumentError subclasses: missing or unreadable file, unsupported
    extension, more than ``max_bytes``, binary, undecodable, corrupt or empty content.
    """
    path = Path(path)
    where = path.name or str(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        _read_bytes(path, where, 0, probe=True)  # "file not found" beats "unsupported"
        hint = "; save it as .docx" if path.suffix.lower() in (".doc", ".wps") else ""
        raise UnsupportedFormatError(
            f"unsupported file type {path.suffix or '(no extension)'!r}: use .txt, .md, .docx or .pdf{hint}",
            message_zh=f"不支持的文件格式 {path.suffix or '（无扩展名）'}：请使用 .txt、.md、.docx 或 .pdf",
            where=where,
        )
    data = _read_bytes(path, where, max_bytes)
    if not data:
        raise EmptyDocumentError("the file is empty", message_zh="文件为空（0 字节）", where=where)
    readers: dict[str, Callable[[bytes, str, int], str]] = {
        "txt": _read_text,
        "md": _read_text,
        "docx": _read_docx,
        "pdf": read_pdf,
    }
    text = _normalise_breaks(readers[fmt](data, where, max_bytes))
    if not text.strip():
        if fmt == "pdf":
            raise EmptyDocumentError(
                "the PDF has no text layer (probably scanned); OCR is not supported",
                message_zh="PDF 没有文字层（可能是扫描件），不支持 OCR 识别",
                where=where,
            )
        raise EmptyDocumentError("the document contains no text", message_zh="文档没有文字内容", where=where)
    return SourceDocument(name=where, format=fmt, text=text)


def _read_bytes(path: Path, where: str, max_bytes: int, *, probe: bool = False) -> bytes:
    """Read at most ``max_bytes`` + 1 bytes so a huge file never lands in memory.

    With ``probe`` the file is only opened, to report a missing file as such.
    """
    try:
        with path.open("rb") as fh:
            if probe:
                return b""
            data = fh.read(max_bytes + 1)
    except FileNotFoundError as exc:
        raise DocumentError(f"file not found: {path}", message_zh="文件不存在", where=where) from exc
    except IsADirectoryError as exc:
        raise DocumentError(f"not a file but a directory: {path}", message_zh="不是文件而是目录", where=where) from exc
    except PermissionError as exc:
        raise DocumentError(f"permission denied: {path}", message_zh="没有读取权限", where=where) from exc
    except OSError as exc:
        raise DocumentError(
            f"cannot read {path}: {exc.strerror or exc}", message_zh="无法读取文件", where=where
        ) from exc
    if len(data) > max_bytes:
        raise DocumentTooLargeError(
            f"the file is larger than the limit of {_mib(max_bytes)}",
            message_zh=f"文件超过 {_mib(max_bytes)} 的上限",
            where=where,
        )
    return data


def _mib(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MiB" if n >= 1024 * 1024 else f"{n} bytes"


def _normalise_breaks(text: str) -> str:
    """Drop a leading BOM and make every line break a single "\\n" (CRLF counts once)."""
    text = text.removeprefix("\ufeff")
    return text.replace("\r\n", "\n").translate(_LINE_BREAKS)


# --- plain text -------------------------------------------------------------------


def _read_text(data: bytes, where: str, max_bytes: int) -> str:
    """Detect the encoding: BOM, then strict UTF-8, strict GB18030, then charset-normalizer.

    UTF-8 goes first because GB18030 rarely validates as UTF-8 while the reverse is
    common; GB18030 before the statistical guess because it is the usual non-UTF-8
    encoding of Chinese government documents (it includes GBK and GB2312).
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                raise EncodingError(
                    f"the file starts with a {codec.upper()} byte-order mark but is not valid {codec.upper()}",
                    message_zh=f"文件以 {codec.upper()} 字节顺序标记开头，但内容不是有效的 {codec.upper()} 编码",
                    where=where,
                ) from exc
            _refuse_control_text(text, where)
            return text
    _refuse_signature(data, where)
    if b"\x00" in data:
        utf16 = _bomless_utf16(data)
        if utf16 is None:
            raise BinaryDocumentError(
                "the file contains NUL bytes: it is binary, not text",
                message_zh="文件包含空字节（NUL），是二进制文件而不是文本",
                where=where,
            )
        _refuse_control_text(utf16, where)
        return utf16
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if controls > _MAX_CONTROL_SHARE * len(data):
        raise BinaryDocumentError(
            f"{controls} of {len(data)} bytes are control characters: the file is binary, not text",
            message_zh="文件中控制字符过多，是二进制文件而不是文本",
            where=where,
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    decoded: str | None
    try:
        decoded = data.decode("gb18030")
    except UnicodeDecodeError:
        decoded = None
    if decoded is None or _private_use_share(decoded) > _MAX_PRIVATE_USE_SHARE:
        # Big5 and other legacy encodings often validate as GB18030 but land in its
        # user-defined (Private Use) area: let the detector overrule that reading.
        guess = _guess_encoding(data)
        if guess is not None and (decoded is None or _private_use_share(guess) < _private_use_share(decoded)):
            decoded = guess
    if decoded is None:
        raise EncodingError(
            "cannot detect the text encoding (tried UTF-8, GB18030 and detection); save the file as UTF-8",
            message_zh="无法识别文本编码（已尝试 UTF-8、GB18030 和自动检测），请另存为 UTF-8",
            where=where,
        )
    _refuse_control_text(decoded, where)
    return decoded


def _private_use_share(text: str) -> float:
    return len(_PRIVATE_USE.findall(text)) / max(len(text), 1)


def _refuse_signature(data: bytes, where: str) -> None:
    for magic, what, what_zh in _SIGNATURES:
        if data.startswith(magic):
            raise BinaryDocumentError(
                f"the file is {what}, not text", message_zh=f"该文件是{what_zh}，不是文本", where=where
            )


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: the NULs (high bytes of ASCII) sit mostly on one side of
    each byte pair; CJK code points such as U+4E00 put a few on the other side."""
    if len(data) % 2:
        return None
    nul_even = data[0::2].count(0)
    nul_odd = data[1::2].count(0)
    if nul_even >= 4 * nul_odd + 1:
        codec = "utf-16-be"
    elif nul_odd >= 4 * nul_even + 1:
        codec = "utf-16-le"
    else:
        return None
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def _guess_encoding(data: bytes) -> str | None:
    """Last resort: charset-normalizer's best guess, or None when it has none."""
    from charset_normalizer import from_bytes

    try:
        best = from_bytes(data).best()
        return None if best is None else str(best)
    except Exception:  # a guesser's failure means "unknown encoding", not a crash
        return None


def _refuse_control_text(text: str, where: str) -> None:
    """Decoded text that is mostly control or unassigned characters is binary in disguise."""
    if len(_CONTROL_CHARS.findall(text)) > _MAX_CONTROL_SHARE * len(text):
        raise BinaryDocumentError(
            "the decoded text is mostly control characters: the file is binary, not text",
            message_zh="解码后的内容大多是控制字符，是二进制文件而不是文本",
            where=where,
        )


# --- Word (.docx) -----------------------------------------------------------------


def _read_docx(data: bytes, where: str, max_bytes: int) -> str:
    """Body text in document order: paragraphs and tables interleaved.

    One line per paragraph with a blank line between paragraphs; bold runs wrapped
    in ``**…**`` so the parser sees bold lead phrases; one line per table row with
    cells joined by TAB. Headers, footers, footnotes and comments are not content.
    """
    _check_docx_archive(data, where, max_bytes)
    from docx import Document

    try:
        document = Document(io.BytesIO(data))
        bold_styles = _bold_character_styles(document)
        blocks = list(_body_blocks(document.element.body, bold_styles))
    except DocumentError:
        raise
    except Exception as exc:  # python-docx/lxml raise many types on damaged files
        raise DocumentError(
            f"the .docx file is damaged or is not a Word document ({type(exc).__name__}: {exc})",
            message_zh="该 .docx 文件已损坏或不是 Word 文档",
            where=where,
        ) from exc
    text = "\n\n".join(blocks)
    if len(text) > max_bytes:
        raise DocumentTooLargeError(
            "the document's text is larger than the limit", message_zh="文档文字内容超过上限", where=where
        )
    return text


def _check_docx_archive(data: bytes, where: str, max_bytes: int) -> None:
    """Reject non-ZIP, non-Word and zip-bomb archives before python-docx sees them."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise DocumentError(
            "this is a legacy Word .doc file renamed to .docx; save it as .docx in Word or WPS",
            message_zh="这是旧版 Word .doc 文件，请在 Word 或 WPS 中另存为 .docx",
            where=where,
        )
    entries = zip_entries(data)
    if entries is None:
        raise DocumentError(
            "the .docx file is damaged or is not a Word document (not a ZIP archive)",
            message_zh="该 .docx 文件已损坏或不是 Word 文档（不是 ZIP 压缩包）",
            where=where,
        )
    if "[Content_Types].xml" not in {info.filename for info in entries}:
        raise DocumentError(
            "the .docx file is not a Word document (no [Content_Types].xml)",
            message_zh="该 .docx 文件不是 Word 文档",
            where=where,
        )
    if zip_bomb(entries, docx_limits(max_bytes)) is not None:  # the one zip-bomb guard, shared with XLSX
        raise DocumentTooLargeError(
            "the .docx file expands to more than the size limit", message_zh="该 .docx 文件解压后超过上限", where=where
        )


def _bold_character_styles(document: Any) -> dict[str, bool]:
    """style id → bold, following basedOn, for character styles (e.g. "Strong")."""
    from docx.enum.style import WD_STYLE_TYPE

    result: dict[str, bool] = {}
    for style in document.styles:
        if style.type != WD_STYLE_TYPE.CHARACTER:
            continue
        seen: set[str] = set()
        current, bold = style, None
        while current is not None and bold is None and current.style_id not in seen:
            seen.add(current.style_id)
            bold = current.font.bold
            current = current.base_style
        result[style.style_id] = bool(bold)
    return result


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return str(qn(tag))


def _body_blocks(container: Any, bold_styles: dict[str, bool] | None) -> Iterator[str]:
    """Walk block-level children in order; content controls (w:sdt) are descended into.

    ``bold_styles`` None means no bold markup (table cells: a bold header row is not
    a lead phrase).
    """
    p_tag, tbl_tag, sdt_tag, content_tag = _qn("w:p"), _qn("w:tbl"), _qn("w:sdt"), _qn("w:sdtContent")
    for child in container.iterchildren():
        if child.tag == p_tag:
            line = _paragraph_text(child, bold_styles)
            if line.strip():
                yield line
        elif child.tag == tbl_tag:
            rows = _table_rows(child)
            if rows:
                yield "\n".join(rows)
        elif child.tag == sdt_tag:
            for content in child.iterchildren(content_tag):
                yield from _body_blocks(content, bold_styles)


def _own_runs(p: Any) -> Iterator[Any]:
    """Runs of this paragraph, including those in hyperlinks, insertions and fields,
    but not those of paragraphs nested in text boxes."""
    p_tag = _qn("w:p")
    for r in p.iter(_qn("w:r")):
        if next(r.iterancestors(p_tag), None) is p:
            yield r


def _run_is_bold(r: Any, bold_styles: dict[str, bool] | None) -> bool:
    from docx.text.font import Font

    if bold_styles is None:
        return False
    direct = Font(r).bold
    if direct is not None:
        return bool(direct)
    style_id = r.style
    return bool(style_id and bold_styles.get(style_id, False))


def _paragraph_text(p: Any, bold_styles: dict[str, bool] | None) -> str:
    """Paragraph text with consecutive bold runs merged and wrapped in ``**…**``."""
    groups: list[tuple[bool, list[str]]] = []
    for r in _own_runs(p):
        text = r.text
        if not text:
            continue
        bold = _run_is_bold(r, bold_styles)
        if groups and groups[-1][0] == bold:
            groups[-1][1].append(text)
        else:
            groups.append((bold, [text]))
    out: list[str] = []
    for bold, parts in groups:
        text = "".join(parts)
        core = text.strip()
        if bold and core:
            lead = text[: len(text) - len(text.lstrip())]
            trail = text[len(text.rstrip()) :]
            out.append(f"{lead}**{core}**{trail}")
        else:
            out.append(text)
    return "".join(out)


def _table_rows(tbl: Any) -> list[str]:
    """One line per row, cells joined by TAB.

    A horizontally merged cell (gridSpan) is one w:tc, so it appears once. A cell
    continuing a vertical merge is left blank, the convention the parser already
    handles for continuation rows of the seeds' task tables.
    """
    tr_tag, tc_tag, tbl_tag = _qn("w:tr"), _qn("w:tc"), _qn("w:tbl")
    tcpr_tag, vmerge_tag, val_attr = _qn("w:tcPr"), _qn("w:vMerge"), _qn("w:val")
    rows: list[str] = []
    for tr in tbl.iter(tr_tag):
        if next(tr.iterancestors(tbl_tag), None) is not tbl:
            continue  # rows of a nested table are read as part of their cell
        cells: list[str] = []
        for tc in tr.iterchildren(tc_tag):
            tcpr = tc.find(tcpr_tag)
            vmerge = None if tcpr is None else tcpr.find(vmerge_tag)
            if vmerge is not None and vmerge.get(val_attr) in (None, "continue"):
                cells.append("")
            else:
                cells.append(_cell_text(tc))
        if any(cells):
            rows.append("\t".join(cells))
    return rows


def _cell_text(tc: Any) -> str:
    """A cell's paragraphs (and nested tables) on one line: newlines and tabs become spaces."""
    return CELL_BREAKS.sub(" ", " ".join(_body_blocks(tc, None))).strip()
