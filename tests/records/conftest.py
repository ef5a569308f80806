"""Tiny hand-made record files and a fresh record store per test."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from yigai.records.loader import LoadResult, load_records
from yigai.records.schema import table
from yigai.records.store import RecordStore, open_store

TOWNS = [
    {"town_code": "T1", "town_name": "东街街道", "district_code": "D1", "district_name": "仓山区"},
    {"town_code": "T2", "town_name": "西街街道", "district_code": "D1", "district_name": "仓山区"},
]


def institution(iid: str, **over: Any) -> dict[str, Any]:
    row = {
        "institution_id": iid,
        "name": f"机构{iid}",
        "type": "chc",
        "level": "primary",
        "ownership": "public",
        "town_code": "T1",
        "approved_beds": "20",
        "open_beds": "18",
        "open_date": "2001-01-01",
        "close_date": "",
    }
    return {**row, **over}


INSTITUTIONS = [
    institution("H1", type="general_hospital", level="secondary", approved_beds="500", open_beds="480"),
    institution("C1"),
    institution("C2", town_code="T2"),
]


def visit(vid: str, day: str = "2023-01-05", **over: Any) -> dict[str, Any]:
    """A visit whose parts add up: 40 + 0 + 10 + 20 + 10 + 20 + 0 = 100."""
    row = {
        "visit_id": vid,
        "person_id": "P1",
        "institution_id": "C1",
        "visit_date": day,
        "department": "全科",
        "diagnosis": "I10",
        "total_cost": "100",
        "drug_cost": "40",
        "herbal_cost": "0",
        "consumables_cost": "10",
        "exam_cost": "20",
        "lab_cost": "10",
        "service_cost": "20",
        "other_cost": "0",
        "fund_paid": "60",
        "out_of_catalogue_cost": "0",
        "premium": "否",
        "booked_referral": "0",
    }
    return {**row, **over}


def discharge(cid: str, admitted: str = "2023-01-02", discharged: str = "2023-01-09", **over: Any) -> dict[str, Any]:
    row = {
        "case_id": cid,
        "person_id": "P1",
        "institution_id": "H1",
        "insurance": "employee",
        "admission_date": admitted,
        "discharge_date": discharged,
        "los": "7",
        "main_dx": "K80.1",
        "other_dx": "",
        "main_proc": "",
        "other_procs": "",
        "surgery": "false",
        "minimally_invasive": "false",
        "elective": "false",
        "day_surgery": "false",
        "total_cost": "7000",
        "drug_cost": "2000",
        "herbal_cost": "0",
        "consumables_cost": "1000",
        "exam_cost": "1000",
        "lab_cost": "1000",
        "service_cost": "2000",
        "other_cost": "0",
        "fund_paid": "5000",
        "patient_paid": "2000",
        "out_of_catalogue_cost": "100",
        "premium": "N",
        "discharge_status": "ordered",
    }
    return {**row, **over}


def write_csv(
    path: Path, rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None, encoding: str = "utf-8"
) -> Path:
    """A CSV with a header row; ``columns`` defaults to the keys of the first row."""
    names = list(columns or rows[0])
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(names)
        for r in rows:
            w.writerow([r.get(n, "") for n in names])
    return path


def all_columns(name: str) -> list[str]:
    return list(table(name).names)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[RecordStore]:
    with open_store(tmp_path / "var" / "records.duckdb") as s:
        yield s


@pytest.fixture
def base(tmp_path: Path, store: RecordStore) -> RecordStore:
    """A store holding two towns and three institutions (H1, C1, C2)."""
    folder = tmp_path / "base"
    folder.mkdir()
    write_csv(folder / "towns.csv", TOWNS)
    write_csv(folder / "institutions.csv", INSTITUTIONS)
    result = load_records(store, [folder], strict=True)
    assert result.saved and result.errors == 0
    return store


def ids(store: RecordStore, name: str) -> list[str]:
    key = table(name).key[0]
    return [r[0] for r in store.conn.execute(f"SELECT {key} FROM {name} ORDER BY {key}").fetchall()]


def problems(result: LoadResult) -> list[tuple[str, int, str, str]]:
    """(file, row, column, kind) of every listed error."""
    return [(p.file, p.row, p.column, str(p.kind)) for f in result.files for p in f.listed if p.severity == "error"]
