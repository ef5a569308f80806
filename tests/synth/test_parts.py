"""The generator's building blocks: band lookups, cost splitting, ICD leaves, procedure draws,
Arrow builders and the Parquet sink."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yigai.synth.arrow import dates, ids, yuan
from yigai.synth.config import by_band, normalised
from yigai.synth.icd import leaves, procedure_table
from yigai.synth.model import split_cost
from yigai.synth.sink import Output, TableSink


def test_by_band_takes_the_band_an_age_falls_in() -> None:
    ages = np.array([0, 14, 15, 44, 45, 99])
    assert by_band({0: 1.0, 15: 2.0, 45: 3.0}, ages).tolist() == [1.0, 1.0, 2.0, 2.0, 3.0, 3.0]
    # YAML keys may be strings or out of order
    assert by_band({"45": 3.0, "0": 1.0, "15": 2.0}, ages).tolist() == [1.0, 1.0, 2.0, 2.0, 3.0, 3.0]


def test_normalised_weights_sum_to_one_and_missing_keys_weigh_nothing() -> None:
    assert normalised({"a": 1, "b": 3}, ["a", "b", "c"]).tolist() == [0.25, 0.75, 0.0]


@settings(max_examples=60, deadline=None)
@given(
    totals=st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=50),
    alpha=st.lists(st.floats(min_value=0.05, max_value=50), min_size=7, max_size=7),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_cost_parts_are_whole_cents_that_add_up_to_the_total(totals: list[int], alpha: list[float], seed: int) -> None:
    total = np.array(totals, dtype=np.int64)
    parts = split_cost(np.random.default_rng(seed), total, np.tile(np.array(alpha), (len(total), 1)))
    assert parts.dtype == np.int64
    assert (parts >= 0).all()
    assert (parts.sum(axis=1) == total).all()


def test_icd_leaves_are_the_medical_insurance_codes_without_grey_codes() -> None:
    assert leaves("K35")[:3] == ("K35.200", "K35.201", "K35.300")  # 医保版 ICD-10 v2.0, in code order
    hypertension = leaves("I10")
    assert "I10.x00" not in hypertension and "I10.x00x002" in hypertension  # I10.x00 is a 灰码
    assert all(c.startswith("I10.") for c in hypertension)
    with pytest.raises(ValueError, match="not a 医保版 ICD-10 category"):
        leaves("J6X")


def test_procedure_draws_follow_the_category_shares() -> None:
    entries = (
        {
            "procs": [
                {"code": "51.2300", "share": 0.3, "surgery": True, "mi": True},
                {"code": "45.1300", "share": 0.2, "surgery": False, "mi": False},
            ]
        },
        {"code": "J18"},
    )
    table = procedure_table(entries)
    assert table.codes == ["51.2300", "45.1300"]
    drawn = table.draw(np.random.default_rng(3), np.zeros(20_000, dtype=np.int64))
    assert abs((drawn == 0).mean() - 0.3) < 0.015 and abs((drawn == 1).mean() - 0.2) < 0.015
    assert abs((drawn == -1).mean() - 0.5) < 0.015
    assert (table.draw(np.random.default_rng(3), np.ones(100, dtype=np.int64)) == -1).all()


def test_arrow_builders() -> None:
    assert ids("V2023", np.array([0, 42]), 4).to_pylist() == ["V20230000", "V20230042"]
    assert [str(d) for d in dates(np.array([19358, 19722])).to_pylist()] == ["2023-01-01", "2023-12-31"]
    assert dates(np.array([19358, 0]), mask=np.array([False, True])).null_count == 1
    assert yuan(np.array([12345, 1])).to_pylist() == [123.45, 0.01]


def _chunk(start: int, n: int) -> pa.Table:
    return pa.table({"x": pa.array(range(start, start + n), pa.int64())})


def test_sink_writes_fixed_row_groups_whatever_the_chunks(tmp_path: Path) -> None:
    schema = pa.schema([pa.field("x", pa.int64(), nullable=False)])
    chunked = TableSink(tmp_path / "a.parquet", schema, row_group=4)
    for start, n in [(0, 3), (3, 5), (8, 2), (10, 2)]:
        chunked.write(_chunk(start, n).cast(schema))
    chunked.close()
    whole = TableSink(tmp_path / "b.parquet", schema, row_group=4)
    whole.write(_chunk(0, 12).cast(schema))
    whole.close()
    meta = pq.ParquetFile(tmp_path / "a.parquet").metadata
    assert [meta.row_group(k).num_rows for k in range(meta.num_row_groups)] == [4, 4, 4]
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()


def test_a_failed_run_leaves_the_folder_as_it_was(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(RuntimeError), Output(tmp_path) as out:
        out.write(
            "towns",
            pa.table({"town_code": ["1"], "town_name": ["a"], "district_code": ["9"], "district_name": ["b"]}).cast(
                out.sinks["towns"].schema
            ),
        )
        raise RuntimeError("generation failed")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
