"""Case records: CSV/XLSX loading; bad records named by row and field, set aside, the rest settle."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import Workbook

from yigai.payment.cases import FIELDS, load_cases, validate_rows
from yigai.payment.dip import DipParams, SettleParams, build_catalogue, settle
from yigai.tabular import TableFileError


def row(cid: str, **kw: str) -> dict[str, str]:
    base = dict(
        case_id=cid,
        hospital="H1",
        hospital_level="三级",
        insurance="职工",
        admission="2024-01-01",
        discharge="2024-01-05",
        los="4",
        main_dx="K80.100",
        other_dx="I10.x00;E11.900",
        main_proc="51.2300",
        other_procs="",
        total_cost="16000",
        fund_paid="12800",
        patient_paid="3200",
        discharge_status="1",
        year="2024",
        drg="",
    )
    base.update(kw)
    return base


ROWS = [
    row("c1"),
    row("c2", main_dx="K80"),  # row 3: 3-character category is a valid code
    row("c3", main_dx="80.100"),  # row 4: unknown code format
    row("c4", total_cost="-5"),  # row 5: negative cost
    row("c5", admission="2024-02-01"),  # row 6: discharge before admission
    row("c1"),  # row 7: duplicate case id
    row("c6", main_proc="5123"),  # row 8: bad procedure code
    row("c7", insurance="公费"),  # row 9: unknown insurance type
    row("c8", total_cost="abc", discharge="x"),  # row 10: two problems, both listed
    row("c9", main_proc="", hospital="H2", hospital_level="二级", main_dx="J18.900"),
]


def test_bad_records_are_listed_with_row_and_field() -> None:
    res = validate_rows(ROWS)
    assert [c.case_id for c in res.cases] == ["c1", "c2", "c9"]
    got = {(b.row, b.field) for b in res.bad}
    assert got == {
        (4, "main_dx"),
        (5, "total_cost"),
        (6, "discharge"),
        (7, "case_id"),
        (8, "main_proc"),
        (9, "insurance"),
        (10, "total_cost"),
        (10, "discharge"),
    }
    dup = next(b for b in res.bad if b.field == "case_id")
    assert "重复" in dup.reason and "第2行" in dup.reason
    assert "负" in next(b for b in res.bad if b.row == 5).reason
    assert "早于" in next(b for b in res.bad if b.row == 6).reason
    assert str(next(b for b in res.bad if b.row == 4)).startswith("第4行 main_dx=")
    assert res.bad_rows == [4, 5, 6, 7, 8, 9, 10]
    assert res.cases[0].other_dx == ("I10.X00", "E11.900")


def test_the_rest_still_settle() -> None:
    res = validate_rows(ROWS)
    cat = build_catalogue(res.cases, DipParams(threshold=1, level_coefficients={"三级": 1.0, "二级": 1.0}))
    s = settle(cat, res.cases, SettleParams(fund_budget=1000.0, reimbursement_ratio=0.5))
    assert sum(h.entitlement for h in s.hospitals.values()) == pytest.approx(2000.0)
    assert sum(h.cases for h in s.hospitals.values()) == 3


def test_csv_and_xlsx_load_the_same(tmp_path: Path) -> None:
    p = tmp_path / "cases.csv"
    with p.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=FIELDS)
        w.writeheader()
        w.writerows(ROWS)
    wb = Workbook()
    ws = wb.active
    ws.append(["病案号", *FIELDS[1:]])  # a Chinese alias header
    for r in ROWS:
        ws.append([r[f] for f in FIELDS])
    x = tmp_path / "cases.xlsx"
    wb.save(x)
    a, b = load_cases(p), load_cases(x)
    assert a.cases == b.cases and len(a.cases) == 3
    assert [(e.row, e.field) for e in a.bad] == [(e.row, e.field) for e in b.bad]
    with pytest.raises(TableFileError, match="unsupported file type"):
        load_cases(tmp_path / "cases.txt")
