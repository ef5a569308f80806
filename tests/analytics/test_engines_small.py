"""Portability at scale: the whole catalogue over the ``small`` synthetic district, every level and
every period of 2023, gives identical results — values, numerators, denominators, record counts,
reasons and input hashes, compared with ``==`` — on DuckDB (the record store), on PostgreSQL (the
same records copied there) and on Spark in local mode (the record lake exported from the store),
from the same definitions rendered by the dialect layer.

Identical, not close: every summed value is added as an integer number of 1/10000 units on each
engine (``queries.exact_sum``), so no engine's order of addition shows.

Also the path a district takes end to end: ``yigai synth`` → ``yigai records load --strict`` →
the engine, and ``yigai records export --parquet`` → Spark.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import psycopg
import pytest

from yigai.analytics.catalogue import load_catalogue
from yigai.analytics.dialect import render
from yigai.analytics.engine import Result, compute, periods_within
from yigai.analytics.spark import open_lake
from yigai.records.lake import export_lake
from yigai.records.loader import load_records
from yigai.records.schema import record_tables
from yigai.records.store import open_store
from yigai.storage.local_postgres import create_database
from yigai.synth.generate import generate

Key = tuple[str, str, str, str]


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("small")
    generate("small", 2023, 7, folder / "synth")
    store = open_store(folder / "records.duckdb")
    try:
        result = load_records(store, [folder / "synth"], strict=True)
        assert not result.errors
    finally:
        store.close()
    return folder / "records.duckdb"


@pytest.fixture(scope="module")
def on_duck(small_store: Path) -> dict[Key, Result]:
    with duckdb.connect(str(small_store), read_only=True) as duck:
        return _keyed(compute(duck, list(load_catalogue().indicators.values()), periods_within("2023")).results)


def _keyed(results: list[Result]) -> dict[Key, Result]:
    return {(r.code, r.level.value, r.org_unit, r.period_id): r for r in results}


@pytest.fixture(scope="module")
def pg_copy(postgres_dsn: str, small_store: Path, tmp_path_factory: pytest.TempPathFactory):
    name = f"small_{os.getpid()}"
    create_database(postgres_dsn, name)
    pg = psycopg.connect(postgres_dsn.replace("dbname=postgres", f"dbname={name}"), autocommit=True)
    folder = tmp_path_factory.mktemp("csv")
    with duckdb.connect(str(small_store), read_only=True) as duck:
        for t in record_tables().values():
            pg.execute(render(t.ddl(), "postgres"))
            path = folder / f"{t.name}.csv"
            duck.execute(f"COPY (SELECT {', '.join(t.names)} FROM {t.name}) TO '{path.as_posix()}' (HEADER false)")
            copy_sql = f"COPY {t.name} ({', '.join(t.names)}) FROM STDIN (FORMAT csv)"
            with pg.cursor() as cur, cur.copy(copy_sql) as copy, path.open("rb") as fh:
                while block := fh.read(1 << 20):
                    copy.write(block)
    pg.execute("ANALYZE")
    yield pg
    pg.close()


def _assert_identical(other: dict[Key, Result], on_duck: dict[Key, Result]) -> None:
    assert other.keys() == on_duck.keys() and len(on_duck) > 20000
    # every indicator, at every level it has, for all 17 periods of 2023
    assert {k[0] for k in on_duck} == set(load_catalogue().indicators)
    assert {k[3] for k in on_duck} == set(periods_within("2023"))
    differing = [k for k, d in on_duck.items() if other[k] != d]
    assert not differing, [(on_duck[k], other[k]) for k in differing[:3]]
    valued = sum(d.value is not None for d in on_duck.values())
    assert valued > 15000  # real values, not only empty results


def test_the_whole_catalogue_on_the_small_district_is_identical_on_postgres(on_duck, pg_copy) -> None:
    on_pg = _keyed(compute(pg_copy, list(load_catalogue().indicators.values()), periods_within("2023")).results)
    _assert_identical(on_pg, on_duck)


def test_the_whole_catalogue_on_the_small_district_is_identical_on_spark(
    on_duck, small_store: Path, tmp_path: Path, spark_session
) -> None:
    with duckdb.connect(str(small_store), read_only=True) as duck:
        lake = export_lake(duck, tmp_path / "lake")
    assert lake.rows["outpatient_visits"] > 500_000
    with open_lake(lake.out, session=spark_session) as records:
        on_spark = _keyed(compute(records, list(load_catalogue().indicators.values()), periods_within("2023")).results)
        assert records.statements >= 9  # the org structure and one fused statement per source ran on Spark
    _assert_identical(on_spark, on_duck)
