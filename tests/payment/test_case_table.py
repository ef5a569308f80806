"""The column-wise case loader accepts, rejects and reports exactly as the reference loader."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import given, settings
from hypothesis import strategies as st

from yigai.payment.case_table import CaseTable, TableLoad, load_case_table, validate_table
from yigai.payment.cases import FIELDS, LoadResult, load_cases, validate_rows

from .test_dip_cases_loader import ROWS, row


def same(col: TableLoad, ref: LoadResult) -> None:
    assert [str(b) for b in col.bad] == [str(b) for b in ref.bad]
    assert [(b.row, b.field, b.case_id) for b in col.bad] == [(b.row, b.field, b.case_id) for b in ref.bad]
    assert col.cases.to_cases() == ref.cases


def test_the_loader_examples_give_the_same_bad_records_and_cases() -> None:
    res = validate_table(pa.Table.from_pylist(ROWS))
    same(res, validate_rows(ROWS))
    assert res.bad_rows == [4, 5, 6, 7, 8, 9, 10]
    assert res.cases.column("row").to_pylist() == [2, 3, 11]  # source rows travel with the cases


# Alternative values per field: usual, unusual but valid, and wrong.
VARIANTS = {
    "case_id": ["c1", "c2", " c3 ", "", "c\u30004", "=1+2"],
    "hospital": ["H1", "H2", " H1", "", "医院\u3000"],
    "hospital_level": ["三级", "二级", ""],
    "insurance": ["职工", "居民", "", " 居民", "公费"],
    "admission": ["2024-01-01", "20240101", "2024/01/01", "2024.1.1", "2024-02-30", "", "x", "2024-1-1"],
    "discharge": ["2024-01-05", "20240105", "2023-12-31", "2024-13-01", "", " 2024-01-05"],
    "los": ["4", "", "-1", "4.5", "+4", " 4", "1_0"],
    "main_dx": ["K80.100", "k80.100", "K80", "I10.x00", "J18.900x001", "80.100", " K80.100", "", "K80.1000", "ı10.x00"],
    "other_dx": ["", "I10.x00;E11.900", "I10.X00，e11.900", ";I10.x00;", "I10.x00\u3000E11.900", "bad"],
    "main_proc": ["51.2300", "", "5123", "47.0100x001", " 51.2300"],
    "other_procs": ["", "47.0100", "47.0100,88.0100", "47.01 | 88.0100", "4701"],
    "total_cost": ["16000", "16000.5", "0", "-5", "1e3", "+3", " 12 ", "abc", "", "nan", "inf", "1_000", "00012"],
    "fund_paid": ["12800", "", "-1", "12.5"],
    "patient_paid": ["3200", "", "x"],
    "discharge_status": ["1", "", " 2 "],
    "year": ["2024", "", "二〇二四", "-1"],
    "drg": ["", "GB25", "gb25", " GB25", "BV11B", "G-25", "0000"],
}
field_values = st.fixed_dictionaries({f: st.sampled_from(v) for f, v in VARIANTS.items()})


@settings(max_examples=120, deadline=None)
@given(rows=st.lists(field_values, min_size=1, max_size=25))
def test_random_records_are_judged_as_the_reference_judges_them(rows) -> None:
    same(validate_table(pa.Table.from_pylist(rows)), validate_rows(rows))


def _write_csv(path: Path, rows: list[dict[str, str]], header: list[str]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for r in rows:
            w.writerow([r.get(h, "") for h in header])
    return path


def test_csv_with_chinese_headers_and_quoted_newlines(tmp_path: Path) -> None:
    rows = [row("c1"), row("c2", discharge_status="多行\n备注"), row("c3", total_cost="-1"), row("c1")]
    header = ["病案号" if f == "case_id" else "总费用" if f == "total_cost" else f for f in FIELDS]
    renamed = [
        {("病案号" if k == "case_id" else "总费用" if k == "total_cost" else k): v for k, v in r.items()} for r in rows
    ]
    path = _write_csv(tmp_path / "cases.csv", renamed, header)
    res = load_case_table(path)
    same(res, load_cases(path))
    assert [(b.row, b.field) for b in res.bad] == [(4, "total_cost"), (5, "case_id")]


def test_a_ragged_csv_goes_through_the_reference_reader(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    good = ",".join(row("c1")[f] for f in FIELDS)
    path.write_text(
        ",".join(FIELDS) + "\n" + good + "\n" + good.replace("c1", "c2") + ",extra\nc3,H1\n", encoding="utf-8"
    )
    res = load_case_table(path)
    same(res, load_cases(path))
    assert {b.row for b in res.bad} == {4}


def test_typed_parquet_columns(tmp_path: Path) -> None:
    d = dt.date(2024, 3, 1)
    table = pa.table(
        {
            "case_id": pa.array([1, 2, 3, 4, 5, 2], pa.int64()),
            "hospital": ["H1", "H1", "H2", "H2", None, "H1"],
            "hospital_level": ["三级"] * 6,
            "admission": pa.array([d, d, d, d, d, d], pa.date32()),
            "discharge": pa.array(
                [
                    dt.datetime(2024, 3, 5, 13, 0),
                    None,
                    dt.datetime(2024, 2, 1),
                    dt.datetime(2024, 3, 5),
                    dt.datetime(2024, 3, 5),
                    dt.datetime(2024, 3, 6),
                ],
                pa.timestamp("us"),
            ),
            "main_dx": ["K80.100"] * 6,
            "total_cost": pa.array([100.0, 200.0, 300.0, float("nan"), -0.0, 5.0]),
            "fund_paid": pa.array([None, 1.0, 1.0, 1.0, 1.0, 1.0]),
            "los": pa.array([4, 4, 4, -2, 4, 5], pa.int64()),
            "year": pa.array([2024, None, 2024, 2024, 2024, 2024], pa.int64()),
        }
    )
    path = tmp_path / "cases.parquet"
    pq.write_table(table, path)
    res = load_case_table(path)
    same(res, validate_rows(pq.read_table(path).to_pylist()))
    assert [c.case_id for c in res.cases.to_cases()] == ["1", "2"]  # row 7 repeats case 2, but row 3 was bad
    assert res.cases.to_cases()[0].discharge == dt.date(2024, 3, 5)


def test_cases_round_trip_through_columns() -> None:
    ref = validate_rows(ROWS).cases
    assert CaseTable.from_cases(ref).to_cases() == ref
