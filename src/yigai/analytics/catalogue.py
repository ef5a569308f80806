"""The standard indicator catalogue (``data/indicators/*.yaml``) read into typed definitions.

Indicators are ratios (or counts, or growths) of sums of *measures*; a measure is one additive
quantity over one *source* (a FROM clause with its attribution column). Keeping the arithmetic in
data lets the engine fuse every measure of a source into one grouped scan.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from yigai.data import data_path
from yigai.domain.errors import YigaiError
from yigai.domain.indicators import Aggregation, Direction, IndicatorDef

CATALOGUE_DIR = "indicators"
MEASURES_FILE = "measures.yaml"
AREAS = ("resources", "family_doctor", "tiered_care", "cost_control", "hospital_performance", "procurement")


class CatalogueError(YigaiError):
    message_zh = "指标目录定义错误"


class SourceKind(StrEnum):
    FLOW = "flow"  # dated events: grouped by month, months add up
    STOCK = "stock"  # a state on a day: evaluated at month ends, a period takes its last day


class Attribution(StrEnum):
    INSTITUTION = "institution"
    TOWN = "town"


class Level(StrEnum):
    DISTRICT = "district"
    TOWN = "town"
    INSTITUTION = "institution"
    INSTITUTION_TYPE = "institution_type"


LEVELS_OF: dict[Attribution, frozenset[Level]] = {
    Attribution.INSTITUTION: frozenset(Level),
    Attribution.TOWN: frozenset({Level.DISTRICT, Level.TOWN}),
}


class Compare(StrEnum):
    PREVIOUS = "previous"  # the period of the same length just before (month→month, quarter→quarter)
    YEAR_AGO = "year_ago"  # the same period one year earlier (同比)


class Rule(StrEnum):
    RATIO_OF_SUMS = "ratio_of_sums"
    SUM = "sum"
    GROWTH = "growth"


@dataclass(frozen=True, slots=True)
class Source:
    name: str
    kind: SourceKind
    from_: str
    unit: str
    attribution: Attribution
    day: str = ""  # flow only
    where: str = ""


@dataclass(frozen=True, slots=True)
class Measure:
    name: str
    source: Source
    value: str = "1"
    where: str = ""
    meaning: str = ""


@dataclass(frozen=True, slots=True)
class SourceRef:
    document: str
    edition: str
    certainty: str  # checked | recalled
    note: str = ""


@dataclass(frozen=True, slots=True)
class Indicator:
    code: str
    name: str
    unit: str
    direction: Direction
    definition: str
    source: SourceRef
    version: int
    numerator: tuple[Measure, ...]
    denominator: tuple[Measure, ...]  # empty: a count (value = numerator × factor)
    factor: float
    decimals: int
    levels: tuple[Level, ...]
    aggregation: Rule
    area: str
    compare: Compare | None = None  # growth indicators only
    aliases: tuple[str, ...] = ()

    @property
    def definition_version(self) -> str:
        return f"{self.code}@{self.version}"

    @property
    def measures(self) -> tuple[Measure, ...]:
        return self.numerator + self.denominator

    @property
    def is_growth(self) -> bool:
        return self.compare is not None


@dataclass(frozen=True, slots=True)
class Catalogue:
    sources: dict[str, Source]
    measures: dict[str, Measure]
    indicators: dict[str, Indicator]
    area_names: dict[str, str]

    def select(self, codes: str | list[str]) -> list[Indicator]:
        """``"all"`` or codes (a comma-separated string or a list) → indicators, in catalogue order."""
        if isinstance(codes, str):
            if codes.strip().lower() == "all":
                return list(self.indicators.values())
            codes = [c for c in (p.strip() for p in codes.split(",")) if c]
        wanted = [c.upper() for c in codes]
        unknown = [c for c in wanted if c not in self.indicators]
        if unknown:
            raise CatalogueError(
                f"unknown indicator(s): {', '.join(unknown)}",
                message_zh=f"指标目录中没有：{'、'.join(unknown)}",
                where="--indicators",
            )
        return [self.indicators[c] for c in wanted]


def measures_by_source(indicators: Iterable[Indicator]) -> dict[str, list[Measure]]:
    """The indicators' measures grouped by source (first-use order): what one fused scan computes."""
    out: dict[str, list[Measure]] = {}
    for ind in indicators:
        for m in ind.measures:
            lst = out.setdefault(m.source.name, [])
            if m not in lst:
                lst.append(m)
    return out


def _fail(message: str, zh: str, where: str) -> CatalogueError:
    return CatalogueError(message, message_zh=zh, where=where)


def _req(raw: dict[str, Any], key: str, where: str) -> Any:
    if key not in raw or raw[key] in (None, ""):
        raise _fail(f"missing {key!r}", f"缺少字段 {key}", where)
    return raw[key]


def _enum(cls: type[StrEnum], value: Any, where: str) -> Any:
    try:
        return cls(str(value))
    except ValueError:
        allowed = ", ".join(m.value for m in cls)
        raise _fail(f"{value!r} is not one of {allowed}", f"取值 {value} 不在 {allowed} 之中", where) from None


def _sources(raw: dict[str, Any] | None, where: str) -> dict[str, Source]:
    out: dict[str, Source] = {}
    for name, s in (raw or {}).items():
        w = f"{where}: sources.{name}"
        kind = _enum(SourceKind, _req(s, "kind", w), f"{w}.kind")
        day = str(s.get("day") or "")
        if kind is SourceKind.FLOW and not day:
            raise _fail("a flow source needs `day`", "流量型来源须给出 day（事件日期）", w)
        out[name] = Source(
            name=name,
            kind=kind,
            from_=" ".join(str(_req(s, "from", w)).split()),
            unit=str(_req(s, "unit", w)),
            attribution=_enum(Attribution, _req(s, "attribution", w), w),
            day=day,
            where=" ".join(str(s.get("where") or "").split()),
        )
    return out


