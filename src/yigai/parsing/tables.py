"""Tables in plan text: tab-separated, markdown pipe, and pipe tables broken one cell per line.

Handles a header repeated on every page, rows broken across pages (a row with
only text cells continues the row above) and blank cells that inherit from the
row above (merged cells in the original).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

HEADER_WORDS = (
    "序号",
    "指标名称",
    "指标",
    "统计口径",
    "类型",
    "指标属性",
    "属性",
    "目标值",
    "主要任务",
    "具体措施",
    "牵头部门",
    "牵头单位",
    "责任单位",
    "配合部门",
    "配合单位",
    "类别",
    "完成时间",
    "完成时限",
    "一级指标",
    "二级指标",
    "项目",
    "重点项目",
    "工作任务",
    "任务",
    "措施",
    "备注",
    "现状值",
    "基期值",
    "重点任务",
    "主办单位",
    "协办单位",
    "主责单位",
    "责任科室",
    "牵头科室",
    "配合科室",
    "参与单位",
    "工作内容",
)
_ITEM_RE = re.compile(r"(?:\d{1,3}\s*[、.](?!\d)|\(\d{1,3}\))")
_GROUP_RE = re.compile(r"[一二三四五六七八九十]{1,3}、")
_SPACES_NEAR_CJK = re.compile(
    r"(?<=[\u4e00-\u9fff\d%‰)）])\s+(?=[\u4e00-\u9fff\d(（])|(?<=[\u4e00-\u9fff])\s+|\s+(?=[\u4e00-\u9fff])"
)


def clean_cell(text: str) -> str:
    """Drop layout spaces inside a cell ("5 岁以下" → "5岁以下"), keep spaces between names."""
    return text.strip()


def compact(text: str) -> str:
    return _SPACES_NEAR_CJK.sub("", text.strip())


@dataclass(slots=True)
class Cell:
    text: str
    start: int  # normalised offsets; start == end for an empty cell
    end: int


@dataclass(slots=True)
class Row:
    cells: list[Cell]
    start: int
    end: int
    inherited: set[int] = field(default_factory=set)  # columns filled from the row above

    def text(self, col: int) -> str:
        return self.cells[col].text if col < len(self.cells) else ""


@dataclass(slots=True)
class Table:
    header: list[str]
    rows: list[Row]
    start: int
    end: int
    caption: str = ""
    caption_start: int = 0

    def col(self, *names: str) -> int | None:
        """Index of the first header column containing one of ``names``."""
        for name in names:
            for i, h in enumerate(self.header):
                if name in h:
                    return i
        return None


def is_header(cells: list[str]) -> bool:
    filled = [c for c in cells if c]
    if len(filled) < 2:
        return False
    hits = sum(1 for c in filled if any(c == w or (w in c and len(c) <= len(w) + 6) for w in HEADER_WORDS))
    return hits >= max(2, len(filled) // 2)


def _split_line(line: str, start: int) -> list[Cell]:
    """One physical table line → cells with offsets."""
    cells: list[Cell] = []
    sep = "\t" if "\t" in line else "|"
    body = line
    base = start
    if sep == "|":
        stripped = body.strip()
        lead = body.find(stripped)
        body, base = stripped, start + lead
        if body.startswith("|"):
            body, base = body[1:], base + 1
        if body.endswith("|"):
            body = body[:-1]
    pos = 0
    for part in body.split(sep):
        text = part.strip()
        off = base + pos + (part.find(text) if text else 0)
        cells.append(Cell(text, off, off + len(text)))
        pos += len(part) + 1
    return cells


def _is_rule(cells: list[Cell]) -> bool:
    return bool(cells) and all(re.fullmatch(r":?-{2,}:?", c.text) for c in cells if c.text)


def _broken_pipe(lines: list[tuple[str, int]]) -> bool:
    """Pipe tables exported one cell per line: most lines hold a single trailing pipe."""
    singles = sum(1 for text, _ in lines if text.rstrip().endswith("|") and text.count("|") == 1)
    return singles >= max(3, len(lines) // 2)


def _cell_stream(lines: list[tuple[str, int]]) -> list[Cell]:
    cells: list[Cell] = []
    pending: Cell | None = None
    for text, start in lines:
        pos = 0
        for part in text.split("|"):
            piece = part.strip()
            off = start + pos + (part.find(piece) if piece else 0)
            pos += len(part) + 1
            if not piece:
                continue
            if pending is None:
                pending = Cell(piece, off, off + len(piece))
            else:  # a cell broken over two lines
                pending = Cell(pending.text + piece, pending.start, off + len(piece))
        if "|" in text and pending is not None:
            cells.append(pending)
            pending = None
    if pending is not None:
        cells.append(pending)
    return cells


def _rows_from_stream(cells: list[Cell], width: int) -> list[Row]:
    """Rebuild rows from a cell stream: a row opens at a group (一、) or item (1、) cell."""
    rows: list[Row] = []
    current: list[Cell] = []

    def flush() -> None:
        if current:
            rows.append(Row(list(current), current[0].start, current[-1].end))
            current.clear()

    for cell in cells:
        if _GROUP_RE.match(cell.text):
            flush()
            current.append(cell)
        elif _ITEM_RE.match(cell.text):
            if (current and not _GROUP_RE.match(current[0].text)) or (current and len(current) > 1):
                flush()
            if not current:
                current.append(Cell("", cell.start, cell.start))
            current.append(cell)
        else:
            if not current:
                current.append(Cell("", cell.start, cell.start))
                current.append(Cell("", cell.start, cell.start))
            current.append(cell)
    flush()
    for row in rows:
        while len(row.cells) < width:
            row.cells.append(Cell("", row.end, row.end))
    return rows


def parse_table(lines: list[tuple[str, int]]) -> Table:
    """Lines (text, normalised start offset) of one table block → Table."""
    end = lines[-1][1] + len(lines[-1][0])
    if _broken_pipe(lines):
        stream = _cell_stream(lines)
        header: list[str] = []
        caption = ""
        caption_start = lines[0][1]
        rest = stream
        for i in range(len(stream)):
            window = [c.text for c in stream[i : i + 8]]
            k = 0
            while k < len(window) and any(
                w == window[k] or (w in window[k] and len(window[k]) <= len(w) + 2) for w in HEADER_WORDS
            ):
                k += 1
            if k >= 2:
                header = window[:k]
                if i > 0:
                    caption, caption_start = stream[i - 1].text, stream[i - 1].start
                rest = stream[i + k :]
                break
        width = max(len(header), 2)
        return Table(header, _rows_from_stream(rest, width), lines[0][1], end, caption, caption_start)

    header = []
    rows: list[Row] = []
    for text, start in lines:
        cells = _split_line(text, start)
        if _is_rule(cells):
            continue
        texts = [c.text for c in cells]
        if is_header(texts):
            if not header:
                header = [compact(t) for t in texts]
            continue  # a header repeated on a new page
        rows.append(Row(cells, start, start + len(text)))
    width = len(header) or max((len(r.cells) for r in rows), default=0)
    for row in rows:
        while len(row.cells) < width:
            row.cells.append(Cell("", row.end, row.end))
        if len(row.cells) > width and width:
            extra = row.cells[width - 1 :]
            merged = " ".join(c.text for c in extra if c.text)
            row.cells = row.cells[: width - 1] + [Cell(merged, extra[0].start, extra[-1].end)]
    return Table(header, rows, lines[0][1], end)
