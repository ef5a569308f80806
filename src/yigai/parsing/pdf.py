"""Read a PDF into the text the .docx reader gives: paragraphs, bold runs, tables as TAB rows.

A PDF has no paragraphs or tables, only characters and lines drawn at positions.
pdfplumber (on pdfminer.six) gives both; from them the reader rebuilds what the
.docx reader emits: one line per paragraph (bold runs as ``**…**``), one line per
table row with cells joined by TAB, in reading order, without the page furniture
(running headers, footers and page numbers). ``extract.read_document`` is the entry point.
"""

from __future__ import annotations

import bisect
import collections
import functools
import io
import itertools
import logging
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from yigai.domain.errors import DocumentError, DocumentTooLargeError

# Line and tab breaks inside one table cell (Word and PDF alike): a cell is one line of text.
CELL_BREAKS = re.compile(r"[\t\n\r\v\f]+")


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


def read_pdf(data: bytes, where: str, max_bytes: int) -> str:
    """Text of every page via pdfplumber: paragraphs rebuilt from printed lines, tables
    with a ruling grid as TAB-separated rows (continued across pages), page headers,
    footers and page numbers removed."""
    if b"%PDF-" not in data[:1024]:
        raise DocumentError("the file is not a PDF (no %PDF- header)", message_zh="该文件不是 PDF 文档", where=where)
    import pdfplumber

    pages: list[_PdfPage] = []
    size = 0
    try:
        with _quiet_pdfminer(), pdfplumber.open(io.BytesIO(data), password="") as pdf:
            for page in pdf.pages:
                pages.append(_pdf_page(page))
                page.close()  # drop the page's cached objects: memory stays one page deep
                size += sum(
                    len(b.text) if isinstance(b, _PdfLine) else sum(len(c.text) + 1 for r in b.rows for c in r if c)
                    for b in pages[-1].blocks
                )
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
        gaps = sorted(
            b["x0"] - a["x1"] for a, b in itertools.pairwise(row) if not a["text"].isspace() and not b["text"].isspace()
        )
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
        lines.append(
            _PdfLine(
                "".join(text),
                bold,
                visible[0]["x0"],
                visible[-1]["x1"],
                min(c["top"] for c in visible),
                max(c["bottom"] for c in visible),
                size,
                _lead_width(visible),
                space_after,
            )
        )
    return lines


def _same_char(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return bool(a["text"] == b["text"] and abs(a["x0"] - b["x0"]) < 1 and abs(a["top"] - b["top"]) < 1)


@functools.lru_cache(maxsize=256)
def _bold_font(fontname: str) -> bool:
    """ "ABCDEF+NotoSansCJKsc-Bold", "FangSong_GB2312,Bold" (Word's synthetic bold), "SimHei-Black"."""
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
        for pdf_cell in row:
            if pdf_cell is not None:
                pdf_cell.x1 -= pad
                pdf_cell.text = _join_cell_lines(pdf_cell)
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
    return CELL_BREAKS.sub(" ", text).strip()


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
            count = sum(
                1 for other in keys if any(w == where and m == masked and abs(t - top) <= 3 for w, m, t in other)
            )
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
            if (
                isinstance(last, list)
                and ((pos > 0 and page.blocks[pos - 1] is last[-1]) or carries)
                and _continues(last, block, geo, same_page=not carries)
            ):
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
            trail = run[len(run.rstrip()) :]
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
