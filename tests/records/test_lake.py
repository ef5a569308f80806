"""The record lake: the store exported as Parquet by table and month, with its manifest; refused
over an existing lake, checked before Spark reads it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from yigai.records.lake import MANIFEST, STAGING, LakeError, check_lake, export_lake, read_manifest
from yigai.records.loader import load_records
from yigai.records.schema import record_tables
from yigai.records.store import RecordStore

from .conftest import visit, write_csv


@pytest.fixture
def loaded(tmp_path: Path, base: RecordStore) -> RecordStore:
    """The base store plus visits in January (two) and March (one) 2023."""
    f = write_csv(
        tmp_path / "outpatient_visits.csv",
        [
            visit("V1", "2023-01-05"),
            visit("V2", "2023-01-31"),
            visit("V3", "2023-03-06", total_cost="100.25", service_cost="20.25"),
        ],
    )
    assert load_records(base, [f], strict=True).saved
    return base


def _lake_rows(lake: Path, name: str) -> list[tuple]:
    cols = ", ".join(record_tables()[name].names)
    path = (lake / name / "**" / "*.parquet").as_posix()
    return duckdb.sql(f"SELECT {cols} FROM read_parquet('{path}', hive_partitioning = false) ORDER BY ALL").fetchall()


def test_export_writes_tables_by_month_and_the_manifest_with_the_ledger(loaded: RecordStore, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    summary = export_lake(loaded.conn, lake, source="records.duckdb")
    assert sorted(p.name for p in (lake / "outpatient_visits").iterdir()) == ["month=2023-01", "month=2023-03"]
    jan = pq.read_table(lake / "outpatient_visits" / "month=2023-01" / "part-0.parquet")
    assert jan.num_rows == 2 and jan.column_names == list(record_tables()["outpatient_visits"].names)  # no `month`
    assert (lake / "towns" / "part-0.parquet").is_file()  # snapshots: one folder, no months
    empty = pq.read_table(lake / "inpatient_discharges" / "part-0.parquet")  # an empty event table keeps its schema
    assert empty.num_rows == 0 and empty.column_names == list(record_tables()["inpatient_discharges"].names)
    for name in record_tables():  # the same records, value for value (100.25 included)
        cols = ", ".join(record_tables()[name].names)
        assert _lake_rows(lake, name) == loaded.conn.execute(f"SELECT {cols} FROM {name} ORDER BY ALL").fetchall()
    data = read_manifest(lake)
    assert data["tables"]["outpatient_visits"]["months"] == {"2023-01": 2, "2023-03": 1}
    assert data["tables"]["outpatient_visits"]["partitioned_by"] == "month"
    assert data["tables"]["towns"]["partitioned_by"] is None and data["tables"]["towns"]["rows"] == 2
    ledger = [(e.table_name, e.file_name, e.sha256, e.row_count) for e in reversed(loaded.loads())]
    assert [(x["table"], x["file"], x["sha256"], x["rows"]) for x in data["loads"]] == ledger
    assert data["loads"][-1]["sha256"] == hashlib.sha256((tmp_path / "outpatient_visits.csv").read_bytes()).hexdigest()
    assert data["source"] == {"kind": "record store", "path": "records.duckdb"}
    assert summary.rows["outpatient_visits"] == 3 and summary.months["outpatient_visits"] == ["2023-01", "2023-03"]
    assert not (lake / STAGING).exists()
    assert check_lake(lake)["format"] == "yigai-record-lake"


def test_an_existing_lake_is_kept_unless_overwrite(loaded: RecordStore, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    export_lake(loaded.conn, lake)
    before = (lake / MANIFEST).read_bytes()
    with pytest.raises(LakeError, match="--overwrite") as err:
        export_lake(loaded.conn, lake)
    assert "已有记录湖文件" in err.value.message_zh
    assert (lake / MANIFEST).read_bytes() == before and not (lake / STAGING).exists()
    loaded.conn.execute("DELETE FROM outpatient_visits WHERE visit_date >= DATE '2023-03-01'")
    export_lake(loaded.conn, lake, overwrite=True)
    assert sorted(p.name for p in (lake / "outpatient_visits").iterdir()) == ["month=2023-01"]  # March is gone
    assert json.loads((lake / MANIFEST).read_text(encoding="utf-8"))["tables"]["outpatient_visits"]["rows"] == 2


def test_a_failed_export_leaves_the_folder_as_it_was(loaded: RecordStore, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    loaded.conn.execute("DROP TABLE referrals")  # the export fails half-way, after other tables were written
    with pytest.raises(duckdb.Error):
        export_lake(loaded.conn, lake)
    assert list(lake.iterdir()) == []


def test_check_names_the_missing_table_in_both_languages(loaded: RecordStore, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    export_lake(loaded.conn, lake)
    for f in (lake / "staff").iterdir():
        f.unlink()
    with pytest.raises(LakeError) as err:
        check_lake(lake)
    assert "staff" in str(err.value) and "缺少记录表" in err.value.message_zh and err.value.where.endswith("staff")
    (lake / MANIFEST).unlink()
    with pytest.raises(LakeError, match="not a record lake"):
        check_lake(lake)
