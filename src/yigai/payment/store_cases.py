"""DIP cases read from the record store's 出院病案 (``inpatient_discharges``), not from an exported file.

A district that loads its discharge records (``yigai records load``) should not have to export
them again to settle DIP. This module selects the discharges of the years asked for, joins each
to its institution for the hospital level, and hands the rows to the same column-wise validation
as a case file (:func:`yigai.payment.case_table.validate_table`), so a bad record is reported
the same way, by case id. Cases with no insurance (自费, ``insurance = 'none'``) are not DIP cases:
they are counted and left out, never silently. The hospital is the institution code, so
``--write`` can attach values to org units.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from yigai.payment.case_table import TableLoad, validate_table
from yigai.payment.cases import INSURANCE_TYPES
from yigai.records.schema import table

# the record store's insurance codes → the case file's 险种 (self-pay has none: not a DIP case)
INSURANCE_OF_RECORD: Mapping[str, str] = {"employee": INSURANCE_TYPES[0], "resident": INSURANCE_TYPES[1]}
SELF_PAY = "none"


@dataclass(frozen=True)
class StoreCases:
    load: TableLoad
    years: tuple[int, ...]
    self_pay: int  # discharges of those years without insurance, left out
    missing: tuple[int, ...]  # years asked for with no valid insured case
    digest: str  # sha256 of the rows read: the same store content, the same digest


def _case_expr(column: str, labels: Mapping[str, str], params: list[object]) -> str:
    """CASE over a coded column, the labels passed as parameters (they are data, not SQL)."""
    if not labels:
        return "NULL"
    whens = []
    for code, label in labels.items():
        whens.append("WHEN ? THEN ?")
        params += [code, label]
    return f"CASE {column} {' '.join(whens)} END"


def _query(years: Sequence[int]) -> tuple[str, list[object]]:
    params: list[object] = []
    level = _case_expr("i.level", table("institutions").column("level").values, params)
    insurance = _case_expr("d.insurance", INSURANCE_OF_RECORD, params)
    status = _case_expr("d.discharge_status", table("inpatient_discharges").column("discharge_status").values, params)
    sql = f"""
        SELECT d.case_id AS case_id, d.institution_id AS hospital, {level} AS hospital_level,
               {insurance} AS insurance, d.admission_date AS admission, d.discharge_date AS discharge,
               d.los AS los, d.main_dx AS main_dx, d.other_dx AS other_dx, d.main_proc AS main_proc,
               d.other_procs AS other_procs, CAST(d.total_cost AS DOUBLE) AS total_cost,
               CAST(d.fund_paid AS DOUBLE) AS fund_paid, CAST(d.patient_paid AS DOUBLE) AS patient_paid,
               {status} AS discharge_status
        FROM inpatient_discharges d LEFT JOIN institutions i ON i.institution_id = d.institution_id
        WHERE year(d.discharge_date) IN ({", ".join("?" for _ in years)}) AND d.insurance <> ?
        ORDER BY d.discharge_date, d.case_id"""
    return sql, [*params, *years, SELF_PAY]


class _HashSink:
    """A write-only file that hashes what Arrow writes to it, so the digest needs no copy of the rows."""

    def __init__(self) -> None:
        self.sha = hashlib.sha256()
        self.closed = False

    def write(self, data: bytes) -> int:
        self.sha.update(data)
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True


def _digest(raw: pa.Table) -> str:
    sink = _HashSink()
    with pa.PythonFile(sink, mode="w") as out, pa.ipc.new_stream(out, raw.schema) as writer:
        writer.write_table(raw)
    return sink.sha.hexdigest()


def load_store_cases(conn: duckdb.DuckDBPyConnection, years: Sequence[int]) -> StoreCases:
    """The insured discharges of ``years`` as DIP cases; bad records come back with their case id."""
    wanted = tuple(sorted(set(years)))
    sql, params = _query(wanted)
    raw = conn.sql(sql, params=params).to_arrow_table()
    row = conn.execute(
        f"SELECT count(*) FROM inpatient_discharges WHERE year(discharge_date) IN "
        f"({', '.join('?' for _ in wanted)}) AND insurance = ?",
        [*wanted, SELF_PAY],
    ).fetchone()
    load = validate_table(raw, first_row=1)
    present = set(load.cases.settle_year.tolist())
    return StoreCases(
        load, wanted, int(row[0]) if row else 0, tuple(y for y in wanted if y not in present), _digest(raw)
    )
