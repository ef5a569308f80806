"""Indicators, data values, validation rules (DHIS2's model, adapted to reform supervision)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class Direction(StrEnum):
    HIGHER_IS_BETTER = "higher"
    LOWER_IS_BETTER = "lower"
    NEUTRAL = "neutral"  # a value to hit, e.g. 出生人口性别比


class Aggregation(StrEnum):
    SUM = "sum"
    AVERAGE = "average"  # population-type denominators are averaged over sub-periods


class ValueSource(StrEnum):
    ENTERED = "entered"
    IMPORTED = "imported"
    COMPUTED = "computed"


@dataclass(slots=True)
class IndicatorDef:
    code: str
    name: str
    unit: str
    direction: Direction
    definition: str = ""
    numerator: str = ""  # expression over data-element codes, e.g. "REFERRAL_BOOKED"
    denominator: str = ""  # e.g. "OUTPATIENT_VISITS_PUBLIC"; empty for a plain count
    factor: float = 1.0  # 100 for %, 1000 for ‰, 100000 for 1/10万
    aggregation: Aggregation = Aggregation.SUM
    decimals: int = 2
    aliases: list[str] = field(default_factory=list)  # other names the plans use
    # What values the unit allows beyond its natural range (see domain/value_checks.py): a rate
    # over its whole, 100 % or 1000 ‰ (growth rates; 编制利用率 and 参保率 of 户籍人口 can pass 100 %) …
    over_100: bool = False
    signed: bool = False  # … and a value below zero (growth rates)


@dataclass(slots=True)
class DataValue:
    """One version of a value for (indicator or data element, org unit, period)."""

    key: str  # indicator code or data-element code
    org_unit: str
    period_id: str
    value: float
    source: ValueSource = ValueSource.ENTERED
    author: str = ""
    version: int = 1
    saved_at: dt.datetime | None = None
    comment: str = ""
    # How a computed value was made (empty for entered and imported values): the parts of a ratio,
    # the indicator definition's version and a hash of the records it was computed from.
    numerator: float | None = None
    denominator: float | None = None
    definition_version: str = ""
    inputs_hash: str = ""


class MissingValueStrategy(StrEnum):
    SKIP_IF_ANY_MISSING = "skip_if_any_missing"
    SKIP_IF_ALL_MISSING = "skip_if_all_missing"
    NEVER_SKIP = "never_skip"  # a missing value counts as 0


@dataclass(slots=True)
class ValidationRule:
    """``left operator right`` over data-element/indicator codes, e.g. A <= B."""

    code: str
    name: str
    left: str
    operator: str  # one of == != < <= > >=
    right: str
    missing: MissingValueStrategy = MissingValueStrategy.SKIP_IF_ANY_MISSING


@dataclass(slots=True)
class OutlierBounds:
    key: str
    minimum: float | None = None
    maximum: float | None = None


@dataclass(slots=True)
class TargetLink:
    """A plan target tied to an indicator: suggested by name and unit, confirmed by a person."""

    plan_id: int
    target_index: int  # position of the target in the plan
    indicator_code: str
    confirmed: bool = False
    confirmed_by: str = ""
    score: float = 0.0  # similarity of the suggestion
