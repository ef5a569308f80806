"""集采医保资金结余留用: volume-based procurement savings retention.

Per hospital, procurement year and generic (中选 and 同通用名非中选 products together,
one input row per product or per generic):

    budget   = Σ base_volume × base_price × reimbursement_ratio
    actual   = Σ actual fund spending on the generic in the agreement year
    saving   = max(0, budget − actual)
    retained = saving × min(share, cap) × assessment     if the agreed volume was completed
             = 0                                           otherwise (withheld, 不予留用)

``share`` is the share the plan grants (仓山: "不高于50%的医保结余基金"); ``cap`` is the plan's
ceiling (default 0.5), so a share above the cap is cut to the cap. ``assessment`` is the
hospital's assessment coefficient k ∈ [0, 1] for the year; every row of one hospital and year
must carry the same value. Amounts are ``Decimal`` so results never depend on record order.

Inputs come from CSV, XLSX (first sheet, header row) or Parquet, read by :mod:`yigai.tabular`. Bad records are listed with their row
number and field and set aside; the rest are computed. Pure functions, no storage.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from yigai.tabular import read_table

ZERO = Decimal(0)
ONE = Decimal(1)
DEFAULT_CAP = Decimal("0.5")

#: column name → accepted header spellings (English or Chinese)
COLUMNS: dict[str, tuple[str, ...]] = {
    "hospital": ("hospital", "医疗机构", "机构"),
    "year": ("year", "年度", "采购年度"),
    "generic": ("generic", "通用名"),
    "product": ("product", "产品", "药品"),
    "selected": ("selected", "中选"),
    "base_volume": ("base_volume", "基期用量"),
    "base_price": ("base_price", "基期价格"),
    "ratio": ("ratio", "reimbursement_ratio", "报销比例"),
    "actual_fund": ("actual_fund", "实际医保支出"),
    "agreed_volume": ("agreed_volume", "约定采购量"),
    "completed_volume": ("completed_volume", "实际采购量"),
    "assessment": ("assessment", "考核系数"),
}
REQUIRED = ("hospital", "year", "generic", "base_volume", "base_price", "ratio", "actual_fund")


@dataclass(frozen=True, slots=True)
class VbpRecord:
    """One product (or one whole generic) of one hospital in one procurement year."""

    hospital: str
    year: int
    generic: str
    base_volume: Decimal
    base_price: Decimal
    ratio: Decimal
    actual_fund: Decimal
    product: str = ""
    selected: bool | None = None
    agreed_volume: Decimal | None = None
    completed_volume: Decimal | None = None
    assessment: Decimal = ONE
    row: int = 0


@dataclass(frozen=True, slots=True)
class BadRecord:
    row: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.field}: {self.reason}"


@dataclass(frozen=True, slots=True)
class GenericResult:
    hospital: str
    year: int
    generic: str
    budget: Decimal
    actual: Decimal
    saving: Decimal
    share: Decimal
    assessment: Decimal
    volume_completed: bool
    retained: Decimal


@dataclass(frozen=True, slots=True)
class HospitalResult:
    hospital: str
    year: int
    budget: Decimal
    actual: Decimal
    saving: Decimal
    retained: Decimal
    generics: tuple[GenericResult, ...]


@dataclass(frozen=True, slots=True)
class RetentionReport:
    hospitals: tuple[HospitalResult, ...]
    bad: tuple[BadRecord, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def retained(self) -> Decimal:
        return sum((h.retained for h in self.hospitals), ZERO)


def effective_share(share: Decimal | float | str, cap: Decimal | float | str = DEFAULT_CAP) -> Decimal:
    """The share actually applied: ``min(share, cap)``; both must lie in [0, 1]."""
    s, c = Decimal(str(share)), Decimal(str(cap))
    for name, value in (("share", s), ("cap", c)):
        if not ZERO <= value <= ONE:
            raise ValueError(f"{name} must lie in [0, 1], got {value}")
    return min(s, c)


def _volume_completed(records: Sequence[VbpRecord]) -> bool:
    agreed = [r.agreed_volume for r in records if r.agreed_volume is not None]
    if not agreed:
        return True  # no agreed volume given: nothing to complete
    done = sum((r.completed_volume or ZERO for r in records), ZERO)
    return done >= sum(agreed, ZERO)


def retain(
    records: Iterable[VbpRecord],
    share: Decimal | float | str = DEFAULT_CAP,
    cap: Decimal | float | str = DEFAULT_CAP,
    bad: Iterable[BadRecord] = (),
) -> RetentionReport:
    """Savings and retained amounts per hospital, year and generic (see the module docstring)."""
    applied = effective_share(share, cap)
    notes: list[str] = []
    if applied < Decimal(str(share)):
        notes.append(f"share {share} above the cap {cap}: {applied} applied / 留用比例超过上限，按上限计")
    bad_list = list(bad)
    by_generic: dict[tuple[str, int, str], list[VbpRecord]] = defaultdict(list)
    assessment: dict[tuple[str, int], tuple[Decimal, int]] = {}
    for r in records:
        known = assessment.setdefault((r.hospital, r.year), (r.assessment, r.row))
        if known[0] != r.assessment:
            bad_list.append(
                BadRecord(
                    r.row,
                    "assessment",
                    f"{r.assessment} differs from {known[0]} on row {known[1]} "
                    f"for {r.hospital} {r.year} / 同一机构同一年度考核系数不一致",
                )
            )
            continue
        by_generic[(r.hospital, r.year, r.generic)].append(r)
    per_hospital: dict[tuple[str, int], list[GenericResult]] = defaultdict(list)
    for (hospital, year, generic), rows in by_generic.items():
        budget = sum((r.base_volume * r.base_price * r.ratio for r in rows), ZERO)
        actual = sum((r.actual_fund for r in rows), ZERO)
        saving = max(ZERO, budget - actual)
        completed = _volume_completed(rows)
        k = assessment[(hospital, year)][0]
        retained = saving * applied * k if completed else ZERO
        per_hospital[(hospital, year)].append(
            GenericResult(hospital, year, generic, budget, actual, saving, applied, k, completed, retained)
        )
    hospitals = []
    for (hospital, year), generics in sorted(per_hospital.items()):
        generics.sort(key=lambda g: g.generic)
        hospitals.append(
            HospitalResult(
                hospital,
                year,
                budget=sum((g.budget for g in generics), ZERO),
                actual=sum((g.actual for g in generics), ZERO),
                saving=sum((g.saving for g in generics), ZERO),
                retained=sum((g.retained for g in generics), ZERO),
                generics=tuple(generics),
            )
        )
    bad_list.sort(key=lambda b: (b.row, b.field))
    return RetentionReport(tuple(hospitals), tuple(bad_list), tuple(notes))


# -- reading ---------------------------------------------------------------------------------


def _header_map(header: Sequence[object]) -> dict[str, int]:
    found: dict[str, int] = {}
    names = [str(h).strip().lower() if h is not None else "" for h in header]
    for key, spellings in COLUMNS.items():
        for i, name in enumerate(names):
            if name in {s.lower() for s in spellings}:
                found.setdefault(key, i)
    return found


def _decimal(value: object, name: str, *, positive_only: bool = False) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r} / 非数字") from None
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    if number < 0 or (positive_only and number == 0):
        raise ValueError(f"{'must be positive' if positive_only else 'negative'}: {value} / 不能为负")
    return number


_TRUE = {"1", "true", "yes", "y", "是", "中选"}
_FALSE = {"0", "false", "no", "n", "否", "非中选"}


def parse_rows(
    rows: Iterable[Mapping[str, object]], first_row: int = 2, numbers: Iterable[int] | None = None
) -> tuple[list[VbpRecord], list[BadRecord]]:
    """Validate raw rows (keys as in ``COLUMNS``); rows are numbered as in the file (header = 1).

    ``numbers`` gives each row's number in the file where rows are not consecutive (blank rows left out).
    """
    good: list[VbpRecord] = []
    bad: list[BadRecord] = []
    seen: dict[tuple[str, int, str, str], int] = {}
    for n, raw in zip(itertools.count(first_row) if numbers is None else numbers, rows, strict=False):
        values = {k: v for k, v in raw.items() if v is not None and str(v).strip() != ""}
        if not values:
            continue  # blank line
        errors: list[BadRecord] = [BadRecord(n, k, "missing / 缺失") for k in REQUIRED if k not in values]
        parsed: dict[str, Any] = {}  # VbpRecord's fields by name: text, year, yes/no and amounts
        for key, value in values.items():
            try:
                if key in ("hospital", "generic", "product"):
                    parsed[key] = str(value).strip()
                elif key == "year":
                    year = Decimal(str(value).strip())
                    if year != year.to_integral_value() or not 1900 <= year <= 2200:
                        raise ValueError(f"not a year: {value!r}")
                    parsed[key] = int(year)
                elif key == "selected":
                    text = str(value).strip().lower()
                    if text not in _TRUE | _FALSE:
                        raise ValueError(f"not yes/no: {value!r}")
                    parsed[key] = text in _TRUE
                elif key == "ratio":
                    ratio = _decimal(value, key, positive_only=True)
                    if ratio > 1:
                        raise ValueError(f"ratio above 1: {value}")
                    parsed[key] = ratio
                elif key == "assessment":
                    k = _decimal(value, key)
                    if k > 1:
                        raise ValueError(f"assessment coefficient above 1: {value}")
                    parsed[key] = k
                elif key in COLUMNS:
                    parsed[key] = _decimal(value, key)
            except (ValueError, InvalidOperation) as exc:
                errors.append(BadRecord(n, key, str(exc)))
        if not errors:
            dup_key = (
                str(parsed["hospital"]),
                int(parsed["year"]),
                str(parsed["generic"]),
                str(parsed.get("product", "")),
            )
            if dup_key in seen:
                errors.append(BadRecord(n, "product", f"duplicate of row {seen[dup_key]} / 重复记录"))
            else:
                seen[dup_key] = n
        if errors:
            bad.extend(errors)
            continue
        good.append(VbpRecord(row=n, **parsed))
    return good, bad


def read_records(path: Path) -> tuple[list[VbpRecord], list[BadRecord]]:
    """Read a CSV or XLSX file: header row, then one row per product or generic."""
    sheet = read_table(Path(path))
    if not sheet.header:
        return [], [BadRecord(1, "header", "empty file / 空文件")]
    columns = _header_map(sheet.header)
    missing = [k for k in REQUIRED if k not in columns]
    if missing:
        return [], [BadRecord(1, k, "column missing / 缺少列") for k in missing]
    rows = [{k: line.cells[i] for k, i in columns.items()} for line in sheet.rows]
    if not any(any(v not in (None, "") for v in row.values()) for row in rows):
        return [], [BadRecord(1, "header", "no records below the header / 表头下没有记录")]
    return parse_rows(rows, numbers=[line.number for line in sheet.rows])


def retain_file(
    path: Path, share: Decimal | float | str = DEFAULT_CAP, cap: Decimal | float | str = DEFAULT_CAP
) -> RetentionReport:
    records, bad = read_records(path)
    return retain(records, share, cap, bad)
