"""Record files under arbitrary input: the loader reports problems, it never crashes.

Hypothesis writes arbitrary bytes as .csv, .parquet and .xlsx files, and arbitrary cell text
into a real visits CSV (header kept), and loads them. Whatever the input, ``load_records``
returns a report naming file, row and column of each problem (or raises the loader's own
``RecordFileError``), and a strict load of a file with errors leaves the store unchanged.
"""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yigai.domain.errors import YigaiError
from yigai.records.loader import load_records
from yigai.records.schema import table
from yigai.records.store import open_store

from .conftest import institution, visit

FUZZ = settings(
    max_examples=25, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)
VISIT_COLUMNS = list(table("outpatient_visits").names)


def _fresh_store(folder: Path):  # type: ignore[no-untyped-def]
    store = open_store(folder / "records.duckdb")
    towns = folder / "towns.csv"
    towns.write_text("town_code,town_name,district_code,district_name\nT1,城门镇,D1,仓山区\n", encoding="utf-8")
    inst = folder / "institutions.csv"
    row = institution("C1")
    with inst.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    result = load_records(store, [towns, inst], strict=True)
    assert not result.errors
    return store


@FUZZ
@given(payload=st.binary(max_size=3000), suffix=st.sampled_from([".csv", ".parquet", ".xlsx"]))
def test_arbitrary_bytes_are_reported_not_crashed_on(payload: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = _fresh_store(folder)
        try:
            path = folder / f"outpatient_visits{suffix}"
            path.write_bytes(payload)
            before = store.counts()
            try:
                result = load_records(store, [path], strict=True)
            except YigaiError as exc:
                assert exc.message_zh
            else:
                if result.errors:
                    assert store.counts() == before  # strict: nothing saved
                    assert all(p.file == path.name for f in result.files for p in f.listed)
        finally:
            store.close()


cells = st.text(max_size=30).map(lambda t: "".join(c for c in t if c.isprintable() and c not in "\r\n"))


@FUZZ
@given(edits=st.dictionaries(st.sampled_from(VISIT_COLUMNS), cells, min_size=1, max_size=6))
def test_arbitrary_cells_in_a_real_file_are_named_by_row_and_column(edits: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = _fresh_store(folder)
        try:
            rows = [visit("V1", institution_id="C1"), {**visit("V2", institution_id="C1"), **edits}]
            path = folder / "outpatient_visits.csv"
            with path.open("w", newline="", encoding="utf-8") as fh:
                writer = csv.DictWriter(fh, fieldnames=VISIT_COLUMNS, extrasaction="ignore")
                writer.writeheader()
                writer.writerows(rows)
            result = load_records(store, [path])
            problems = [p for f in result.files for p in f.listed]
            assert all(p.row in (1, 2, 3) and p.message and p.message_zh for p in problems)
            assert result.files[0].loaded + result.files[0].set_aside == result.files[0].rows
        finally:
            store.close()
