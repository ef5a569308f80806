"""Portability at scale: the whole catalogue over the ``small`` synthetic district gives identical
values on DuckDB (the record store) and on PostgreSQL (the same records copied there), from the
same definitions rendered by the dialect layer.

Also the path a district takes end to end: ``yigai synth`` → ``yigai records load --strict`` →
the engine.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import psycopg
import pytest

from yigai.analytics.catalogue import load_catalogue
from yigai.analytics.dialect import render
from yigai.analytics.engine import compute, periods_within
from yigai.records.loader import load_records
from yigai.records.schema import record_tables
from yigai.records.store import open_store
from yigai.storage.local_postgres import create_database
from yigai.synth.generate import generate


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


def test_the_whole_catalogue_on_the_small_district_is_identical_on_postgres(small_store: Path, pg_copy) -> None:
    indicators = list(load_catalogue().indicators.values())
    periods = periods_within("2023")
    with duckdb.connect(str(small_store), read_only=True) as duck:
        on_duck = {(r.code, r.level, r.org_unit, r.period_id): r for r in compute(duck, indicators, periods).results}
    on_pg = {(r.code, r.level, r.org_unit, r.period_id): r for r in compute(pg_copy, indicators, periods).results}
    assert on_pg.keys() == on_duck.keys() and len(on_duck) > 20000
    valued = 0
    for key, d in on_duck.items():
        p = on_pg[key]
        assert (p.numerator_records, p.denominator_records) == (d.numerator_records, d.denominator_records), key
        assert p.numerator == pytest.approx(d.numerator, rel=1e-12), key
        assert p.reason == d.reason, key
        assert (p.value is None) == (d.value is None), key
        if d.value is not None:
            assert p.value == pytest.approx(d.value, rel=1e-12), key
        assert p.inputs_hash == d.inputs_hash, key
        valued += d.value is not None
    assert valued > 15000  # real values, not only empty results
