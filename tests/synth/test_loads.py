"""The synthetic district is what the record loader expects: a strict load takes every row of
every file with no error and no warning."""

from __future__ import annotations

import json
from pathlib import Path

from yigai.records.loader import load_records
from yigai.records.store import open_store
from yigai.synth import generate


def test_a_strict_load_takes_every_generated_row(tmp_path: Path) -> None:
    data = tmp_path / "synth"
    generate("small", 2023, 21, data)
    rows = json.loads((data / "manifest.json").read_text(encoding="utf-8"))["rows"]
    with open_store(tmp_path / "records.duckdb") as store:
        result = load_records(store, [data], strict=True)
        assert result.saved
        assert {f.table: (f.errors, f.warnings, f.set_aside) for f in result.files} == {t: (0, 0, 0) for t in rows}
        assert {f.table: f.loaded for f in result.files} == rows
        assert result.skipped == [data / "manifest.json"]  # named as no record file, and not taken for one
