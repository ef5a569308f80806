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

import bisect
import codecs
import collections
import functools
import io
import logging
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
_LINE_BREAKS = str.maketrans({"\r": "\n", "\v": "\n", "\f": "\n", "\x1c": "\n", "\x1d": "\n",
                              "\x1e": "\n", "\x85": "\n", "\u2028": "\n", "\u2029": "\n"})

# Signatures of common binary files, for a more helpful message than "binary".
_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image", "PNG 图片"),
    (b"\xff\xd8\xff", "a JPEG image", "JPEG 图片"),
    (b"GIF8", "a GIF image", "GIF 图片"),
    (b"%PDF-", "a PDF document (use the .pdf extension)", "PDF 文档（请使用 .pdf 扩展名）"),
    (b"PK\x03\x04", "a ZIP archive such as .docx or .xlsx", "ZIP 压缩包（如 .docx、.xlsx）"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a legacy Office file (.doc/.xls); save it as .docx",
     "旧版 Office 文件（.doc/.xls），请另存为 .docx"),
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
        "txt": _read_text, "md": _read_text, "docx": _read_docx, "pdf": _read_pdf,
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
        raise DocumentError(f"cannot read {path}: {exc.strerror or exc}", message_zh="无法读取文件", where=where) from exc
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
                text = data[len(bom):].decode(codec)
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

# document.xml is verbose XML; refuse archives whose body would expand beyond this
# multiple of the byte limit (a zip bomb would otherwise exhaust memory in lxml).
_DOCX_EXPANSION = 8


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
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            sizes = {info.filename: info.file_size for info in archive.infolist()}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise DocumentError(
            "the .docx file is damaged or is not a Word document (not a ZIP archive)",
            message_zh="该 .docx 文件已损坏或不是 Word 文档（不是 ZIP 压缩包）",
            where=where,
        ) from exc
    if "[Content_Types].xml" not in sizes:
        raise DocumentError(
            "the .docx file is not a Word document (no [Content_Types].xml)",
            message_zh="该 .docx 文件不是 Word 文档",
            where=where,
        )
    if max(sizes.values(), default=0) > _DOCX_EXPANSION * max_bytes:
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
            trail = text[len(text.rstrip()):]
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


_CELL_BREAKS = re.compile(r"[\t\n\r\v\f]+")


def _cell_text(tc: Any) -> str:
    """A cell's paragraphs (and nested tables) on one line: newlines and tabs become spaces."""
    return _CELL_BREAKS.sub(" ", " ".join(_body_blocks(tc, None))).strip()


# --- PDF --------------------------------------------------------------------------
#
# A PDF has no paragraphs or tables, only characters and lines drawn at positions.
# pdfplumber (on pdfminer.six) gives both; from them the reader rebuilds what the
# .docx reader emits: one line per paragraph (bold runs as ``**…**``), one line per
# table row with cells joined by TAB, in reading order, without the page furniture
# (running headers, footers and page numbers).


@contextmanager
def _quiet_pdfminer() -> Iterator[None]:
    """pdfminer logs a warning for every oddity of a damaged file; unless the
    application set its level, keep those off the CLI's stderr while reading."""
    logger = logging.getLogger("pdfminer")
    if logger.level != logging.NOTSET:
        yield
        return
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(logging.NOTSET)


# A page number on a line of its own: "— 3 —", "- 3 -", "3", "第3页 共9页", "共9页 第3页", "3/9",
# "Page 3 of 9" (a bare "3" counts only where it recurs on most pages).
_PAGE_NUMBER_RE = re.compile(
    r"[-—–－‒―~～·•_\s]*\d{1,4}[-—–－‒―~～·•_\s]*"
    r"|第\s*\d{1,4}\s*页\s*[,，、/]?\s*(?:共\s*\d{1,4}\s*页)?"
    r"|共\s*\d{1,4}\s*页\s*[,，、/]?\s*第\s*\d{1,4}\s*页"
    r"|\d{1,4}\s*/\s*\d{1,4}"
    r"|(?i:page)\s*\d{1,4}(?:\s*(?i:of)\s*\d{1,4})?"
)
_PDF_DASHES = "-—–－‒―~～·•_"
# An item number opening a paragraph or a table cell (full-width forms folded first).
_PDF_ITEM_RE = re.compile(
    r"\s*(?:第[一二三四五六七八九十百零〇两\d]{1,4}[章节部分篇条]"
    r"|[一二三四五六七八九十百零〇两]{1,4}\s*[、.]"
    r"|\(\s*[一二三四五六七八九十百零〇两\d]{1,4}\s*\)"
    r"|\d{1,3}\s*[、.．](?!\d)"
    r"|[①-⑳]|附件|附表|——)"
)
_PDF_BOLD_RE = re.compile(r"bold|black|heavy", re.IGNORECASE)
_NO_LINE_START = set("，。、；：！？）)]】》〉」』〕”’%‰·…,.;:!?")
_NO_LINE_END = set("（([【《〈「『〔")
_QUOTES = set("“”‘’\"'")
_FULL_WIDTH = str.maketrans({chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)})


