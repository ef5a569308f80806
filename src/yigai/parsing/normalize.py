"""Normalisation that keeps a map back to the original text.

The output has one paragraph per line: page footers, markdown and HTML markup
are removed, full-width digits/letters/brackets are folded to ASCII, spaces
next to Chinese characters are dropped (outside tables), and lines broken in
mid-sentence (hard wraps, page breaks) are joined. ``offsets[i]`` is the index
in the original text of normalised character ``i``; bold ranges (from ``**`` or
``<b>``) are kept because bold lead phrases mark tasks.
"""

from __future__ import annotations

import itertools
import re
import statistics
from dataclasses import dataclass, field

from yigai.domain.plan import Span
from yigai.parsing.departments import looks_like_department
from yigai.parsing.markers import MarkerType, match_marker, starts_block

_TAG_RE = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)(?:\s[^<>]*)?/?>")
_BOLD_TAGS = {"b", "strong"}
_HEADING_RE = re.compile(r"#{1,6}(?=\s|\S)")
_RULE_RE = re.compile(r"[-*_=\s]{3,}")
_FOOTER_RE = re.compile(r"[-—–－‒―~\s]*\d{1,4}[-—–－‒―~\s]*|第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?")
_DASHES = "-—–－‒―"
_CLAUSE_OPEN_RE = re.compile(r"[(〔\[](?:牵头|责任|配合|主责)")

_CLOSERS = ")]〕】”’」』》"
_TERMINALS = "。!?;:"
_CONTINUATION_ENDS = "，,、(（《“‘〔[-—+／/"

_CHAR_MAP = {
    "\u3000": " ",
    "«": "《",
    "»": "》",
    "∶": ":",
    "\u00a0": " ",
    "\t": "\t",
    "\ufeff": "",
    "\u200b": "",
}


def _fold(ch: str) -> str:
    code = ord(ch)
    if 0xFF01 <= code <= 0xFF5E:
        return chr(code - 0xFEE0)
    return _CHAR_MAP.get(ch, ch)


def is_cjk(ch: str) -> bool:
    if len(ch) != 1:
        return False
    code = ord(ch)
    return 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x3000 <= code <= 0x303F or ch in "“”‘’"


@dataclass(slots=True)
class _Line:
    chars: list[str]
    offs: list[int]
    bold: list[tuple[int, int]]  # ranges in chars
    end_off: int  # original offset just past the line
    width: int = 0  # typeset width of the original line
    is_table: bool = False
    md_heading: bool = False
    flat: bool = False  # a row rebuilt from a table flattened one cell per line

    @property
    def text(self) -> str:
        return "".join(self.chars)


@dataclass(slots=True)
class NormalizedText:
    text: str
    offsets: list[int]  # len(text) + 1; last entry is len(original)
    bold: list[tuple[int, int]] = field(default_factory=list)
    flat: list[tuple[int, int]] = field(default_factory=list)  # rows rebuilt from one-cell-per-line tables

    def is_flat(self, start: int) -> bool:
        return any(a <= start < b for a, b in self.flat)

    def span(self, start: int, end: int) -> Span:
        """Original-text span of normalised range [start, end)."""
        if end <= start:
            o = self.offsets[start]
            return Span(o, o)
        return Span(self.offsets[start], self.offsets[end - 1] + 1)

    def is_bold(self, start: int, end: int) -> bool:
        return any(b0 <= start and end <= b1 for b0, b1 in self.bold)


def _clean_line(line: str, base: int) -> _Line:
    """Strip markup and fold characters of one physical line."""
    chars: list[str] = []
    offs: list[int] = []
    bold: list[tuple[int, int]] = []
    bold_start: int | None = None
    stripped = line.lstrip(" \u3000")
    i = len(line) - len(stripped)
    m = _HEADING_RE.match(line, i)
    md_heading = m is not None
    if m:
        i = m.end()
    while i < len(line):
        ch = line[i]
        if ch == "<":
            tag = _TAG_RE.match(line, i)
            if tag:
                name = tag.group(1).lower()
                if name in _BOLD_TAGS:
                    if tag.group(0).startswith("</"):
                        if bold_start is not None:
                            bold.append((bold_start, len(chars)))
                            bold_start = None
                    else:
                        bold_start = len(chars)
                i = tag.end()
                continue
        if ch in "*_" and line.startswith(ch * 2, i):
            if bold_start is None:
                bold_start = len(chars)
            else:
                bold.append((bold_start, len(chars)))
                bold_start = None
            i += 2
            continue
        folded = _fold(ch)
        for f in folded:
            chars.append(f)
            offs.append(base + i)
        i += 1
    if bold_start is not None and bold_start < len(chars):
        bold.append((bold_start, len(chars)))
    return _Line(chars, offs, bold, base + len(line), md_heading=md_heading)


