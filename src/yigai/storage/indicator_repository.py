"""Indicator catalogue, data values, validation rules, outlier bounds and target links.

Data values are append-only like reports: a correction is the next version,
and the latest version of each key × org unit × period is the current value.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, and_, func, insert, select
from sqlalchemy.orm import Session

from yigai.clock import aware, now, to_utc
from yigai.domain.indicators import (
    Aggregation,
    DataValue,
    Direction,
    IndicatorDef,
    MissingValueStrategy,
    OutlierBounds,
    TargetLink,
    ValidationRule,
    ValueSource,
)
from yigai.storage.indicator_models import (
    DataValueRow,
    IndicatorRow,
    OutlierBoundsRow,
    TargetLinkRow,
    ValidationRuleRow,
)

_CODE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _indicator(r: IndicatorRow) -> IndicatorDef:
    return IndicatorDef(
        code=r.code,
        name=r.name,
        unit=r.unit,
        direction=Direction(r.direction),
        definition=r.definition,
        numerator=r.numerator,
        denominator=r.denominator,
        factor=r.factor,
        aggregation=Aggregation(r.aggregation),
        decimals=r.decimals,
        aliases=list(r.aliases),
        over_100=r.over_100,
        signed=r.signed,
    )


@dataclass(frozen=True, slots=True)
class ValueRecord:
    """A stored value version and whether it fell outside the min-max bounds when saved."""

    value: DataValue
    outlier: bool


def _value(r: DataValueRow) -> ValueRecord:
    return ValueRecord(
        DataValue(
            key=r.key,
            org_unit=r.org_unit,
            period_id=r.period_id,
            value=r.value,
            source=ValueSource(r.source),
            author=r.author,
            version=r.version,
            saved_at=aware(r.saved_at),
            comment=r.comment,
            numerator=r.numerator,
            denominator=r.denominator,
            definition_version=r.definition_version,
            inputs_hash=r.inputs_hash,
        ),
        r.outlier,
    )


@dataclass(frozen=True, slots=True)
class CurrentVersion:
    """What decides whether a computed value is new: the current version's number and content."""

    version: int
    value: float
    definition_version: str
    inputs_hash: str


_IN_CHUNK = 500  # keeps IN lists well under SQLite's bound-parameter limit


@dataclass(frozen=True, slots=True)
class LinkRecord:
    link: TargetLink
    target_metric: str
    confirmed_at: dt.datetime | None