def _measures(raw: dict[str, Any] | None, sources: dict[str, Source], where: str) -> dict[str, Measure]:
    out: dict[str, Measure] = {}
    for name, m in (raw or {}).items():
        w = f"{where}: measures.{name}"
        src = str(_req(m, "source", w))
        if src not in sources:
            raise _fail(f"unknown source {src!r}", f"未定义的来源 {src}", w)
        out[name] = Measure(
            name=name,
            source=sources[src],
            value=str(m.get("value", "1")),
            where=" ".join(str(m.get("where") or "").split()),
            meaning=str(m.get("meaning", "")),
        )
    return out


def _terms(raw: Any, measures: dict[str, Measure], where: str) -> tuple[Measure, ...]:
    names = raw if isinstance(raw, list) else ([] if raw in (None, "") else [raw])
    out = []
    for n in names:
        if str(n) not in measures:
            raise _fail(f"unknown measure {n!r}", f"未定义的度量 {n}", where)
        out.append(measures[str(n)])
    return tuple(out)


def _indicator(raw: dict[str, Any], measures: dict[str, Measure], area: str, where: str) -> Indicator:
    code = str(_req(raw, "code", where))
    w = f"{where}: {code}"
    num = _terms(_req(raw, "numerator", w), measures, f"{w}.numerator")
    den = _terms(raw.get("denominator"), measures, f"{w}.denominator")
    growth = raw.get("growth")
    compare = _enum(Compare, (growth or {}).get("compare", "previous"), f"{w}.growth") if growth else None
    rule = _enum(Rule, _req(raw, "aggregation", w), f"{w}.aggregation")
    expected = Rule.GROWTH if compare else (Rule.RATIO_OF_SUMS if den else Rule.SUM)
    if rule is not expected:
        raise _fail(
            f"aggregation {rule.value!r} does not match the definition (expected {expected.value!r})",
            f"汇总规则 {rule.value} 与定义不符（应为 {expected.value}）",
            f"{w}.aggregation",
        )
    levels = tuple(_enum(Level, lv, f"{w}.levels") for lv in _req(raw, "levels", w))
    allowed = frozenset(Level)
    for m in num + den:
        allowed &= LEVELS_OF[m.source.attribution]
    bad = [lv.value for lv in levels if lv not in allowed]
    if bad:
        raise _fail(
            f"levels {bad} are not supported by its measures' attribution",
            f"层级 {'、'.join(bad)} 超出其度量的归属范围",
            f"{w}.levels",
        )
    src = _req(raw, "source", w)
    version = int(_req(raw, "version", w))
    return Indicator(
        code=code,
        name=str(_req(raw, "name", w)),
        unit=str(_req(raw, "unit", w)),
        direction=_enum(Direction, _req(raw, "direction", w), f"{w}.direction"),
        definition=str(_req(raw, "definition", w)),
        source=SourceRef(
            document=str(_req(src, "document", f"{w}.source")),
            edition=str(src.get("edition", "")),
            certainty=str(_req(src, "certainty", f"{w}.source")),
            note=str(src.get("note", "")),
        ),
        version=version,
        numerator=num,
        denominator=den,
        factor=float(_req(raw, "factor", w)),
        decimals=int(raw.get("decimals", 2)),
        levels=levels,
        aggregation=rule,
        area=area,
        compare=compare,
        aliases=tuple(str(a) for a in raw.get("aliases") or ()),
    )


def parse_catalogue(folder: Path) -> Catalogue:
    """Read ``measures.yaml`` and the area files of ``folder``; raises CatalogueError naming file and entry."""
    mpath = folder / MEASURES_FILE
    mraw = yaml.safe_load(mpath.read_text(encoding="utf-8")) or {}
    sources = _sources(mraw.get("sources"), mpath.name)
    measures = _measures(mraw.get("measures"), sources, mpath.name)
    indicators: dict[str, Indicator] = {}
    areas: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml"), key=lambda p: (AREAS.index(p.stem) if p.stem in AREAS else 99, p.stem)):
        if path.name == MEASURES_FILE:
            continue
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        area = str(raw.get("area") or path.stem)
        areas[area] = str(raw.get("name", area))
        for entry in raw.get("indicators") or []:
            ind = _indicator(entry, measures, area, path.name)
            if ind.code in indicators:
                raise _fail(f"duplicate indicator code {ind.code}", f"指标编码重复：{ind.code}", path.name)
            indicators[ind.code] = ind
    return Catalogue(sources=sources, measures=measures, indicators=indicators, area_names=areas)


@functools.cache
def load_catalogue() -> Catalogue:
    """The shipped catalogue (read once)."""
    return parse_catalogue(data_path(CATALOGUE_DIR))


def indicator_def(ind: Indicator) -> IndicatorDef:
    """The indicator store's view of a catalogue entry (numerator/denominator as measure sums)."""
    stock_den = any(m.source.kind is SourceKind.STOCK for m in ind.denominator)
    return IndicatorDef(
        code=ind.code,
        name=ind.name,
        unit=ind.unit,
        direction=ind.direction,
        definition=ind.definition,
        numerator=" + ".join(m.name.upper() for m in ind.numerator),
        denominator=" + ".join(m.name.upper() for m in ind.denominator),
        factor=ind.factor,
        aggregation=Aggregation.AVERAGE if stock_den else Aggregation.SUM,
        decimals=ind.decimals,
        aliases=list(ind.aliases),
        over_100=ind.is_growth,
        signed=ind.is_growth,
    )