def _drop_cjk_spaces(ln: _Line) -> None:
    """Remove spaces that touch a Chinese character: hard-wrap and layout noise."""
    keep_chars: list[str] = []
    keep_offs: list[int] = []
    remap: list[int] = []
    n = len(ln.chars)
    i = 0
    while i < n:
        ch = ln.chars[i]
        if ch == " ":
            j = i
            while j < n and ln.chars[j] == " ":
                j += 1
            prev = keep_chars[-1] if keep_chars else ""
            nxt = ln.chars[j] if j < n else ""
            drop = not prev or not nxt or is_cjk(prev) or is_cjk(nxt)
            for _ in range(i, j):
                remap.append(len(keep_chars))
            if not drop:
                keep_chars.append(" ")
                keep_offs.append(ln.offs[i])
            i = j
            continue
        remap.append(len(keep_chars))
        keep_chars.append(ch)
        keep_offs.append(ln.offs[i])
        i += 1
    remap.append(len(keep_chars))
    ln.bold = [(remap[a], remap[b]) for a, b in ln.bold if remap[a] < remap[b]]
    ln.chars, ln.offs = keep_chars, keep_offs


def _sentence_periods(ln: _Line) -> None:
    """A half-width '.' after Chinese text ends a sentence (沪府办发 style)."""
    chars = ln.chars
    for i, ch in enumerate(chars):
        if ch != "." or i == 0:
            continue
        prev = chars[i - 1]
        nxt = chars[i + 1] if i + 1 < len(chars) else ""
        if (is_cjk(prev) or prev in _CLOSERS) and not nxt.isdigit():
            chars[i] = "。"


def _width(text: str) -> int:
    """Typeset width: ASCII letters, digits and spaces are half width, the rest full."""
    return sum(1 if (c.isascii() and (c.isalnum() or c == " ")) else 2 for c in text.strip())


def _is_footer(text: str) -> bool:
    s = text.strip()
    if not s or not _FOOTER_RE.fullmatch(s):
        return False
    return s.startswith("第") or any(d in s for d in _DASHES)


def _ends_terminal(text: str) -> bool:
    s = text.rstrip(_CLOSERS + " ")
    if s and s[-1] in _TERMINALS:
        return True
    return text.endswith((")", "〕")) and _CLAUSE_OPEN_RE.search(text) is not None


def _wrap_width(lines: list[_Line]) -> int | None:
    """The line width of a hard-wrapped document, or None when lines are paragraphs."""
    widths = [ln.width for ln in lines if not ln.is_table and len(ln.chars) >= 8]
    if len(widths) < 20:
        return None
    mode = statistics.mode(widths)
    near = sum(1 for w in widths if abs(w - mode) <= 3)
    if near / len(widths) >= 0.35 and mode >= 30:
        return mode
    return None


# A web page's metadata line (标题：… / 文号：…) is a line of its own, whatever its length.
PAGE_FIELD_LINE_RE = re.compile(
    r"(?:标题|题目|发布时间|发文日期|成文日期|文号|发文字号|发布机构|发文机关|发文单位|索引号)\s*[:：]"
)


def _should_join(prev: _Line, nxt: _Line, wrap: int | None) -> bool:
    if prev.is_table or nxt.is_table:
        return False
    if _ROLE_LABEL_END_RE.search("".join(prev.chars[-8:])) and not starts_block(nxt.text):
        return True  # "牵头单位：" with the names on the next line
    if PAGE_FIELD_LINE_RE.match("".join(prev.chars[:8])) or PAGE_FIELD_LINE_RE.match("".join(nxt.chars[:8])):
        return False
    a, b = prev.text, nxt.text
    if prev.md_heading or nxt.md_heading or starts_block(b):
        return False
    if a[-1] in _CONTINUATION_ENDS:
        return True
    if wrap is not None:
        if match_marker(a) is not None and "。" not in a and prev.width < wrap - 4:
            return False  # a heading line, not a wrapped sentence
        if a[-1] in "。!?" and wrap - 10 <= nxt.width <= wrap - 3 and not _ends_terminal(b):
            return False  # the next line is the indented first line of a new paragraph
        return prev.width >= wrap - 8
    if _ends_terminal(a) or _TITLE_END_RE.search(a) or _DOC_NUMBER_LINE_RE.fullmatch(b.strip()):
        return False  # a title line (…的通知, …实施方案) and a 文号 line stand alone
    return len(a) >= 40