class IndicatorRepository:
    """The catalogue with its rules and bounds."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def upsert(self, defs: Sequence[IndicatorDef], at: dt.datetime | None = None) -> tuple[int, int]:
        rows = {r.code: r for r in self.session.scalars(select(IndicatorRow))}
        created = updated = 0
        for d in defs:
            row = rows.get(d.code)
            if row is None:
                row = IndicatorRow(code=d.code)
                self.session.add(row)
                rows[d.code] = row
                created += 1
            else:
                updated += 1
            row.name, row.unit, row.direction, row.definition = d.name, d.unit, d.direction.value, d.definition
            row.numerator, row.denominator, row.factor = d.numerator, d.denominator, d.factor
            row.aggregation, row.decimals, row.aliases = d.aggregation.value, d.decimals, list(d.aliases)
            row.over_100, row.signed = d.over_100, d.signed
            row.updated_at = to_utc(at or now())
        self.session.flush()
        return created, updated

    def get(self, code: str) -> IndicatorDef | None:
        row = self.session.scalar(select(IndicatorRow).where(IndicatorRow.code == code))
        return None if row is None else _indicator(row)

    def all(self) -> list[IndicatorDef]:
        return [_indicator(r) for r in self.session.scalars(select(IndicatorRow).order_by(IndicatorRow.code))]

    def data_elements(self) -> set[str]:
        """Codes named in any numerator or denominator expression."""
        found: set[str] = set()
        for num, den in self.session.execute(select(IndicatorRow.numerator, IndicatorRow.denominator)):
            found.update(_CODE.findall(f"{num} {den}"))
        return found

    # -- bounds and rules

    def bounds(self, key: str) -> OutlierBounds | None:
        row = self.session.scalar(select(OutlierBoundsRow).where(OutlierBoundsRow.key == key))
        return None if row is None else OutlierBounds(row.key, row.minimum, row.maximum)

    def bounds_for(self, keys: Iterable[str]) -> dict[str, OutlierBounds]:
        """The bounds of several keys in one query (keys without bounds are absent)."""
        wanted = sorted(set(keys))
        found: dict[str, OutlierBounds] = {}
        for i in range(0, len(wanted), _IN_CHUNK):
            for row in self.session.scalars(
                select(OutlierBoundsRow).where(OutlierBoundsRow.key.in_(wanted[i : i + _IN_CHUNK]))
            ):
                found[row.key] = OutlierBounds(row.key, row.minimum, row.maximum)
        return found

    def set_bounds(self, bounds: OutlierBounds) -> None:
        row = self.session.scalar(select(OutlierBoundsRow).where(OutlierBoundsRow.key == bounds.key))
        if row is None:
            row = OutlierBoundsRow(key=bounds.key)
            self.session.add(row)
        row.minimum, row.maximum = bounds.minimum, bounds.maximum
        self.session.flush()

    def rules(self) -> list[ValidationRule]:
        return [
            ValidationRule(r.code, r.name, r.left, r.operator, r.right, MissingValueStrategy(r.missing))
            for r in self.session.scalars(select(ValidationRuleRow).order_by(ValidationRuleRow.code))
        ]

    def put_rule(self, rule: ValidationRule) -> None:
        row = self.session.scalar(select(ValidationRuleRow).where(ValidationRuleRow.code == rule.code))
        if row is None:
            row = ValidationRuleRow(code=rule.code)
            self.session.add(row)
        row.name, row.left, row.operator, row.right = rule.name, rule.left, rule.operator, rule.right
        row.missing = rule.missing.value
        self.session.flush()


class ValueRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, value: DataValue, *, outlier: bool = False) -> None:
        self.session.add(DataValueRow(**_row(value, outlier)))
        self.session.flush()

    def add_many(self, values: Sequence[tuple[DataValue, bool]]) -> None:
        """Insert many (value, outlier) versions in one executemany: the path of a compute run."""
        if values:
            self.session.execute(
                insert(cast(Table, DataValueRow.__table__)), [_row(v, outlier) for v, outlier in values]
            )

    def current_versions(
        self, keys: Iterable[str], period_ids: Iterable[str] | None = None
    ) -> dict[tuple[str, str, str], CurrentVersion]:
        """The current version of every key × org unit × period of ``keys`` (and ``period_ids``).

        One grouped query per chunk of keys: the newest version number per identity, joined back
        to its row through the unique (key, org_unit, period_id, version) index.
        """
        wanted = sorted(set(keys))
        periods = None if period_ids is None else sorted(set(period_ids))
        found: dict[tuple[str, str, str], CurrentVersion] = {}
        d = DataValueRow
        for i in range(0, len(wanted), _IN_CHUNK):
            versions = select(d.key, d.org_unit, d.period_id, func.max(d.version).label("version")).where(
                d.key.in_(wanted[i : i + _IN_CHUNK])
            )
            if periods is not None and len(periods) <= _IN_CHUNK:
                versions = versions.where(d.period_id.in_(periods))
            newest = versions.group_by(d.key, d.org_unit, d.period_id).subquery()
            stmt = select(d.key, d.org_unit, d.period_id, d.version, d.value, d.definition_version, d.inputs_hash).join(
                newest,
                and_(
                    d.key == newest.c.key,
                    d.org_unit == newest.c.org_unit,
                    d.period_id == newest.c.period_id,
                    d.version == newest.c.version,
                ),
            )
            for key, org_unit, period_id, version, value, definition_version, inputs_hash in self.session.execute(stmt):
                found[(key, org_unit, period_id)] = CurrentVersion(version, value, definition_version, inputs_hash)
        return found

    def latest(self, key: str, org_unit: str, period_id: str) -> ValueRecord | None:
        row = self.session.scalar(
            select(DataValueRow)
            .where(
                DataValueRow.key == key,
                DataValueRow.org_unit == org_unit,
                DataValueRow.period_id == period_id,
            )
            .order_by(DataValueRow.version.desc())
            .limit(1)
        )
        return None if row is None else _value(row)

    def query(
        self,
        *,
        keys: Iterable[str] | None = None,
        org_units: Iterable[str] | None = None,
        period_ids: Iterable[str] | None = None,
        all_versions: bool = False,
    ) -> list[ValueRecord]:
        """Values by key, org unit and period; the current version only unless ``all_versions``."""
        stmt = select(DataValueRow)
        if keys is not None:
            stmt = stmt.where(DataValueRow.key.in_(list(keys)))
        if org_units is not None:
            stmt = stmt.where(DataValueRow.org_unit.in_(list(org_units)))
        if period_ids is not None:
            stmt = stmt.where(DataValueRow.period_id.in_(list(period_ids)))
        stmt = stmt.order_by(DataValueRow.key, DataValueRow.org_unit, DataValueRow.period_id, DataValueRow.version)
        records = [_value(r) for r in self.session.scalars(stmt)]
        if all_versions:
            return records
        current: dict[tuple[str, str, str], ValueRecord] = {}
        for rec in records:
            v = rec.value
            current[(v.key, v.org_unit, v.period_id)] = rec  # later versions overwrite
        return list(current.values())


def _row(value: DataValue, outlier: bool) -> dict[str, object]:
    return {
        "key": value.key,
        "org_unit": value.org_unit,
        "period_id": value.period_id,
        "version": value.version,
        "value": value.value,
        "source": value.source.value,
        "author": value.author,
        "saved_at": to_utc(value.saved_at or now()),
        "comment": value.comment,
        "outlier": outlier,
        "numerator": value.numerator,
        "denominator": value.denominator,
        "definition_version": value.definition_version,
        "inputs_hash": value.inputs_hash,
    }


class TargetLinkRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def for_plan(self, plan_id: int) -> list[LinkRecord]:
        rows = self.session.scalars(
            select(TargetLinkRow).where(TargetLinkRow.plan_id == plan_id).order_by(TargetLinkRow.target_index)
        )
        return [
            LinkRecord(
                TargetLink(r.plan_id, r.target_index, r.indicator_code, r.confirmed, r.confirmed_by, r.score),
                r.target_metric,
                aware(r.confirmed_at),
            )
            for r in rows
        ]

    def put(self, link: TargetLink, target_metric: str, *, confirmed_at: dt.datetime | None = None) -> None:
        row = self.session.scalar(
            select(TargetLinkRow).where(
                TargetLinkRow.plan_id == link.plan_id, TargetLinkRow.target_index == link.target_index
            )
        )
        if row is None:
            row = TargetLinkRow(plan_id=link.plan_id, target_index=link.target_index)
            self.session.add(row)
        row.target_metric, row.indicator_code, row.confirmed = target_metric, link.indicator_code, link.confirmed
        row.confirmed_by, row.score = link.confirmed_by, link.score
        row.confirmed_at = None if confirmed_at is None else to_utc(confirmed_at)
        self.session.flush()
