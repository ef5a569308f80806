"""Materialised partials: read instead of scanning, they give every value, record count and input
hash the scan gives, and they are used only while the records and the definitions are those they
were made from."""

from __future__ import annotations

import datetime as dt
import shutil

import duckdb
import pytest

from yigai.analytics import materialised
from yigai.analytics.catalogue import Level, load_catalogue, parse_catalogue
from yigai.analytics.engine import compute, periods_within
from yigai.data import data_path
from yigai.records.store import LOADS_DDL

ALL = list(load_catalogue().indicators.values())
SOURCES = {m.source.name for ind in ALL for m in ind.measures}


@pytest.fixture()
def kept(make_store, hand_rows) -> duckdb.DuckDBPyConnection:
    con = make_store(hand_rows)
    con.execute(LOADS_DDL)
    materialised.refresh(con)
    return con


def _by_key(comp):
    return {(r.code, r.level, r.org_unit, r.period_id): r for r in comp.results}


def test_the_whole_catalogue_from_materialised_partials_equals_the_scan(kept) -> None:
    periods = periods_within("2023")
    read = compute(kept, ALL, periods)
    scanned = compute(kept, ALL, periods, use_materialised=False)
    assert set(read.materialised) == SOURCES and not read.statements
    assert not scanned.materialised and len(scanned.statements) == len(SOURCES)
    assert _by_key(read) == _by_key(scanned) and len(read.results) > 5000  # values, counts, hashes, reasons
    assert read.unattributed == scanned.unattributed


def test_refresh_keeps_each_measure_per_unit_and_month(kept) -> None:
    op = load_catalogue().measures["op_visits"]
    got = kept.execute(
        f"SELECT unit, day, value, records FROM {materialised.PARTIALS} WHERE measure_key = ? ORDER BY day, unit",
        [materialised.measure_key(op)],
    ).fetchall()
    # V8 (H1, 2022-12), V9 (C2, 2022-06) and the seven 2023 visits, one row per institution and month
    assert got[:2] == [("C2", dt.date(2022, 6, 1), 1.0, 1), ("H1", dt.date(2022, 12, 1), 1.0, 1)]
    assert sum(r[3] for r in got) == 9
    ends = kept.execute(
        f"SELECT DISTINCT first_as_of, last_as_of FROM {materialised.MEASURES} WHERE first_as_of IS NOT NULL"
    ).fetchall()
    assert ends == [(dt.date(2021, 1, 31), dt.date(2023, 12, 31))]  # the year before the first event → the last


def test_a_change_to_the_records_after_the_refresh_falls_back_to_scanning(kept, hand_rows) -> None:
    visit = dict(hand_rows["outpatient_visits"][0], visit_id="V99")
    kept.execute(
        f"INSERT INTO outpatient_visits ({', '.join(visit)}) VALUES ({', '.join('?' * len(visit))})",
        list(visit.values()),
    )
    comp = compute(kept, load_catalogue().select("OUTPATIENT_VISITS"), ["2023"], [Level.DISTRICT])
    assert comp.materialised == [] and comp.results[0].numerator == 8  # seven 2023 visits and V99
    materialised.refresh(kept)
    again = compute(kept, load_catalogue().select("OUTPATIENT_VISITS"), ["2023"], [Level.DISTRICT])
    assert again.materialised == ["visits"] and again.results[0].numerator == 8


def test_a_new_load_makes_them_stale(kept) -> None:
    kept.execute("INSERT INTO loads VALUES (1, 'towns', '', NULL, NULL, 'towns.csv', 'x', 0, 0, now())")
    assert compute(kept, load_catalogue().select("DRUG_SHARE"), ["2023"]).materialised == []


def test_an_edited_definition_is_scanned_and_the_others_still_read(kept, tmp_path) -> None:
    folder = tmp_path / "indicators"
    shutil.copytree(data_path("indicators"), folder)
    measures = folder / "measures.yaml"
    text = measures.read_text(encoding="utf-8")
    measures.write_text(
        text.replace(
            "op_premium_visits: {source: visits, where: v.premium,",
            "op_premium_visits: {source: visits, where: v.premium AND v.fund_paid > 0,",
        ),
        encoding="utf-8",
    )
    cat = parse_catalogue(folder)
    comp = compute(kept, cat.select("PREMIUM_SERVICE_SHARE,AVG_LOS"), ["2023"], [Level.DISTRICT])
    assert comp.materialised == ["discharges"]  # the visits' premium count changed: scanned
    # V3, the one premium visit, had no fund payment: D4's premium stay is left (V3 and D4 as shipped)
    assert comp.results[0].numerator == 1
    assert (
        compute(kept, load_catalogue().select("PREMIUM_SERVICE_SHARE"), ["2023"], [Level.DISTRICT]).results[0].numerator
        == 2
    )


def test_month_ends_outside_those_kept_are_scanned(kept) -> None:
    comp = compute(kept, load_catalogue().select("BEDS_PER_1000"), ["2024Q1"], [Level.DISTRICT])
    assert comp.materialised == []
    assert set(compute(kept, load_catalogue().select("BEDS_PER_1000"), ["2023Q1"]).materialised) == {
        "open_institutions",
        "population",
    }


def test_a_store_without_them_is_scanned(hand_store) -> None:
    comp = compute(hand_store, load_catalogue().select("DRUG_SHARE"), ["2023"])
    assert comp.materialised == [] and len(comp.statements) == 2