_OPENERS = "(〔[【“《‘"
_CLOSERS = ")〕]】”》’"
_LEADING_CLOSERS = ")〕]】”》’,、;:。%‰!?"
_IDEOGRAPH_RE = re.compile(r"[\u4e00-\u9fff]")
_DATE_END_RE = re.compile(r"\d{1,2}日$")
_FRAGMENT_MAX = 4


def _is_fragment(text: str) -> bool:
    """A piece an HTML span left on a line of its own: a number, a bracket, a quote, 年 …"""
    s = text.strip()
    if _FIGURE_RE.fullmatch(s):
        return True  # a figure the page set apart: "16/10", "12345", "1.75"
    return 0 < len(s) <= _FRAGMENT_MAX and len(_IDEOGRAPH_RE.findall(s)) <= 1 and not _OTHER_BLOCK_RE.match(s)


_FIGURE_RE = re.compile(r"\d[\d.,/:%‰]{0,9}")


_OTHER_BLOCK_RE = re.compile(r"附|表\d")


def _bracket_run(lines: list[_Line], i: int) -> str:
    """The text from line ``i`` (an opening bracket) to its closing bracket, at most 4 lines on."""
    text = ""
    for ln in lines[i : i + 5]:
        text += ln.text.strip()
        if any(c in text for c in ")〕]】"):
            break
    return text


def _marker_only(text: str) -> bool:
    """ "(一)", "一、", "1." with nothing after them: a heading whose title is on the next line."""
    m = match_marker(text + "x")
    return m is not None and m.length >= len(text)


def _glue_fragments(lines: list[_Line]) -> list[_Line]:
    """Join the pieces web pages split onto lines of their own back into their sentence.

    Text taken from HTML often has a line per span: "现将《" / "2020" / "年…》印发",
    "〔" / "责任单位：…" / "〕", "(" / "一" / ")" / "加强组织领导". A line is joined to the one
    before when that one ends with an opening bracket or quote, when it begins with a
    closing bracket or punctuation, or when it is a fragment and the sentence before is
    open; a fragment (or a heading marker standing alone) takes the next line along.
    """
    out: list[_Line] = []
    tail_fragment = False  # the last physical line added was a fragment
    field_line = False  # the last line is a page field (标题：…), which takes nothing
    for i, ln in enumerate(lines):
        text = ln.text.strip()
        is_field = PAGE_FIELD_LINE_RE.match(text) is not None
        if not out or ln.is_table or out[-1].is_table or ln.md_heading or out[-1].md_heading or is_field or field_line:
            out.append(ln)
            tail_fragment, field_line = _is_fragment(text), is_field
            continue
        prev = out[-1]
        # the end of the line before is all that matters (and joining it whole would cost a copy a line)
        ptext = "".join(prev.chars[-12:]).rstrip() if len(prev.chars) > 12 else prev.text.rstrip()
        fragment = _is_fragment(text)
        opener_marker = fragment and text[:1] in "(〔[【" and _marker_only(_bracket_run(lines, i))
        join = False
        if opener_marker:
            join = False
        elif (ptext and ptext[-1] in _OPENERS) or text[:1] in _LEADING_CLOSERS:
            join = True
        elif len(prev.chars) <= 12 and _marker_only(ptext):
            join = not starts_block(text)
        elif fragment and ptext and ptext[-1] not in "。!?;" and not (_DATE_END_RE.search(ptext) and text.isdigit()):
            join = not _marker_only(text) or text[:1] in "(〔["
        elif fragment and text[:1] in "(〔[【" and not opener_marker:
            join = True  # a clause opened on its own line after the sentence: "。" / "(" / "…负责" / ")"
        elif tail_fragment and not starts_block(text) and not _marker_only(ptext[-_FRAGMENT_MAX:]):
            # "（" / "5" / "分）" then "办公室", or "规划" / "科" then "体改科": a table cell of its own
            cell = ptext[-1:] in _CLOSERS or (len(prev.chars) <= 20 and looks_like_department(prev.text.strip()))
            join = ptext[-1:] not in "。!?;" and not (cell and _cell_department(lines, i))
        if join:
            _append(prev, ln)
        else:
            out.append(ln)
        tail_fragment, field_line = fragment, False
    return out


