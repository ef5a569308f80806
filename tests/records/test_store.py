"""The record store: tables from the schema, counts and months, the loads ledger, read-only use."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import duckdb
import pytest

from yigai.domain.errors import NotFoundError
from yigai.records.loader import load_records
from yigai.records.schema import record_tables
from yigai.records.store import RecordStore, StoreBusyError, month_ranges, open_store

from .conftest import visit, write_csv


def test_a_new_store_has_every_record_table_empty_and_a_loads_ledger(store: RecordStore) -> None:
    assert store.counts() == dict.fromkeys(record_tables(), 0)
    assert store.loads() == []
    columns = [r[0] for r in store.conn.execute("DESCRIBE outpatient_visits").fetchall()]
    assert tuple(columns) == record_tables()["outpatient_visits"].names


def test_counts_periods_and_the_ledger_after_a_load(tmp_path: Path, base: RecordStore) -> None:
    f = write_csv(
        tmp_path / "outpatient_visits.csv",
        [visit("V1", "2023-01-05"), visit("V2", "2023-03-05"), visit("V3", "2023-03-06")],
    )
    load_records(base, [f])
    assert base.counts()["outpatient_visits"] == 3 and base.counts()["institutions"] == 3
    assert base.periods("outpatient_visits") == ["202301", "202303"]
    assert base.periods("institutions") == []  # a snapshot has no months
    entry = base.loads(1)[0]
    assert entry.file_name == "outpatient_visits.csv" and entry.row_count == 3
    assert entry.sha256 == hashlib.sha256(f.read_bytes()).hexdigest()
    assert (entry.period_start, entry.period_end) == (dt.date(2023, 1, 1), dt.date(2023, 3, 31))
    assert entry.replaced == "202301, 202303"
    assert [e.table_name for e in base.loads()] == ["outpatient_visits", "institutions", "towns"]


def test_others_open_the_store_read_only_and_query_tables_by_their_names(tmp_path: Path) -> None:
    path = tmp_path / "records.duckdb"
    with pytest.raises(NotFoundError, match="load records first"):
        open_store(path, read_only=True)
    open_store(path).close()
    with open_store(path, read_only=True) as ro:
        assert ro.conn.execute("SELECT count(*) FROM outpatient_visits").fetchone() == (0,)
        with pytest.raises(duckdb.Error):
            ro.conn.execute("DELETE FROM towns")


def test_the_key_is_not_indexed_the_loader_checks_it(store: RecordStore) -> None:
    store.conn.execute("INSERT INTO towns VALUES ('T1', 'a', 'D', 'd'), ('T1', 'b', 'D', 'd')")
    assert store.counts()["towns"] == 2


@pytest.mark.parametrize(
    ("months", "text"),
    [
        ([], ""),
        (["202301"], "202301"),
        (["202301", "202302", "202303"], "202301–202303"),
        (["202211", "202212", "202301", "202305"], "202211–202301, 202305"),
    ],
)
def test_month_ranges(months: list[str], text: str) -> None:
    assert month_ranges(months) == text


def test_a_store_held_by_another_connection_is_reported_as_busy(tmp_path: Path) -> None:
    path = tmp_path / "records.duckdb"
    with open_store(path), pytest.raises(StoreBusyError, match="in use") as caught:
        open_store(path, read_only=True)
    assert "记录库正被其他进程使用" in caught.value.bilingual()