@dataclass(slots=True)
class _PdfLine:
    """One printed line: its text (spaces the PDF draws or leaves as gaps kept) and where it sits."""

    text: str
    bold: list[bool]  # per character of text
    x0: float
    x1: float  # right edge of the last visible character
    top: float
    bottom: float
    size: float  # font size (median of the line's characters)
    lead: float  # width of the line's first unbreakable piece ("水", "“健", "〔2019〕", "DIP)")
    space_after: bool  # the PDF draws a space after the last character


def _wrapped(prev: _PdfLine, line: _PdfLine, right: float, slack: float) -> bool:
    """Was ``line`` pushed down from ``prev`` by the right edge? Yes when its first piece
    would not have fitted in the room left at the end of ``prev`` (a paragraph that ends
    leaves room; a wrapped line does not, whatever the punctuation rules moved)."""
    return right - prev.x1 <= line.lead + slack * prev.size


@dataclass(slots=True)
class _PdfCell:
    lines: list[_PdfLine]
    x1: float  # right edge of the cell's text area (cell edge less its padding)
    text: str = ""


@dataclass(slots=True)
class _PdfTable:
    top: float
    bottom: float
    x0: float
    x1: float
    rows: list[list[_PdfCell | None]]  # None: covered by a cell merged from above or the left


@dataclass(slots=True)
class _PdfPage:
    blocks: list[_PdfLine | _PdfTable]  # reading order (top to bottom)


def _read_pdf(data: bytes, where: str, max_bytes: int) -> str:
    """Text of every page via pdfplumber: paragraphs rebuilt from printed lines, tables
    with a ruling grid as TAB-separated rows (continued across pages), page headers,
    footers and page numbers removed."""
    if b"%PDF-" not in data[:1024]:
        raise DocumentError(
            "the file is not a PDF (no %PDF- header)", message_zh="该文件不是 PDF 文档", where=where
        )
    import pdfplumber

    pages: list[_PdfPage] = []
    size = 0
    try:
        with _quiet_pdfminer(), pdfplumber.open(io.BytesIO(data), password="") as pdf:
            for page in pdf.pages:
                pages.append(_pdf_page(page))
                page.close()  # drop the page's cached objects: memory stays one page deep
                size += sum(len(b.text) if isinstance(b, _PdfLine) else
                            sum(len(c.text) + 1 for r in b.rows for c in r if c) for b in pages[-1].blocks)
                if size > max_bytes:
                    raise DocumentTooLargeError(
                        "the PDF's text is larger than the limit", message_zh="PDF 文字内容超过上限", where=where
                    )
    except DocumentError:
        raise
    except Exception as exc:  # pdfminer and pdfplumber raise many types, not all their own, on damaged files
        if _pdf_encrypted(exc):
            raise DocumentError(
                "the PDF is encrypted (password-protected or unsupported encryption); save an unprotected copy",
                message_zh="PDF 已加密（需要密码或加密方式不受支持），请另存为未加密的副本",
                where=where,
            ) from exc
        cause = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc
        raise DocumentError(
            f"the PDF is damaged and cannot be read ({type(cause).__name__}: {cause})",
            message_zh="PDF 文件已损坏，无法读取",
            where=where,
        ) from exc
    if not pages:
        raise DocumentError("the PDF is damaged: it has no pages", message_zh="PDF 文件已损坏：没有页面", where=where)
    _drop_page_furniture(pages)
    text = _pdf_text(pages)
    return text.rstrip(" \n") + "\n" if text.strip() else ""  # a last row's empty cells stay