def _cell_department(lines: list[_Line], i: int) -> bool:
    """Line ``i`` is a department name, or one with its last character on the next line ("规划信息" / "科")."""
    text = lines[i].text.strip()
    if looks_like_department(text):
        return True
    nxt = lines[i + 1].text.strip() if i + 1 < len(lines) else ""
    return _is_fragment(nxt) and looks_like_department(text + nxt)


def _append(into: _Line, ln: _Line) -> None:
    base = len(into.chars)
    into.chars.extend(ln.chars)
    into.offs.extend(ln.offs)
    into.bold.extend((base + a, base + b) for a, b in ln.bold)
    into.end_off = ln.end_off
    into.width = max(into.width, ln.width)


_RUN_ON_MIN = 1200
_ROLE_LABEL_END_RE = re.compile(r"(?:牵头|责任|配合|协办|参与|主责|主办|负责)(?:部门|单位|科室|处室)\s*[:：]\s*$")
_TITLE_END_RE = re.compile(r"(?:通知|方案|意见|规划|办法|计划|要点|决定|细则)\s*(?:\([^()]{2,20}\))?$")
_DOC_NUMBER_LINE_RE = re.compile(r"[\u4e00-\u9fff]{1,12}[〔\[(]\s*(?:19|20)\d{2}\s*[〕\])]\s*\d{1,4}\s*号")
_CLAUSE_THEN_ITEM_RE = re.compile(r"[)〕\]】](?:\(?[一二三四五六七八九十\d]{1,3}[)、.])")
_ANNEX_RE = re.compile(r"附\s*件\s*(?:\d|[:：])")
_ITEM_BEFORE = "。;:!?)〕》”"


def _split_run_ons(lines: list[_Line]) -> list[_Line]:
    """_split_run_on over the document, the numbering seen so far carried from line to line."""
    last: dict[MarkerType, int] = {}
    out: list[_Line] = []
    for ln in lines:
        text = ln.text
        head = match_marker(text) if text[:1] in _MARKER_FIRST or "\u4e00" <= text[:1] <= "\u9fff" else None
        if head is not None:
            last[head.type] = head.number
        if ln.is_table or (len(text) < _RUN_ON_MIN and not _CLAUSE_THEN_ITEM_RE.search(text)):
            out.append(ln)
        else:
            out += _split_run_on(ln, last)
    return out


_MARKER_FIRST = "(第0123456789①②③④⑤⑥⑦⑧⑨⑩"


def _split_run_on(ln: _Line, last: dict[MarkerType, int]) -> list[_Line]:
    """A whole body stored as one line (web pages): break it before its numbered items.

    A marker starts an item when it follows the end of a sentence and opens a list
    (number 1) or continues one (the last number of its kind plus one); a marker that
    continues its list starts an item even glued to the text before it ("…各片区管理局2.").
    """
    text = ln.text
    if ln.is_table:
        return [ln]
    short = len(text) < _RUN_ON_MIN  # only "…负责)(二)…": an item right after the clause that closed the one before
    if short and not _CLAUSE_THEN_ITEM_RE.search(text):
        return [ln]
    cuts: list[int] = []
    for i in range(1, len(text)):
        ch = text[i]
        if not (ch.isdigit() or ch in "(第附" or _IDEOGRAPH_RE.match(ch)):
            continue
        before = text[i - 1]
        if (before.isascii() and before.isalnum() and ch.isdigit()) or before in ".第":
            continue
        follows = before in _ITEM_BEFORE or before.isspace()
        if ch == "附" and follows and _ANNEX_RE.match(text, i):
            cuts.append(i)  # 附件：1.… starts the appendix
            continue
        m = match_marker(text, i)
        if m is None or m.type is MarkerType.CIRCLED:
            continue
        continues = m.number == last.get(m.type, 0) + 1
        if short and not (continues and before in ")〕]】"):
            continue
        if m.type is MarkerType.CN and not follows and not (continues and m.number > 1):
            continue  # 一、 inside a phrase ("统一、规范"); "…工作部四、保障要素" continues 三、
        opens = m.number == 1 and (follows or (cuts and i - cuts[-1] <= 40))  # a list right after its heading
        if opens or (continues and (follows or m.number > 1 or m.type is not MarkerType.CN)):
            cuts.append(i)
            last[m.type] = m.number
    if not cuts:
        return [ln]
    pieces: list[_Line] = []
    bounds = [0, *cuts, len(text)]
    for a, b in itertools.pairwise(bounds):
        if a == b:
            continue
        bold = [(max(x - a, 0), min(y, b) - a) for x, y in ln.bold if x < b and y > a]
        end_off = ln.offs[b] if b < len(ln.offs) else ln.end_off
        pieces.append(_Line(ln.chars[a:b], ln.offs[a:b], bold, end_off, ln.width, ln.is_table, ln.md_heading))
    return pieces


