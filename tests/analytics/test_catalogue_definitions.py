"""The shipped catalogue: size, codes, levels, and SQL that parses and renders for PostgreSQL and Spark.

That a code shared with the entered values' catalogue (data/indicators.yaml) is one indicator is
tested in tests/services/test_indicators_one_catalogue.py.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlglot
import yaml

from yigai.analytics.catalogue import AREAS, CatalogueError, Level, load_catalogue, parse_catalogue
from yigai.analytics.dialect import DialectError, render
from yigai.analytics.queries import fused, measure_sql
from yigai.data import data_path

CAT = load_catalogue()
DATES = [dt.date(2023, 3, 31), dt.date(2023, 12, 31)]


def _statements() -> list:
    out = []
    by_source: dict[str, list] = {}
    for m in CAT.measures.values():
        by_source.setdefault(m.source.name, []).append(m)
        out.append(pytest.param(measure_sql(m, Level.DISTRICT), id=f"{m.name}@district"))  # the longest unit filter
    for name, ms in by_source.items():
        out.append(pytest.param(fused(ms[0].source, ms, DATES).sql, id=f"fused-{name}"))
    return out


def test_at_least_forty_indicators_with_unique_codes_in_every_area() -> None:
    raw_codes = []
    for area in AREAS:
        raw = yaml.safe_load(data_path(f"indicators/{area}.yaml").read_text(encoding="utf-8"))
        raw_codes += [e["code"] for e in raw["indicators"]]
        assert raw["indicators"], area
    assert len(raw_codes) >= 40
    assert len(raw_codes) == len(set(raw_codes)) == len(CAT.indicators)
    assert {i.area for i in CAT.indicators.values()} == set(AREAS)


def test_every_entry_is_complete() -> None:
    for ind in CAT.indicators.values():
        assert ind.name and ind.unit and ind.definition and ind.source.document and ind.source.edition, ind.code
        assert ind.source.certainty in {"checked", "recalled"}, ind.code
        assert ind.levels and Level.DISTRICT in ind.levels, ind.code
        assert ind.version >= 1 and ind.factor > 0, ind.code
        if ind.unit == "%":
            assert ind.factor == 100, ind.code


@pytest.mark.parametrize("sql", _statements())
def test_sql_parses_and_renders_for_postgres_and_spark(sql: str) -> None:
    sqlglot.parse_one(sql, read="duckdb")
    for dialect in ("postgres", "spark"):
        out = render(sql, dialect)
        sqlglot.parse_one(out, read=dialect)
        assert "::" not in out


def test_render_refuses_an_unknown_dialect() -> None:
    with pytest.raises(DialectError):
        render("SELECT 1", "oracle9")


def _write(folder: Path, measures: str, area: str) -> Path:
    (folder / "measures.yaml").write_text(measures, encoding="utf-8")
    (folder / "resources.yaml").write_text(area, encoding="utf-8")
    return folder


MEASURES = """
sources:
  pop: {kind: stock, from: residents r, unit: r.town_code, attribution: town}
  visits: {kind: flow, from: outpatient_visits v, unit: v.institution_id, attribution: institution, day: v.visit_date}
measures:
  people: {source: pop}
  visits: {source: visits}
"""
ENTRY = """
indicators:
  - {code: X, name: 名, unit: "%", direction: higher, definition: 定义, version: 1, factor: 100,
     source: {document: 文件, edition: "2024", certainty: recalled},
     numerator: [visits], denominator: [people], levels: [LEVELS], aggregation: ratio_of_sums}
"""


def test_a_level_the_measures_cannot_reach_is_refused(tmp_path: Path) -> None:
    ok = parse_catalogue(_write(tmp_path, MEASURES, ENTRY.replace("LEVELS", "district, town")))
    assert ok.indicators["X"].levels == (Level.DISTRICT, Level.TOWN)
    with pytest.raises(CatalogueError, match="levels") as err:
        parse_catalogue(_write(tmp_path, MEASURES, ENTRY.replace("LEVELS", "district, institution")))
    assert "resources.yaml" in err.value.where


def test_a_wrong_aggregation_rule_or_unknown_measure_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="aggregation"):
        parse_catalogue(_write(tmp_path, MEASURES, ENTRY.replace("LEVELS", "district").replace("ratio_of_sums", "sum")))
    with pytest.raises(CatalogueError, match="unknown measure"):
        parse_catalogue(_write(tmp_path, MEASURES, ENTRY.replace("LEVELS", "district").replace("[people]", "[nobody]")))
