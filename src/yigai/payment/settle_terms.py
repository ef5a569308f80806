"""Per-hospital settlement terms (考核系数, 月度已预拨, 医保已记账) read from a CSV or XLSX sheet.

The annual clearing needs, per hospital, the assessment coefficient from the year's
performance review, the advances already paid month by month, and optionally the fund
amount the insurance office booked. Offices keep these in a spreadsheet, one row per
hospital. A blank cell keeps the default (coefficient 1, no advances, booked = the fund paid
on the hospital's DIP cases). Every problem in the sheet is reported together, by row and
column; none is skipped, so a typo in a header or a number cannot quietly settle a hospital
on defaults.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from yigai.domain.errors import DocumentError
from yigai.tabular import Limits, TableFileError, cell_text, read_table

# header (Chinese or English) → field
TERM_COLUMNS: Mapping[str, str] = {
    "机构": "hospital",
    "医疗机构": "hospital",
    "定点医疗机构": "hospital",
    "hospital": "hospital",
    "考核系数": "assessment",
    "年度考核系数": "assessment",
    "assessment": "assessment",
    "月度预拨": "advances",
    "已预拨": "advances",
    "预拨金额": "advances",
    "advances": "advances",
    "医保已记账": "booked_fund",
    "记账金额": "booked_fund",
    "booked_fund": "booked_fund",
}
TERM_LABELS: Mapping[str, str] = {
    "hospital": "机构",
    "assessment": "考核系数",
    "advances": "月度预拨",
    "booked_fund": "医保已记账",
}
LIMITS = Limits(max_file_bytes=5 * 1024 * 1024, max_uncompressed_bytes=50 * 1024 * 1024)


class SettleTermsError(DocumentError):
    """The terms sheet cannot be used; ``problems`` lists every (row, column, Chinese, English)."""

    message_zh = "结算参数表有误"

    def __init__(self, source: str, problems: Sequence[tuple[int, str, str, str]]) -> None:
        self.problems = list(problems)
        first = self.problems[0]
        more_en = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        more_zh = f"（另有 {len(self.problems) - 1} 处）" if len(self.problems) > 1 else ""
        super().__init__(
            f"row {first[0]}, {first[1]}: {first[3]}{more_en}",
            message_zh=f"第{first[0]}行 {first[1]}：{first[2]}{more_zh}",
            where=source,
        )

    def lines(self) -> list[str]:
        return [f"{self.where} 第{row}行 row {row} {col}: {zh} / {en}" for row, col, zh, en in self.problems]


@dataclass(frozen=True)
class HospitalTerms:
    hospital: str
    assessment: float | None = None
    advances: float | None = None
    booked_fund: float | None = None


@dataclass(frozen=True)
class SettleTerms:
    hospitals: tuple[HospitalTerms, ...]

    def assessment(self) -> dict[str, float]:
        return {t.hospital: t.assessment for t in self.hospitals if t.assessment is not None}

    def advances(self) -> dict[str, float]:
        return {t.hospital: t.advances for t in self.hospitals if t.advances is not None}

    def booked_fund(self) -> dict[str, float] | None:
        booked = {t.hospital: t.booked_fund for t in self.hospitals if t.booked_fund is not None}
        return booked or None

    def names(self) -> list[str]:
        return [t.hospital for t in self.hospitals]


def _number(value: object) -> float | None:
    """None for a blank cell; ValueError for anything that is not a finite number."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = cell_text(value).replace(",", "").replace("，", "")
        if not text:
            return None
        number = float(text)
    if not math.isfinite(number):
        raise ValueError(value)
    return number


def parse_terms(
    header: Sequence[object], rows: Iterable[Sequence[object]], source: str = "", numbers: Iterable[int] | None = None
) -> SettleTerms:
    """Read the sheet's header and rows (row 1 is the header); raise ``SettleTermsError`` with every problem.

    ``numbers`` gives each row's number in the file where rows are not consecutive (blank rows left out).
    """
    problems: list[tuple[int, str, str, str]] = []
    names = [cell_text(h) for h in header]
    fields: list[str | None] = []
    for name in names:
        field = TERM_COLUMNS.get(name) or TERM_COLUMNS.get(name.lower())
        if name and field is None:
            problems.append(
                (
                    1,
                    name,
                    f"未知的列「{name}」（可用：{'、'.join(TERM_LABELS.values())}）",
                    f"unknown column {name!r} (known: hospital, assessment, advances, booked_fund)",
                )
            )
        elif field is not None and field in fields:
            problems.append((1, name, f"列「{TERM_LABELS[field]}」出现两次", f"column {field} appears twice"))
            field = None
        fields.append(field)
    if "hospital" not in fields:
        problems.append((1, "机构", "缺少「机构」列", "the hospital column is missing"))
    if problems:
        raise SettleTermsError(source, problems)
    seen: dict[str, int] = {}
    terms: list[HospitalTerms] = []
    for number, row in zip(itertools.count(2) if numbers is None else numbers, rows, strict=False):
        cells = dict(zip(fields, row, strict=False))
        cells.pop(None, None)
        if all(cell_text(v) == "" for v in cells.values()):
            continue
        hospital = cell_text(cells.get("hospital"))
        if not hospital:
            problems.append((number, "机构", "机构名称为空", "the hospital name is blank"))
            continue
        if hospital in seen:
            problems.append(
                (
                    number,
                    "机构",
                    f"「{hospital}」重复（首次在第{seen[hospital]}行）",
                    f"{hospital} appears again (first on row {seen[hospital]})",
                )
            )
            continue
        seen[hospital] = number
        values: dict[str, float | None] = {}
        for field in ("assessment", "advances", "booked_fund"):
            raw = cells.get(field)
            try:
                value = _number(raw)
            except ValueError:
                problems.append(
                    (number, TERM_LABELS[field], f"「{cell_text(raw)}」不是数字", f"{cell_text(raw)!r} is not a number")
                )
                continue
            if value is not None and value < 0:
                problems.append((number, TERM_LABELS[field], "不能为负数", "must not be negative"))
                continue
            values[field] = value
        terms.append(
            HospitalTerms(hospital, values.get("assessment"), values.get("advances"), values.get("booked_fund"))
        )
    if problems:
        raise SettleTermsError(source, problems)
    return SettleTerms(tuple(terms))


def load_terms(path: Path) -> SettleTerms:
    """Read a terms sheet: CSV (UTF-8 or GB18030), the first sheet of an XLSX workbook, or Parquet."""
    try:
        sheet = read_table(path, limits=LIMITS)
    except TableFileError as exc:
        raise SettleTermsError(path.name, [(1, "", exc.message_zh, str(exc))]) from None
    return parse_terms(sheet.header, [r.cells for r in sheet.rows], path.name, [r.number for r in sheet.rows])