def normalize(original: str) -> NormalizedText:
    lines: list[_Line] = []
    pos = 0
    for raw in original.split("\n"):
        base = pos
        pos += len(raw) + 1
        ln = _clean_line(raw.replace("\r", ""), base)
        ln.width = _width(raw)
        text = ln.text
        if not text.strip() or _is_footer(text) or (_RULE_RE.fullmatch(text) and "|" not in text):
            continue
        ln.is_table = "\t" in text.strip(" ") or text.count("|") >= 1
        if not ln.is_table:
            _drop_cjk_spaces(ln)
        else:
            _strip_ends(ln)
            _drop_spaces_after_commas(ln)
        _sentence_periods(ln)
        if ln.chars:
            lines.append(ln)
    lines = _split_run_ons(_glue_fragments(_rebuild_flat_tables(lines)))
    wrap = _wrap_width(lines)

    out_chars: list[str] = []
    out_offs: list[int] = []
    bold: list[tuple[int, int]] = []
    flat: list[tuple[int, int]] = []
    prev: _Line | None = None
    for ln in lines:
        if prev is not None and not _should_join(prev, ln, wrap):
            out_chars.append("\n")
            out_offs.append(prev.end_off - 1 if prev.end_off > 0 else 0)
        base = len(out_chars)
        out_chars.extend(ln.chars)
        out_offs.extend(ln.offs)
        bold.extend((base + a, base + b) for a, b in ln.bold)
        if ln.flat:
            flat.append((base, len(out_chars)))
        prev = ln
    out_offs.append(len(original))
    return NormalizedText("".join(out_chars), out_offs, _merge_ranges(bold), flat)


# --- tables flattened one cell per line (web pages) ---------------------------------------

_CELL_MAX = 40
_NUMERIC_CELL_RE = re.compile(
    r"[≥≤<>=约]?\s*\d[\d.,]*\s*(?:%|‰|‱)?(?:左右|以上|以下|以内)?|/|-|—|\d+(?:\.\d+)?\s*[-~—]\s*\d+(?:\.\d+)?"
)
_ROW_NO_RE = re.compile(r"^(?:(\d{1,2})(?:[.、．]\s*(?=\S)|$)|\((\d{1,2})\)(?:\s*(?=\S)|$))")
_FLAT_MIN_LINES = 12
_ANNEX_LINE_RE = re.compile(r"附\s*件\s*[:：]?\s*$")
_YEAR_RE = re.compile(r"(?:19|20)\d{2}")
_FLAT_MIN_ROWS = 3


def _cell_like(ln: _Line) -> bool:
    if len(ln.chars) > _CELL_MAX + 4 or ln.is_table:
        return False
    text = ln.text.strip()
    if not 0 < len(text) <= _CELL_MAX or PAGE_FIELD_LINE_RE.match(text) or _ANNEX_LINE_RE.match(text):
        return False  # (附件：1.… is a list of annexes, not a table's cells)
    head = match_marker(text)  # 三、主要任务 or (一)… after a table opens the text again
    return head is None or head.type not in (MarkerType.CHAPTER, MarkerType.CN, MarkerType.PAREN_CN)


def _row_no(lines: list[_Line], i: int, expected: int) -> bool:
    """Line ``i`` opens table row ``expected``: "3.婴儿死亡率", "(3)", or "3" with the row's text after it."""
    text = lines[i].text.strip()
    m = _ROW_NO_RE.match(text)
    if not m or int(m.group(1) or m.group(2)) != expected:
        return False
    if m.end() < len(text):
        return True
    nxt = lines[i + 1].text.strip() if i + 1 < len(lines) else ""
    return len(_IDEOGRAPH_RE.findall(nxt)) >= 3 and not _NUMERIC_CELL_RE.fullmatch(nxt)