def _pdf_encrypted(exc: BaseException) -> bool:
    """pdfplumber wraps pdfminer's exceptions; look through the wrapper and the cause chain."""
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        e = todo.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, (PDFPasswordIncorrect, PDFEncryptionError)):
            return True
        todo += [a for a in e.args if isinstance(a, BaseException)]
        todo += [c for c in (e.__cause__, e.__context__) if c is not None]
    return False


def _pdf_page(page: Any) -> _PdfPage:
    """Lines outside tables and the ruled tables of one page, top to bottom."""
    chars = [c for c in page.chars if c.get("text") and c["text"] not in "\r\n"]
    tables: list[_PdfTable] = []
    in_tables: set[int] = set()
    for found in page.find_tables():
        table = _pdf_table(found, chars, in_tables)
        if table is not None:
            tables.append(table)
    free = [c for i, c in enumerate(chars) if i not in in_tables]
    blocks: list[_PdfLine | _PdfTable] = [*_pdf_lines(free), *tables]
    blocks.sort(key=lambda b: b.top)
    return _PdfPage(blocks)


def _pdf_lines(chars: list[dict[str, Any]]) -> list[_PdfLine]:
    """Characters → printed lines: a character belongs to the line whose band holds its middle."""
    rows: list[list[dict[str, Any]]] = []
    bands: list[tuple[float, float]] = []
    for c in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        mid = (c["top"] + c["bottom"]) / 2
        if rows and bands[-1][0] <= mid <= bands[-1][1]:
            rows[-1].append(c)
        else:
            rows.append([c])
            bands.append((c["top"], c["bottom"]))
    lines: list[_PdfLine] = []
    for row in rows:
        row.sort(key=lambda c: c["x0"])
        # a character drawn twice at (almost) one place: fake bold, or a shadow
        row[:] = [c for i, c in enumerate(row) if i == 0 or not _same_char(c, row[i - 1])]
        sizes = sorted(c["size"] for c in row if not c["text"].isspace()) or [row[0]["size"]]
        size = sizes[len(sizes) // 2] or 10.0
        text: list[str] = []
        bold: list[bool] = []
        last_x1: float | None = None
        # a justified line spreads every character: only a gap wider than the usual one is a space
        gaps = sorted(b["x0"] - a["x1"] for a, b in zip(row, row[1:], strict=False)
                      if not a["text"].isspace() and not b["text"].isspace())
        spread = max(gaps[len(gaps) // 2], 0.0) if len(gaps) >= 3 else 0.0
        for c in row:
            ch = c["text"]
            if ch.isspace():
                if text and text[-1] != " ":
                    text.append(" ")
                    bold.append(bold[-1])
                last_x1 = c["x1"]
                continue
            if last_x1 is not None and text and text[-1] != " " and c["x0"] - last_x1 > spread + 0.3 * size:
                text.append(" ")  # a gap as wide as a space: a word space the PDF does not draw
                bold.append(bold[-1])
            is_bold = _bold_font(str(c.get("fontname", "")))
            text.extend(ch)
            bold.extend([is_bold] * len(ch))
            last_x1 = c["x1"]
        visible = [c for c in row if not c["text"].isspace()]
        if not visible:
            continue
        space_after = bool(text) and text[-1] == " "
        while text and text[-1] == " ":
            text.pop()
            bold.pop()
        lines.append(_PdfLine("".join(text), bold, visible[0]["x0"], visible[-1]["x1"],
                              min(c["top"] for c in visible), max(c["bottom"] for c in visible), size,
                              _lead_width(visible), space_after))
    return lines


def _same_char(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return bool(a["text"] == b["text"] and abs(a["x0"] - b["x0"]) < 1 and abs(a["top"] - b["top"]) < 1)


@functools.lru_cache(maxsize=256)
def _bold_font(fontname: str) -> bool:
    """"ABCDEF+NotoSansCJKsc-Bold", "FangSong_GB2312,Bold" (Word's synthetic bold), "SimHei-Black"."""
    return _PDF_BOLD_RE.search(fontname.partition("+")[2] or fontname) is not None


def _lead_width(visible: list[dict[str, Any]]) -> float:
    """Width of the first piece a line cannot be broken inside: characters held together
    by the line-breaking rules (opening brackets with what follows, closing punctuation
    with what precedes, quotation marks with both neighbours, runs of Latin letters and
    digits)."""
    i = 0
    while i + 1 < len(visible) and not _may_break(visible[i]["text"], visible[i + 1]["text"]):
        i += 1
    return float(visible[i]["x1"] - visible[0]["x0"])


def _may_break(a: str, b: str) -> bool:
    """May a line break fall between characters ``a`` and ``b``? (UAX #14, simplified:
    Chinese characters break anywhere, a run of letters, digits and signs does not.)"""
    if b in _NO_LINE_START or a in _NO_LINE_END or a in _QUOTES or b in _QUOTES:
        return False
    return not (_narrow(a) and (_narrow(b) or b in _NO_LINE_END))


def _narrow(ch: str) -> bool:
    """A letter, digit or sign of Latin (not Chinese) width: these hold together as words."""
    return not ch.isspace() and unicodedata.east_asian_width(ch[:1] or " ") not in ("W", "F")


def _pdf_table(found: Any, chars: list[dict[str, Any]], taken: set[int]) -> _PdfTable | None:
    """A pdfplumber table → rows of cells, each cell's characters read as lines."""
    rows: list[list[tuple[float, float, float, float] | None]] = [list(r.cells) for r in found.rows]
    cells = [(r, k, bbox) for r, row in enumerate(rows) for k, bbox in enumerate(row) if bbox is not None]
    if len(cells) < 2:
        return None  # a frame drawn round the page or a note: its text is read as text
    # cells by left edge, each list top to bottom: a character finds its cell by two bisections
    by_left: dict[float, list[tuple[int, int, tuple[float, float, float, float]]]] = {}
    for cell in sorted(cells, key=lambda c: c[2][1]):
        by_left.setdefault(cell[2][0], []).append(cell)
    lefts = sorted(by_left)
    tops = {left: [cell[2][1] for cell in column] for left, column in by_left.items()}
    tx0, ttop, tx1, tbottom = found.bbox
    members: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for i, c in enumerate(chars):
        mx, my = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
        if i in taken or not (tx0 <= mx <= tx1 and ttop <= my <= tbottom):
            continue
        home = None
        left = lefts[max(bisect.bisect_right(lefts, mx) - 1, 0)]
        column = by_left[left]
        j = max(bisect.bisect_right(tops[left], my) - 1, 0)
        for r, k, (x0, top, x1, bottom) in [column[j], *cells]:
            if x0 <= mx <= x1 and top <= my <= bottom:
                home = (r, k)
                break
        if home is not None:
            members.setdefault(home, []).append(c)
            taken.add(i)
    out: list[list[_PdfCell | None]] = [[None] * len(row) for row in rows]
    pads: list[float] = []
    for r, k, (x0, _top, x1, _bottom) in cells:
        lines = _pdf_lines(members.get((r, k), []))
        out[r][k] = _PdfCell(lines, x1)
        pads += [ln.x0 - x0 for ln in lines if ln.x0 > x0]
    pad = min(pads, default=0.0)
    for row in out:
        for cell in row:
            if cell is not None:
                cell.x1 -= pad
                cell.text = _join_cell_lines(cell)
    return _PdfTable(ttop, tbottom, tx0, tx1, out)


def _join_cell_lines(cell: _PdfCell) -> str:
    """A cell's lines as one: wrapped lines join with no space between Chinese characters;
    a space where the PDF draws one, between two Latin words, or where the line ended with
    room to spare (a new paragraph in the cell: the .docx reader's space)."""
    text = ""
    for prev, line in zip([None, *cell.lines], cell.lines, strict=False):
        if prev is None:
            text = line.text
            continue
        paragraph = not _wrapped(prev, line, cell.x1, 0.5)
        text += _line_separator(text, line.text, paragraph or prev.space_after) + line.text
    return _CELL_BREAKS.sub(" ", text).strip()


def _line_separator(before: str, after: str, space: bool) -> str:
    """What goes between two lines joined into one: nothing, or a space where one is
    due (``space``) or where a Latin word ends one line and another starts the next
    (a number broken over two lines stays whole)."""
    if not before or not after or before.endswith(" ") or after.startswith(" "):
        return ""
    if space:
        return " "
    a, b = before[-1], after[0]
    return " " if a.isascii() and b.isascii() and a.isalpha() and b.isalpha() else ""


def _drop_page_furniture(pages: list[_PdfPage]) -> None:
    """Remove running headers, footers and page numbers: lines at the top or bottom of a
    page (above or below everything else) that are a page number, or whose text, digits
    aside, recurs at the same height on most pages."""
    edges: list[list[tuple[str, _PdfLine]]] = []
    for page in pages:
        found: list[tuple[str, _PdfLine]] = []
        for where, blocks in (("top", page.blocks[:2]), ("bottom", page.blocks[::-1][:2])):
            for b in blocks:
                if not isinstance(b, _PdfLine):
                    break
                found.append((where, b))
        edges.append(found)
    keys = [[(where, re.sub(r"\d+", "#", ln.text.replace(" ", "")), ln.top) for where, ln in found] for found in edges]
    need = max(2, -(-2 * len(pages) // 5))  # on at least 40 % of the pages (odd/even headers differ)
    drop: set[int] = set()
    for i, found in enumerate(edges):
        for (where, ln), (_, masked, top) in zip(found, keys[i], strict=True):
            if _PAGE_NUMBER_RE.fullmatch(ln.text.strip()) and (
                any(d in ln.text for d in _PDF_DASHES) or "页" in ln.text or "/" in ln.text or "age" in ln.text
            ):
                drop.add(id(ln))
                continue
            count = sum(1 for other in keys if any(w == where and m == masked and abs(t - top) <= 3
                                                   for w, m, t in other))
            if len(pages) >= 2 and count >= need:
                drop.add(id(ln))
    if drop:
        for page in pages:
            page.blocks = [b for b in page.blocks if id(b) not in drop]


@dataclass(slots=True)
class _PdfGeometry:
    """The body's typical geometry, for telling a wrapped line from a paragraph end."""

    left: float
    right: float
    pitch: float | None
    bottom: float  # lowest body content on any page


def _pdf_geometry(pages: list[_PdfPage]) -> _PdfGeometry:
    lines = [b for p in pages for b in p.blocks if isinstance(b, _PdfLine)]
    lefts = collections.Counter(round(ln.x0) for ln in lines)
    # the body's left margin: the leftmost edge that many lines share (first lines may be indented)
    common = [x for x, n in lefts.items() if n >= max(3, len(lines) // 20)]
    left = min(common) if common else min(lefts, default=0)
    rights = sorted(ln.x1 for ln in lines if abs(ln.x0 - left) <= 2 and len(ln.text) >= 10)
    right = rights[int(0.9 * (len(rights) - 1))] if len(rights) >= 5 else max((ln.x1 for ln in lines), default=0.0)
    steps: list[float] = []
    for p in pages:
        for a, b in zip(p.blocks, p.blocks[1:], strict=False):
            if isinstance(a, _PdfLine) and isinstance(b, _PdfLine) and abs(a.size - b.size) < 0.5:
                step = b.top - a.top
                if 0 < step < 3 * a.size:
                    steps.append(round(step * 2) / 2)
    pitch = max(set(steps), key=steps.count) if steps else None
    bottom = max((b.bottom for p in pages for b in p.blocks), default=0.0)
    return _PdfGeometry(float(left), right, pitch, bottom)


def _continues(paragraph: list[_PdfLine], line: _PdfLine, geo: _PdfGeometry, *, same_page: bool) -> bool:
    """Does ``line`` carry on ``paragraph`` (its lines so far)?"""
    prev = paragraph[-1]
    size = prev.size
    if abs(line.size - size) > 1:
        return False
    if not _wrapped(prev, line, geo.right, 0.5):
        return False  # the line stops short of the margin: the paragraph ended
    if len(paragraph) > 1:
        if abs(line.x0 - prev.x0) > 0.5 * size:
            return False  # not where the paragraph's wrapped lines start
    elif prev.x0 > geo.left + 0.5 * size:
        if line.x0 > prev.x0 - 0.5 * size:
            return False  # the indented first line of a paragraph is followed by another
    elif line.x0 > prev.x0 + 0.5 * size:
        return False  # indented (a first line) or centred
    if same_page and geo.pitch is not None and line.top - prev.top > geo.pitch + 0.35 * size:
        return False  # space between paragraphs
    return _PDF_ITEM_RE.match(line.text.translate(_FULL_WIDTH)) is None


def _pdf_text(pages: list[_PdfPage]) -> str:
    """Assemble paragraphs and tables across pages into the reader's text."""
    geo = _pdf_geometry(pages)
    items: list[list[_PdfLine] | _PdfTable] = []
    for page_no, page in enumerate(pages):
        for pos, block in enumerate(page.blocks):
            last = items[-1] if items else None
            # the first block of a page may carry on the item that ended the previous page
            carries = pos == 0 and page_no > 0 and bool(pages[page_no - 1].blocks)
            if isinstance(block, _PdfTable):
                if carries and isinstance(last, _PdfTable) and _same_columns(last, block):
                    _continue_table(last, block, geo)
                else:
                    items.append(block)
                continue
            if isinstance(last, list) and (pos > 0 and page.blocks[pos - 1] is last[-1] or carries) \
                    and _continues(last, block, geo, same_page=not carries):
                last.append(block)
                continue
            items.append([block])
    out: list[str] = []
    for item in items:
        if isinstance(item, _PdfTable):
            for row in item.rows:
                cells = [c.text if c is not None else "" for c in row]
                if any(cells):
                    out.append("\t".join(cells))
        else:
            out.append(_paragraph_markup(item))
    return "\n".join(out)


def _paragraph_markup(lines: list[_PdfLine]) -> str:
    """A paragraph's lines as one line, bold runs wrapped in ``**…**`` (as the .docx reader does)."""
    chars: list[str] = []
    bold: list[bool] = []
    prev: _PdfLine | None = None
    for line in lines:
        sep = _line_separator("".join(chars[-1:]), line.text, prev.space_after) if prev is not None else ""
        if sep:
            chars.append(sep)
            bold.append(bold[-1])
        chars.extend(line.text)
        bold.extend(line.bold)
        prev = line
    out: list[str] = []
    i = 0
    while i < len(chars):
        j = i
        while j < len(chars) and (bold[j] == bold[i] or chars[j] == " "):
            j += 1
        run = "".join(chars[i:j])
        core = run.strip()
        if bold[i] and core:
            lead = run[: len(run) - len(run.lstrip())]
            trail = run[len(run.rstrip()):]
            out.append(f"{lead}**{core}**{trail}")
        else:
            out.append(run)
        i = j
    return "".join(out)


def _same_columns(a: _PdfTable, b: _PdfTable) -> bool:
    width = max((len(r) for r in a.rows), default=0)
    return width == max((len(r) for r in b.rows), default=-1) and abs(a.x0 - b.x0) <= 3 and abs(a.x1 - b.x1) <= 3


def _row_texts(row: list[_PdfCell | None]) -> list[str]:
    return [re.sub(r"\s+", "", c.text) if c is not None else "" for c in row]


def _continue_table(table: _PdfTable, more: _PdfTable, geo: _PdfGeometry) -> None:
    """``more`` carries ``table`` on from the previous page: drop a repeated header row,
    join a row the page break split, append the rest."""
    rows = list(more.rows)
    if rows and table.rows and _row_texts(rows[0]) == _row_texts(table.rows[0]) and any(_row_texts(rows[0])):
        rows.pop(0)
    # a row can only have been split where the table ran to the foot of the page
    if rows and table.bottom >= geo.bottom - 2 * (geo.pitch or 14.0):
        pairs = _split_row(table, rows[0])
        if pairs:
            for owner, part in pairs:
                space = bool(owner.lines) and owner.lines[-1].space_after
                owner.text = (owner.text + _line_separator(owner.text, part.text, space) + part.text).strip()
                owner.lines = owner.lines + part.lines
            rows.pop(0)
    table.rows.extend(rows)
    table.bottom = more.bottom


def _split_row(table: _PdfTable, first: list[_PdfCell | None]) -> list[tuple[_PdfCell, _PdfCell]] | None:
    """When ``first`` (the top row on a new page) is the rest of a row the page break split,
    the (cell above, its continuation) pairs; else None. It is when every filled cell of
    ``first`` continues a cell above that ran to its right edge (or was empty), none opens
    with an item number, and at least one carries on text."""
    pairs: list[tuple[_PdfCell, _PdfCell]] = []
    for k, part in enumerate(first):
        if part is None or not part.text:
            continue
        # the cell above in this column: in the last row, or merged down from a row before
        owner = next((r[k] for r in reversed(table.rows) if k < len(r) and r[k] is not None), None)
        if owner is None or _PDF_ITEM_RE.match(part.text.translate(_FULL_WIDTH)):
            return None
        if owner.lines and not _wrapped(owner.lines[-1], part.lines[0], owner.x1, 0.5):
            return None
        pairs.append((owner, part))
    return pairs if any(owner.text for owner, _ in pairs) else None
