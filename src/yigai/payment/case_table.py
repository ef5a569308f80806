"""Cases as columns (an Arrow table) and a vectorised loader for large case files.

The columnar DIP engine (:mod:`yigai.payment.dip_columnar`) reads a :class:`CaseTable` instead of
one :class:`~yigai.payment.cases.Case` object per record, so a million-case year never becomes a
million Python objects.

The loader checks whole columns at once against a strict, common form (ISO or 8-digit dates,
plain decimal amounts, well-formed codes without stray spaces). Only the records that fail that
fast check go through :func:`yigai.payment.cases.parse_row`, the reference validator: it either
accepts them (an unusual but valid form, such as 2024/01/05) or names the row and field of every
problem. So the loader accepts and rejects exactly what :func:`~yigai.payment.cases.load_cases`
does, with the same messages, and bad records are set aside, never dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from yigai import tabular
from yigai.domain.codes import ICD9_PATTERN, ICD10_PATTERN
from yigai.payment.cases import ALIASES, INSURANCE_TYPES, BadRecord, Case, LoadResult, load_cases, parse_row

LIST_JOIN = ";"  # other diagnoses and procedures are kept as one string, codes joined by this

SCHEMA = pa.schema(
    [
        ("row", pa.int64()),
        ("case_id", pa.string()),
        ("hospital", pa.string()),
        ("hospital_level", pa.string()),
        ("insurance", pa.string()),
        ("admission", pa.date32()),
        ("discharge", pa.date32()),
        ("los", pa.int64()),
        ("main_dx", pa.string()),
        ("other_dx", pa.string()),
        ("main_proc", pa.string()),
        ("other_procs", pa.string()),
        ("total_cost", pa.float64()),
        ("fund_paid", pa.float64()),
        ("patient_paid", pa.float64()),
        ("discharge_status", pa.string()),
        ("year", pa.int64()),
        ("drg", pa.string()),
    ]
)

# Strict forms accepted by the fast check (RE2 syntax); anything else goes to parse_row.
_ICD10 = ICD10_PATTERN  # the one code rule, yigai.domain.codes
_ICD9 = ICD9_PATTERN
_CLEAN_TEXT = r"(?s)^[^\s\pZ\pC](.*[^\s\pZ\pC])?$"  # non-empty, no surrounding space or control
_SEPARATORS = r"[;；,，|\t\n\r\f\v ]+"
_AMOUNT = r"^[0-9]{1,15}(\.[0-9]{1,15})?$"
_INTEGER = r"^[0-9]{1,15}$"
_ISO_DATE = r"^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}$"
_DIGIT_DATE = r"^[1-9][0-9]{7}$"
_DRG = r"^([0-9A-Z]{3,6})?$"


@dataclass(frozen=True)
class CaseTable:
    """Validated cases, one Arrow column per field (see :data:`SCHEMA`); ``row`` is the source row."""

    table: pa.Table

    def __len__(self) -> int:
        return self.table.num_rows

    def column(self, name: str) -> pa.ChunkedArray:
        return self.table.column(name)

    def numbers(self, name: str) -> np.ndarray:
        """A float column as a NumPy array (no copy when the column has one chunk)."""
        return self.table.column(name).to_numpy()

    @property
    def settle_year(self) -> np.ndarray:
        """``year`` where given, else the discharge year (as :attr:`Case.settle_year`)."""
        year = pc.fill_null(self.table.column("year"), pc.year(self.table.column("discharge")))
        return year.to_numpy().astype(np.int64)

    @property
    def month(self) -> np.ndarray:
        return pc.month(self.table.column("discharge")).to_numpy().astype(np.int64)

    @classmethod
    def from_cases(cls, cases: Iterable[Case], rows: Sequence[int] | None = None) -> CaseTable:
        """Columns from case objects (the reference loader's output, or cases built in code)."""
        cs = list(cases)
        rownums = list(rows) if rows is not None else list(range(2, len(cs) + 2))
        data = {
            "row": rownums,
            "case_id": [c.case_id for c in cs],
            "hospital": [c.hospital for c in cs],
            "hospital_level": [c.hospital_level for c in cs],
            "insurance": [c.insurance for c in cs],
            "admission": [c.admission for c in cs],
            "discharge": [c.discharge for c in cs],
            "los": [c.los for c in cs],
            "main_dx": [c.main_dx for c in cs],
            "other_dx": [LIST_JOIN.join(c.other_dx) for c in cs],
            "main_proc": [c.main_proc for c in cs],
            "other_procs": [LIST_JOIN.join(c.other_procs) for c in cs],
            "total_cost": [c.total_cost for c in cs],
            "fund_paid": [c.fund_paid for c in cs],
            "patient_paid": [c.patient_paid for c in cs],
            "discharge_status": [c.discharge_status for c in cs],
            "year": [c.year for c in cs],
            "drg": [c.drg for c in cs],
        }
        return cls(pa.table(data, schema=SCHEMA))

    def to_cases(self) -> list[Case]:
        """Case objects again (for small tables: the reference engine and the tests)."""
        out = []
        for r in self.table.to_pylist():
            out.append(
                Case(
                    case_id=r["case_id"],
                    hospital=r["hospital"],
                    hospital_level=r["hospital_level"],
                    main_dx=r["main_dx"],
                    total_cost=r["total_cost"],
                    admission=r["admission"],
                    discharge=r["discharge"],
                    insurance=r["insurance"],
                    other_dx=tuple(c for c in r["other_dx"].split(LIST_JOIN) if c),
                    main_proc=r["main_proc"],
                    other_procs=tuple(c for c in r["other_procs"].split(LIST_JOIN) if c),
                    fund_paid=r["fund_paid"],
                    patient_paid=r["patient_paid"],
                    discharge_status=r["discharge_status"],
                    los=r["los"],
                    year=r["year"],
                    drg=r["drg"],
                )
            )
        return out

    @staticmethod
    def concat(tables: Sequence[CaseTable]) -> CaseTable:
        return CaseTable(pa.concat_tables([t.table for t in tables]).combine_chunks())


@dataclass
class TableLoad:
    cases: CaseTable
    bad: list[BadRecord]

    @property
    def bad_rows(self) -> list[int]:
        return sorted({b.row for b in self.bad})


def _is_text(a: pa.ChunkedArray) -> bool:
    return pa.types.is_string(a.type) or pa.types.is_large_string(a.type)


def _full(n: int, value: bool) -> np.ndarray:
    return np.full(n, value, dtype=bool)


def _mask(a: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """A boolean Arrow result as NumPy, null → False."""
    return np.asarray(pc.fill_null(a, False).to_numpy(zero_copy_only=False), dtype=bool)


def _blank(a: pa.ChunkedArray) -> np.ndarray:
    return _mask(pc.is_null(a)) | (_mask(pc.equal(a, "")) if _is_text(a) else _full(len(a), False))


class _Fast:
    """Whole-column checks against the strict common form.

    Each check returns the normalised column and a mask of the rows that pass; a row that does not
    pass is not necessarily bad: it goes to the reference validator.
    """

    def __init__(self, table: pa.Table) -> None:
        self.t = table
        self.n = table.num_rows

    def get(self, name: str) -> pa.Array | None:
        return self.t.column(name).combine_chunks() if name in self.t.column_names else None

    def _strings(self, name: str) -> pa.Array | None:
        """The column as text, nulls as "" (both are blank to the reference); None when not text."""
        a = self.get(name)
        if a is None:
            return None
        if pa.types.is_integer(a.type):
            a = pc.cast(a, pa.string())
        if not _is_text(a):
            return None
        return pc.fill_null(pc.cast(a, pa.string()), "")

    def _distinct(
        self, a: pa.Array, per_value: Callable[[pa.Array], tuple[pa.Array, np.ndarray]], distinct: bool
    ) -> tuple[pa.Array, np.ndarray]:
        """``per_value`` (normalised values, rows that pass) run once per distinct value, spread to the rows.

        Hospitals, levels, codes and the like repeat: checking each distinct value once is much
        cheaper than a regular expression over a million rows.
        """
        if not distinct:
            return per_value(a)
        enc = a.dictionary_encode()
        values, ok = per_value(enc.dictionary)
        idx = enc.indices
        return values.take(idx), ok[idx.to_numpy()]

    def text(
        self,
        name: str,
        required: bool,
        default: str = "",
        distinct: bool = True,
        allowed: Callable[[pa.Array], np.ndarray] | None = None,
    ) -> tuple[pa.Array, np.ndarray]:
        """Non-empty text without surrounding spaces; blank → ``default`` unless ``required``."""
        a = self._strings(name)
        if a is None:
            missing = name not in self.t.column_names
            values = pa.array([default if missing else None] * self.n, pa.string())
            return values, _full(self.n, missing and not required)

        def check(v: pa.Array) -> tuple[pa.Array, np.ndarray]:
            blank = _mask(pc.equal(v, ""))
            ok = _mask(pc.match_substring_regex(v, _CLEAN_TEXT)) | (blank & (not required))
            out = pc.if_else(pa.array(blank), default, v)
            if allowed is not None:
                ok &= allowed(out)
            return out, ok

        return self._distinct(a, check, distinct)

    def codes(self, name: str, pattern: str, upper: bool) -> tuple[pa.Array, np.ndarray]:
        """A code list (other_dx, other_procs): any separator → ';', every code well-formed."""
        a = self._strings(name)
        if a is None:
            missing = name not in self.t.column_names
            return pa.array(["" if missing else None] * self.n, pa.string()), _full(self.n, missing)

        def check(v: pa.Array) -> tuple[pa.Array, np.ndarray]:
            norm = pc.utf8_trim(pc.replace_substring_regex(v, _SEPARATORS, LIST_JOIN), LIST_JOIN)
            ok = _mask(pc.match_substring_regex(norm, f"^({pattern}({LIST_JOIN}{pattern})*)?$"))
            return (pc.ascii_upper(norm) if upper else norm), ok

        return self._distinct(a, check, True)

    def main_dx(self) -> tuple[pa.Array, np.ndarray]:
        """医保版 ICD-10, upper case; the reference upper-cases first, so lower case passes too."""
        a = self._strings("main_dx")
        if a is None:
            return pa.nulls(self.n, pa.string()), _full(self.n, False)

        def check(v: pa.Array) -> tuple[pa.Array, np.ndarray]:
            return pc.ascii_upper(v), _mask(pc.match_substring_regex(v, f"^{_ICD10}$"))

        return self._distinct(a, check, True)

    def amount(self, name: str, required: bool) -> tuple[np.ndarray, np.ndarray]:
        """A finite amount ≥ 0 (numbers as they are, text as plain decimals); blank → 0 unless required."""
        a = self.get(name)
        zeros = np.zeros(self.n)
        if a is None:
            return zeros, _full(self.n, not required)
        if pa.types.is_integer(a.type) or pa.types.is_floating(a.type):
            v = pc.fill_null(pc.cast(a, pa.float64(), safe=False), 0.0).to_numpy() + 0.0  # -0.0 → 0.0 as _text
            ok = ~_mask(pc.is_null(a)) if required else _full(self.n, True)
            ok &= np.isfinite(v) & (v >= 0)
            if pa.types.is_integer(a.type):
                ok &= np.abs(v) < 2.0**53  # exact in a double: no rounding question
            return np.where(ok, v, 0.0), ok
        if not _is_text(a):
            return zeros, _full(self.n, False)
        a = pc.cast(a, pa.string())
        blank = _blank(a)
        good = _mask(pc.match_substring_regex(a, _AMOUNT))
        v = pc.cast(pc.if_else(pa.array(good), a, "0"), pa.float64()).to_numpy()
        return np.where(good, v, 0.0), good | (blank & (not required))

    def integer(self, name: str) -> tuple[pa.Array, np.ndarray]:
        """Optional integer (los, year): null when blank."""
        a = self.get(name)
        if a is None:
            return pa.nulls(self.n, pa.int64()), _full(self.n, True)
        if pa.types.is_integer(a.type):
            return pc.cast(a, pa.int64()), _full(self.n, True)
        if not _is_text(a):
            return pa.nulls(self.n, pa.int64()), _full(self.n, False)
        a = pc.cast(a, pa.string())
        blank = _blank(a)
        good = _mask(pc.match_substring_regex(a, _INTEGER))
        v = pc.cast(pc.if_else(pa.array(good), a, None), pa.int64())
        return v, good | blank

    def date(self, name: str) -> tuple[pa.Array, np.ndarray]:
        a = self.get(name)
        nulls = pa.nulls(self.n, pa.date32())
        if a is None:
            return nulls, _full(self.n, False)
        if pa.types.is_date(a.type) or (pa.types.is_timestamp(a.type) and a.type.tz is None):
            return pc.cast(a, pa.date32(), safe=False), ~_mask(pc.is_null(a))
        if not _is_text(a):
            return nulls, _full(self.n, False)
        a = pc.cast(a, pa.string())
        out: pa.Array = nulls
        ok = _full(self.n, False)
        for pattern, fmt in ((_ISO_DATE, "%Y-%m-%d"), (_DIGIT_DATE, "%Y%m%d")):
            form = _mask(pc.match_substring_regex(a, pattern))
            if not form.any():
                continue
            ts = pc.strptime(pc.if_else(pa.array(form), a, None), format=fmt, unit="s", error_is_null=True)
            # strptime rolls 2024-02-30 over to March: keep only dates that print back unchanged
            back = _mask(pc.equal(pc.strftime(ts, format=fmt), a))
            out = pc.if_else(pa.array(back), pc.cast(ts, pa.date32()), out)
            ok |= back
        return out, ok


def validate_table(raw: pa.Table, first_row: int = 2) -> TableLoad:
    """Validate a table of raw records (column names as in a case file, Chinese aliases allowed)."""
    names = [ALIASES.get(str(c).strip(), str(c).strip()) for c in raw.column_names]
    if len(set(names)) != len(names):  # two columns for one field: the reference decides which wins
        return _finish(_empty(), *_reference(raw.to_pylist(), list(range(first_row, first_row + raw.num_rows))))
    t = raw.rename_columns(names)
    f = _Fast(t)
    n = t.num_rows
    case_id, ok = f.text("case_id", True, distinct=False)  # unique per row: nothing to share
    hospital, ok_h = f.text("hospital", True)
    level, ok_l = f.text("hospital_level", True)
    insurance, ok_i = f.text(
        "insurance", False, default=INSURANCE_TYPES[0], allowed=lambda v: _mask(pc.is_in(v, pa.array(INSURANCE_TYPES)))
    )
    status, ok_s = f.text("discharge_status", False)
    admission, ok_a = f.date("admission")
    discharge, ok_d = f.date("discharge")
    ok_d &= ~_mask(pc.less(discharge, admission))
    main_dx, ok_dx = f.main_dx()
    proc, ok_p = f.text("main_proc", False, allowed=lambda v: _mask(pc.match_substring_regex(v, f"^({_ICD9})?$")))
    other_dx, ok_odx = f.codes("other_dx", _ICD10, upper=True)
    other_procs, ok_op = f.codes("other_procs", _ICD9, upper=False)
    total, ok_t = f.amount("total_cost", True)
    ok_t &= total > 0  # zero cost: refused by the reference validator (parse_row), with its reason
    fund, ok_f = f.amount("fund_paid", False)
    oop, ok_o = f.amount("patient_paid", False)
    los, ok_los = f.integer("los")
    ok_los &= ~_mask(pc.less(los, 0))
    year, ok_y = f.integer("year")
    drg, ok_g = f.text("drg", False, allowed=lambda v: _mask(pc.match_substring_regex(v, _DRG)))
    ok &= ok_h & ok_l & ok_i & ok_s & ok_a & ok_d & ok_dx & ok_p & ok_odx & ok_op & ok_t & ok_f & ok_o & ok_los & ok_y
    ok &= ok_g
    rows = np.arange(first_row, first_row + n, dtype=np.int64)
    fast = pa.table(
        {
            "row": rows,
            "case_id": case_id,
            "hospital": hospital,
            "hospital_level": level,
            "insurance": insurance,
            "admission": admission,
            "discharge": discharge,
            "los": los,
            "main_dx": main_dx,
            "other_dx": other_dx,
            "main_proc": proc,
            "other_procs": other_procs,
            "total_cost": total,
            "fund_paid": fund,
            "patient_paid": oop,
            "discharge_status": status,
            "year": year,
            "drg": drg,
        },
        schema=SCHEMA,
    ).filter(pa.array(ok))
    slow = np.flatnonzero(~ok)
    records = raw.take(pa.array(slow)).to_pylist() if len(slow) else []
    return _finish(CaseTable(fast), *_reference(records, rows[slow].tolist()))


def _empty() -> CaseTable:
    return CaseTable(SCHEMA.empty_table())


def _reference(records: list[dict[str, object]], rows: list[int]) -> tuple[CaseTable, list[BadRecord]]:
    """parse_row on the records the fast check did not take (duplicates are checked on the whole)."""
    cases: list[Case] = []
    kept: list[int] = []
    bad: list[BadRecord] = []
    for raw, row in zip(records, rows, strict=True):
        case, problems = parse_row(raw, row)
        if case is None:
            bad.extend(problems)
        else:
            cases.append(case)
            kept.append(row)
    return CaseTable.from_cases(cases, kept), bad


def _finish(fast: CaseTable, slow: CaseTable, bad: list[BadRecord]) -> TableLoad:
    """Merge fast and slow records in source order; later duplicates of a case id become bad records.

    As in the reference loader, the first valid record of a case id stays and names its row.
    """
    t = fast.table
    if len(slow):
        t = pa.concat_tables([t, slow.table])
        t = t.take(pc.sort_indices(t, [("row", "ascending")]))
    t = t.combine_chunks()
    bad = list(bad)
    enc = t.column("case_id").combine_chunks().dictionary_encode() if t.num_rows else None
    if enc is not None and len(enc.dictionary) < t.num_rows:  # some case id repeats
        codes = enc.indices.to_numpy()
        order = np.argsort(codes, kind="stable")
        sc = codes[order]
        dup_sorted = np.zeros(len(sc), dtype=bool)
        dup_sorted[1:] = sc[1:] == sc[:-1]
        if dup_sorted.any():
            starts = np.flatnonzero(~dup_sorted)
            first_pos = starts[np.searchsorted(starts, np.arange(len(sc)), side="right") - 1]
            dup_idx = order[dup_sorted]
            first_idx = order[first_pos[dup_sorted]]
            row_col = t.column("row").to_numpy()
            ids = t.column("case_id").take(pa.array(dup_idx)).to_pylist()
            for cid, i, j in zip(ids, dup_idx.tolist(), first_idx.tolist(), strict=True):
                bad.append(
                    BadRecord(int(row_col[i]), "case_id", cid, f"病案号重复 (首次出现在第{int(row_col[j])}行)", cid)
                )
            keep = np.ones(t.num_rows, dtype=bool)
            keep[dup_idx] = False
            t = t.filter(pa.array(keep))
    bad.sort(key=lambda b: b.row)  # stable: a row's problems keep the reference order
    return TableLoad(CaseTable(t), bad)


def _read_csv(path: Path) -> pa.Table | None:
    """Every column as text, as the reference loader reads it; None when Arrow cannot read the file as is.

    The encoding and delimiter are :mod:`yigai.tabular`'s; Arrow only scans.
    """
    import pyarrow.csv as pcsv

    fmt = tabular.csv_format(path)
    try:
        header = list(tabular.csv_header(path, fmt))
    except tabular.TableFileError:
        return None  # the reference loader says what is wrong
    if len(set(header)) != len(header):
        return None
    encoding = "utf8" if fmt.encoding == "utf-8-sig" else fmt.encoding
    try:
        return pcsv.read_csv(
            path,
            read_options=pcsv.ReadOptions(column_names=header, skip_rows=1, encoding=encoding),
            parse_options=pcsv.ParseOptions(delimiter=fmt.delimiter, newlines_in_values=True),
            convert_options=pcsv.ConvertOptions(
                column_types={h: pa.string() for h in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None


def load_case_table(path: str | Path) -> TableLoad:
    """Load a Parquet or CSV file column-wise (XLSX through the reference loader): the columnar engine's input.

    Accepts, rejects and reports exactly as :func:`yigai.payment.cases.load_cases`.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    raw: pa.Table | None = None
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        with pq.ParquetFile(p) as fh:  # the plain reader: pq.read_table would import the dataset layer
            raw = fh.read()
    elif suffix == ".csv":
        raw = _read_csv(p)
    if raw is not None:
        return validate_table(raw)
    res = load_cases(p)  # XLSX, or a CSV Arrow cannot take (ragged rows, repeated header names)
    return TableLoad(table_of(res), res.bad)


def table_of(result: LoadResult) -> CaseTable:
    """The cases of a reference load as columns, with their source rows."""
    return CaseTable.from_cases(result.cases, result.rows)


__all__ = ["CaseTable", "TableLoad", "SCHEMA", "LIST_JOIN", "validate_table", "load_case_table", "table_of"]
