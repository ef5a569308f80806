"""The whole catalogue on PostgreSQL gives the values and input hashes DuckDB gives (hand-made store):
the same definitions, rendered by the dialect layer, run through ``dialect.execute`` over psycopg."""

from __future__ import annotations

import os

import psycopg
import pytest

from yigai.analytics.catalogue import load_catalogue
from yigai.analytics.dialect import render
from yigai.analytics.engine import compute, periods_within
from yigai.records.schema import record_tables
from yigai.storage.local_postgres import create_database


@pytest.fixture(scope="module")
def pg_store(postgres_dsn: str, hand_store):
    name = f"records_{os.getpid()}"
    create_database(postgres_dsn, name)
    con = psycopg.connect(postgres_dsn.replace("dbname=postgres", f"dbname={name}"), autocommit=True)
    for t in record_tables().values():
        con.execute(render(t.ddl(), "postgres"))
        rows = hand_store.execute(f"SELECT {', '.join(t.names)} FROM {t.name}").fetchall()
        if rows:
            with con.cursor() as cur:
                cur.executemany(f"INSERT INTO {t.name} VALUES ({', '.join(['%s'] * len(t.names))})", rows)
    yield con
    con.close()


def test_catalogue_on_postgres_equals_duckdb(pg_store, hand_store) -> None:
    indicators = list(load_catalogue().indicators.values())
    periods = periods_within("2023")
    duck = {(r.code, r.level, r.org_unit, r.period_id): r for r in compute(hand_store, indicators, periods).results}
    pg = {(r.code, r.level, r.org_unit, r.period_id): r for r in compute(pg_store, indicators, periods).results}
    assert pg.keys() == duck.keys() and len(pg) > 5000
    for key, d in duck.items():
        p = pg[key]
        assert (p.numerator, p.denominator, p.numerator_records, p.denominator_records) == pytest.approx(
            (d.numerator, d.denominator, d.numerator_records, d.denominator_records)
        ), key
        assert p.value == pytest.approx(d.value) and p.reason == d.reason, key
        assert p.inputs_hash == d.inputs_hash, key