def _rebuild_flat_tables(lines: list[_Line]) -> list[_Line]:
    """A table a web page flattened to one cell per line becomes one TAB-separated line per row.

    A run of short lines with numbered rows (1.、2.… or (1)、(2)…, counting up) and many
    figures is such a table: the lines before its first row are its header, each row runs
    to the next row number. Without this the cells would be glued into one another
    ("79.63" + "81" → "79.6381").
    """
    out: list[_Line] = []
    i = 0
    while i < len(lines):
        if not _cell_like(lines[i]):
            out.append(lines[i])
            i += 1
            continue
        j = i
        while j < len(lines) and _cell_like(lines[j]):
            j += 1
        run = lines[i:j]
        rows: list[int] = []
        for k in range(len(run)):
            if _row_no(run, k, len(rows) + 1):
                rows.append(k)
        numeric = sum(
            1 for ln in run if _NUMERIC_CELL_RE.fullmatch(ln.text.strip()) and not _YEAR_RE.fullmatch(ln.text.strip())
        )
        if len(run) >= _FLAT_MIN_LINES and len(rows) >= _FLAT_MIN_ROWS and numeric * 4 >= len(run):
            bounds = ([0] if rows[0] > 0 else []) + rows + [len(run)]
            for a, b in itertools.pairwise(bounds):
                out.append(_tab_join(run[a:b]))
        else:
            out.extend(run)
        i = j
    return out


def _tab_join(cells: list[_Line]) -> _Line:
    row = _Line([], [], [], cells[-1].end_off, max(c.width for c in cells), is_table=True, flat=True)
    for n, cell in enumerate(cells):
        _strip_ends(cell)
        if n:
            row.chars.append("\t")
            row.offs.append(row.offs[-1] if row.offs else cell.offs[0])
        row.chars.extend(cell.chars)
        row.offs.extend(cell.offs)
    return row


_COMMA_LIKE = ",，、;；:：。!！?？"


def _drop_spaces_after_commas(ln: _Line) -> None:
    """In a table line, a space between a comma-like mark and Chinese text ("建设, 对于",
    "区卫健局、 区财政局") is typing noise, never a separator: the mark separates already."""
    chars = ln.chars
    drop: set[int] = set()
    i = 1
    while i < len(chars):
        j = i
        while j < len(chars) and chars[j] == " ":
            j += 1
        if j > i and chars[i - 1] in _COMMA_LIKE and j < len(chars) and is_cjk(chars[j]):
            drop.update(range(i, j))
        i = j + 1
    if not drop:
        return
    remap: list[int] = []
    keep = 0
    for i in range(len(chars) + 1):
        remap.append(keep)
        if i < len(chars) and i not in drop:
            keep += 1
    ln.bold = [(remap[a], remap[b]) for a, b in ln.bold if remap[a] < remap[b]]
    ln.chars = [c for i, c in enumerate(chars) if i not in drop]
    ln.offs = [o for i, o in enumerate(ln.offs) if i not in drop]


def _strip_ends(ln: _Line) -> None:
    while ln.chars and ln.chars[-1] in " \r":
        ln.chars.pop()
        ln.offs.pop()
    k = 0
    while k < len(ln.chars) and ln.chars[k] == " ":
        k += 1
    if k:
        del ln.chars[:k]
        del ln.offs[:k]
        ln.bold = [(max(a - k, 0), b - k) for a, b in ln.bold if b - k > 0]


def _merge_ranges(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for a, b in sorted(ranges):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


_FULL_WIDTH = {"(": "（", ")": "）", ":": "：", ";": "；", ",": "，", "!": "！", "?": "？"}
_DISPLAY_RE = re.compile(r"[():;,!?]")


def display(text: str) -> str:
    """Normalised text back to Chinese typography: ASCII punctuation next to Chinese becomes full width."""

    def repl(m: re.Match[str]) -> str:
        i = m.start()
        prev = text[i - 1] if i > 0 else ""
        nxt = text[i + 1] if i + 1 < len(text) else ""
        if (prev.isascii() and prev.isalnum()) and (nxt.isascii() and nxt.isalnum()):
            return m.group(0)  # 1:2, 3,000
        if m.group(0) in "()" or is_cjk(prev) or is_cjk(nxt) or prev in "”）)" or nxt in "“（(":
            return _FULL_WIDTH[m.group(0)]
        return m.group(0)

    return _DISPLAY_RE.sub(repl, text)
