"""Indicators computed from the record store, written into the indicator store.

The engine (``yigai.analytics``) knows nothing of the indicator store; this module opens the
record store, runs it, and saves its results as computed values — after making sure the store
knows the catalogue's indicators and the record store's district, towns and institutions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from yigai.analytics.catalogue import Catalogue, CatalogueError, Indicator, Level, indicator_def, load_catalogue
from yigai.analytics.engine import ALL_LEVELS, Computation, Result, compute, periods_within
from yigai.records.store import open_store
from yigai.services.computed_values import (
    ComputedValue,
    register_indicators,
    save_computed,
    sync_record_orgunits,
)
from yigai.services.errors import InvalidInputError, UnknownIndicatorError
from yigai.storage.uow import UnitOfWork

# Institution types are groupings of the record store, not org units of the indicator store:
# their values are computed and shown but not saved.
STORED_LEVELS = frozenset({Level.DISTRICT, Level.TOWN, Level.INSTITUTION})


@dataclass(frozen=True, slots=True)
class WriteSummary:
    indicators_added: int  # catalogue entries the indicator store lacked
    orgunits_added: int  # record-store units the indicator store lacked
    created: int  # new value versions
    unchanged: int  # same value, definition version and inputs hash as stored
    without_value: int  # results with no value (zero denominator …): nothing to save
    not_stored_level: int  # institution-type results: not org units


@contextmanager
def records(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the record store at ``path``."""
    with open_store(path, read_only=True) as store:
        yield store.conn


@contextmanager
def lake_records(lake: str | Path | None, master: str, conf: Sequence[str] = ()) -> Iterator[Any]:
    """The record lake at ``lake`` on Spark (``master``: local[N], spark://…, sc://…, yarn, k8s://…),
    with ``conf`` pairs KEY=VALUE; checked before Spark starts (``yigai.analytics.spark``)."""
    if lake is None:
        raise InvalidInputError(
            "--engine spark reads a record lake: give --lake DIR (yigai records export --parquet DIR writes one)",
            message_zh="Spark 引擎读取记录湖：请用 --lake 指定目录（可用 yigai records export --parquet 生成）",
            where="--lake",
        )
    from yigai.analytics.spark import open_lake, parse_conf  # PySpark: only for a Spark run

    with open_lake(lake, master, conf=parse_conf(conf)) as con:
        yield con


def parse_levels(text: str) -> list[Level]:
    """``all`` or ``district,town`` → levels, in the canonical order."""
    if text.strip().lower() == "all":
        return list(ALL_LEVELS)
    wanted = [p.strip().lower() for p in text.split(",") if p.strip()]
    bad = [w for w in wanted if w not in {lv.value for lv in Level}]
    if bad or not wanted:
        raise InvalidInputError(
            f"unknown level(s): {', '.join(bad) or text!r}; use district, town, institution, institution_type or all",
            message_zh=f"未知层级：{'、'.join(bad) or text}（可用 district、town、institution、institution_type、all）",
            where="--level",
        )
    return [lv for lv in ALL_LEVELS if lv.value in wanted]


def select_indicators(codes: str | Sequence[str], catalogue: Catalogue | None = None) -> list[Indicator]:
    """``all`` or codes → catalogue indicators; an unknown code is bad input (exit code 2 at the CLI)."""
    cat = catalogue or load_catalogue()
    try:
        return cat.select(codes if isinstance(codes, str) else list(codes))
    except CatalogueError as exc:
        raise UnknownIndicatorError(str(exc), message_zh=exc.message_zh, where=exc.where) from None


def run(
    con: Any,
    codes: str | Sequence[str],
    period_id: str,
    levels: Sequence[Level],
    *,
    within: bool = False,
    catalogue: Catalogue | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> tuple[list[Indicator], Computation]:
    """Compute the chosen indicators for ``period_id`` (and, ``within``, its months and quarters)."""
    chosen = select_indicators(codes, catalogue)
    periods = periods_within(period_id) if within else [period_id]
    return chosen, compute(con, chosen, periods, levels, progress=progress)


def computed_values(results: Sequence[Result]) -> list[ComputedValue]:
    """The results the indicator store can hold: a value, at a level that is an org unit there."""
    return [
        ComputedValue(
            key=r.code,
            org_unit=r.org_unit,
            period_id=r.period_id,
            value=r.value,
            numerator=r.numerator,
            denominator=r.denominator,
            definition_version=r.definition_version,
            inputs_hash=r.inputs_hash,
            comment=f"{r.numerator_records} records",
        )
        for r in results
        if r.value is not None and r.level in STORED_LEVELS
    ]


def write(
    uow: UnitOfWork, author: str, con: Any, indicators: Sequence[Indicator], computation: Computation
) -> WriteSummary:
    """Save a computation as computed values (new versions only where something changed)."""
    added = register_indicators(uow, author, [indicator_def(i) for i in indicators])
    units = sync_record_orgunits(uow, author, con)
    values = computed_values(computation.results)
    saved = save_computed(uow, author, values)
    return WriteSummary(
        indicators_added=added,
        orgunits_added=units,
        created=saved.created,
        unchanged=saved.unchanged,
        without_value=sum(1 for r in computation.results if r.value is None and r.level in STORED_LEVELS),
        not_stored_level=sum(1 for r in computation.results if r.level not in STORED_LEVELS),
    )


def catalogue_rows(catalogue: Catalogue | None = None) -> list[dict[str, Any]]:
    """The standard catalogue as plain rows (``yigai indicators --format json``, docs/indicators.md)."""
    cat = catalogue or load_catalogue()
    return [
        {
            "code": i.code,
            "name": i.name,
            "area": i.area,
            "area_name": cat.area_names.get(i.area, i.area),
            "unit": i.unit,
            "direction": i.direction.value,
            "definition": i.definition,
            "numerator": [m.name for m in i.numerator],
            "denominator": [m.name for m in i.denominator],
            "factor": i.factor,
            "decimals": i.decimals,
            "levels": [lv.value for lv in i.levels],
            "aggregation": i.aggregation.value,
            "compare": i.compare.value if i.compare else None,
            "version": i.definition_version,
            "source": i.source.document,
            "edition": i.source.edition,
            "certainty": i.source.certainty,
            "source_note": i.source.note,
            "aliases": list(i.aliases),
        }
        for i in cat.indicators.values()
    ]
