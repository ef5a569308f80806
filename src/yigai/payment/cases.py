"""Inpatient settlement records (医保结算清单 subset) and their loader.

Loading never drops a record silently: every problem is reported as a :class:`BadRecord`
naming the source row (1-based, header = row 1) and the field; a record with any problem
is set aside and the rest continue. No I/O happens outside :func:`load_cases`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from yigai.domain.codes import ICD9_PATTERN, ICD10_PATTERN
from yigai.tabular import cell_text, read_table

INSURANCE_TYPES = ("职工", "居民")

# The one rule for a well-formed 医保版 ICD-10 / ICD-9-CM-3 code (K80.100, I10.x00, J18.900x001,
# A01.002+G01*; 51.2300, 33.6x00, 47.0100x001) lives in yigai.domain.codes.
ICD10_RE = re.compile(f"^{ICD10_PATTERN}$")
ICD9CM3_RE = re.compile(f"^{ICD9_PATTERN}$")
# A DRG code as grouped (CHS-DRG AH11, QY groups such as BQY, 0000) or a region's subgroup (BV11B).
DRG_RE = re.compile(r"^[0-9A-Z]{3,6}$")

FIELDS = (
    "case_id",
    "hospital",
    "hospital_level",
    "insurance",
    "admission",
    "discharge",
    "los",
    "main_dx",
    "other_dx",
    "main_proc",
    "other_procs",
    "total_cost",
    "fund_paid",
    "patient_paid",
    "discharge_status",
    "year",
    "drg",
)
# Chinese column headers accepted as aliases of the field names.
ALIASES = {
    "病案号": "case_id",
    "结算编号": "case_id",
    "医疗机构": "hospital",
    "机构等级": "hospital_level",
    "医院等级": "hospital_level",
    "险种": "insurance",
    "入院日期": "admission",
    "出院日期": "discharge",
    "住院天数": "los",
    "主要诊断": "main_dx",
    "其他诊断": "other_dx",
    "主要手术操作": "main_proc",
    "其他手术操作": "other_procs",
    "总费用": "total_cost",
    "医保基金支付": "fund_paid",
    "统筹支付": "fund_paid",
    "个人支付": "patient_paid",
    "离院方式": "discharge_status",
    "年度": "year",
    "DRG编码": "drg",
    "DRG": "drg",
    "DRG组": "drg",
}
REQUIRED = ("case_id", "hospital", "hospital_level", "admission", "discharge", "main_dx", "total_cost")
ZERO_COST = "总费用为 0 / zero total cost"
LIST_SEP = re.compile(r"[;；,，|\s]+")


@dataclass(frozen=True)
class Case:
    case_id: str
    hospital: str
    hospital_level: str
    main_dx: str
    total_cost: float
    admission: dt.date
    discharge: dt.date
    insurance: str = "职工"
    other_dx: tuple[str, ...] = ()
    main_proc: str = ""
    other_procs: tuple[str, ...] = ()
    fund_paid: float = 0.0
    patient_paid: float = 0.0
    discharge_status: str = ""
    los: int | None = None
    year: int | None = None
    drg: str = ""  # the DRG the case was grouped to, when the file gives one

    @property
    def settle_year(self) -> int:
        return self.year if self.year is not None else self.discharge.year

    @property
    def month(self) -> int:
        return self.discharge.month

    @property
    def procedures(self) -> tuple[str, ...]:
        """The procedure combination: main and other procedures, de-duplicated and sorted."""
        return tuple(sorted({p for p in (self.main_proc, *self.other_procs) if p}))


@dataclass(frozen=True)
class BadRecord:
    row: int
    field: str
    value: str
    reason: str
    case_id: str = ""

    def __str__(self) -> str:
        return f"第{self.row}行 {self.field}={self.value!r}: {self.reason}"


@dataclass
class LoadResult:
    cases: list[Case] = field(default_factory=list)
    bad: list[BadRecord] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)  # the source row of each accepted case

    @property
    def bad_rows(self) -> list[int]:
        return sorted({b.row for b in self.bad})


def _date(v: object) -> dt.date:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    s = cell_text(v).replace("/", "-").replace(".", "-")
    if re.fullmatch(r"\d{8}", s):
        s = f"{s[:4]}-{s[4:6]}-{s[6:]}"
    return dt.date.fromisoformat(s)


def _codes(v: object) -> tuple[str, ...]:
    return tuple(c for c in LIST_SEP.split(cell_text(v)) if c)


def _canon(row: Mapping[str, object]) -> dict[str, object]:
    out: dict[str, object] = {}
    for k, v in row.items():
        if k is None:
            continue
        key = str(k).strip()
        out[ALIASES.get(key, key)] = v
    return out


def parse_row(raw: Mapping[str, object], row: int) -> tuple[Case | None, list[BadRecord]]:
    """Check one record; return the case, or ``None`` with every problem found."""
    r = _canon(raw)
    cid = cell_text(r.get("case_id"))
    bad: list[BadRecord] = []

    def err(f: str, reason: str) -> None:
        bad.append(BadRecord(row, f, cell_text(r.get(f)), reason, cid))

    for f in REQUIRED:
        if not cell_text(r.get(f)):
            err(f, "必填字段为空")
    dates: dict[str, dt.date] = {}
    for f in ("admission", "discharge"):
        if cell_text(r.get(f)):
            try:
                dates[f] = _date(r.get(f))
            except ValueError:
                err(f, "日期格式无效")
    if len(dates) == 2 and dates["discharge"] < dates["admission"]:
        err("discharge", "出院日期早于入院日期")
    main_dx = cell_text(r.get("main_dx")).upper()
    if main_dx and not ICD10_RE.match(main_dx):
        err("main_dx", "主要诊断编码格式无效 (应为医保版ICD-10, 如 K80.100)")
    other_dx = tuple(c.upper() for c in _codes(r.get("other_dx")))
    if any(not ICD10_RE.match(c) for c in other_dx):
        err("other_dx", "其他诊断编码格式无效")
    main_proc = cell_text(r.get("main_proc"))
    if main_proc and not ICD9CM3_RE.match(main_proc):
        err("main_proc", "手术操作编码格式无效 (应为医保版ICD-9-CM-3, 如 51.2300)")
    other_procs = _codes(r.get("other_procs"))
    if any(not ICD9CM3_RE.match(c) for c in other_procs):
        err("other_procs", "其他手术操作编码格式无效")
    drg = cell_text(r.get("drg")).upper()
    if drg and not DRG_RE.match(drg):
        err("drg", "DRG编码格式无效 (应为 3-6 位字母数字, 如 GB25)")
    money: dict[str, float] = {}
    for f in ("total_cost", "fund_paid", "patient_paid"):
        s = cell_text(r.get(f))
        if not s:
            money[f] = 0.0
            continue
        try:
            money[f] = float(s)
        except ValueError:
            err(f, "金额不是数字")
            continue
        if money[f] != money[f] or money[f] in (float("inf"), float("-inf")):
            err(f, "金额不是有限数")
        elif money[f] < 0:
            err(f, "金额为负")
        elif f == "total_cost" and money[f] == 0:  # a case that cost nothing has no place in a cost-based score
            err(f, ZERO_COST)
    insurance = cell_text(r.get("insurance")) or "职工"
    if insurance not in INSURANCE_TYPES:
        err("insurance", "险种应为 职工 或 居民")
    ints: dict[str, int | None] = {}
    for f in ("los", "year"):
        s = cell_text(r.get(f))
        try:
            ints[f] = int(s) if s else None
        except ValueError:
            err(f, "不是整数")
    if (los := ints.get("los")) is not None and los < 0:
        err("los", "住院天数为负")
    if bad:
        return None, bad
    return Case(
        case_id=cid,
        hospital=cell_text(r.get("hospital")),
        hospital_level=cell_text(r.get("hospital_level")),
        main_dx=main_dx,
        total_cost=money["total_cost"],
        admission=dates["admission"],
        discharge=dates["discharge"],
        insurance=insurance,
        other_dx=other_dx,
        main_proc=main_proc,
        other_procs=other_procs,
        fund_paid=money["fund_paid"],
        patient_paid=money["patient_paid"],
        discharge_status=cell_text(r.get("discharge_status")),
        los=ints.get("los"),
        year=ints.get("year"),
        drg=drg,
    ), []


def validate_rows(
    rows: Iterable[Mapping[str, object]], first_row: int = 2, numbers: Iterable[int] | None = None
) -> LoadResult:
    """Validate records in order; ``first_row`` is the source row number of the first record.

    ``numbers`` gives each record's source row where rows are not consecutive (blank rows left out).
    """
    out = LoadResult()
    seen: dict[str, int] = {}
    for row, raw in zip(itertools.count(first_row) if numbers is None else numbers, rows, strict=False):
        case, bad = parse_row(raw, row)
        if case is not None and case.case_id in seen:
            bad = [
                BadRecord(
                    row, "case_id", case.case_id, f"病案号重复 (首次出现在第{seen[case.case_id]}行)", case.case_id
                )
            ]
            case = None
        if case is None:
            out.bad.extend(bad)
        else:
            seen[case.case_id] = row
            out.cases.append(case)
            out.rows.append(row)
    return out


def load_cases(path: str | Path) -> LoadResult:
    """Load a CSV (UTF-8 or GB18030), XLSX (first sheet) or Parquet file, read by :mod:`yigai.tabular`."""
    sheet = read_table(Path(path))
    return validate_rows(sheet.records(), numbers=[r.number for r in sheet.rows])
