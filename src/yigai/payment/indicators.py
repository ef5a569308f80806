"""Payment indicators (DIP 覆盖机构数, 核心病种入组率, 结余留用金额 …) from a settlement or a retention run.

Definitions are data (``data/payment_indicators.yaml``). The functions here are pure: they turn a
run's per-hospital figures into values per hospital and for the district; which of them the
indicator store can hold (a hospital must be an org unit there) is the service's business.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib.resources import files
from pathlib import Path

import yaml

from yigai.domain.indicators import Aggregation, Direction, IndicatorDef
from yigai.payment.dip import HospitalSettlement
from yigai.payment.vbp import HospitalResult

DISTRICT, HOSPITAL = "district", "hospital"


@dataclass(frozen=True)
class PaymentIndicator:
    code: str
    name: str
    unit: str
    direction: Direction
    definition: str
    version: int
    scopes: tuple[str, ...]
    numerator: str = ""
    denominator: str = ""
    factor: float = 1.0
    aliases: tuple[str, ...] = ()

    @property
    def definition_version(self) -> str:
        return f"{self.code}@{self.version}"

    def indicator_def(self) -> IndicatorDef:
        return IndicatorDef(
            code=self.code,
            name=self.name,
            unit=self.unit,
            direction=self.direction,
            definition=self.definition,
            numerator=self.numerator,
            denominator=self.denominator,
            factor=self.factor,
            aggregation=Aggregation.SUM,
            aliases=list(self.aliases),
        )


@cache
def catalogue() -> dict[str, PaymentIndicator]:
    raw = yaml.safe_load(files("yigai").joinpath("data/payment_indicators.yaml").read_text(encoding="utf-8"))
    out = {}
    for d in raw["indicators"]:
        out[d["code"]] = PaymentIndicator(
            code=d["code"],
            name=d["name"],
            unit=str(d["unit"]),
            direction=Direction(d["direction"]),
            definition=d["definition"],
            version=int(d["version"]),
            scopes=tuple(d["scopes"]),
            numerator=d.get("numerator", ""),
            denominator=d.get("denominator", ""),
            factor=float(d.get("factor", 1.0)),
            aliases=tuple(d.get("aliases", ())),
        )
    return out


@dataclass(frozen=True)
class IndicatorValue:
    code: str
    scope: str  # district or hospital
    hospital: str  # the hospital code; "" for the district
    value: float
    numerator: float | None = None
    denominator: float | None = None


def _ratio(code: str, scope: str, hospital: str, num: float, den: float) -> IndicatorValue | None:
    if den == 0:
        return None
    return IndicatorValue(code, scope, hospital, num / den * catalogue()[code].factor, num, den)


def dip_values(
    hospitals: Mapping[str, HospitalSettlement],
    point_value: float,
    core_cases: Mapping[str, int],
    all_cases: Mapping[str, int],
) -> list[IndicatorValue]:
    """DIP indicators of one settlement year.

    ``core_cases`` and ``all_cases`` count each hospital's cases in core groups and all its DIP cases
    of the year (ungrouped ones included), so 核心病种入组率 does not hide the cases that failed to group.
    """
    out = [
        IndicatorValue("DIP_INSTITUTIONS", DISTRICT, "", float(len(hospitals))),
        IndicatorValue("DIP_POINT_VALUE", DISTRICT, "", point_value),
        IndicatorValue("DIP_RETAINED", DISTRICT, "", sum(h.retained for h in hospitals.values())),
    ]
    core = _ratio("DIP_CORE_SHARE", DISTRICT, "", float(sum(core_cases.values())), float(sum(all_cases.values())))
    out += [core] if core else []
    for h in sorted(set(all_cases) | set(hospitals)):
        share = _ratio("DIP_CORE_SHARE", HOSPITAL, h, float(core_cases.get(h, 0)), float(all_cases.get(h, 0)))
        out += [share] if share else []
        if h in hospitals:
            out.append(IndicatorValue("DIP_RETAINED", HOSPITAL, h, hospitals[h].retained))
    return out


def vbp_values(hospitals: Sequence[HospitalResult], year: int) -> list[IndicatorValue]:
    """集采 indicators of one procurement year (the hospitals' rows of that year)."""
    rows = [h for h in hospitals if h.year == year]
    out = [
        IndicatorValue("VBP_RETAINED", DISTRICT, "", float(sum((h.retained for h in rows), Decimal(0)))),
        IndicatorValue("VBP_SAVING", DISTRICT, "", float(sum((h.saving for h in rows), Decimal(0)))),
    ]
    for h in sorted(rows, key=lambda r: r.hospital):
        out += [
            IndicatorValue("VBP_RETAINED", HOSPITAL, h.hospital, float(h.retained)),
            IndicatorValue("VBP_SAVING", HOSPITAL, h.hospital, float(h.saving)),
        ]
    return out


def inputs_hash(paths: Iterable[Path], *parameters: object) -> str:
    """sha256 over the input files' bytes and the run's parameters: the same inputs, the same hash."""
    digest = hashlib.sha256()
    for p in paths:
        digest.update(p.name.encode())
        with p.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    digest.update(json.dumps([_canonical(x) for x in parameters], sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()


def _canonical(x: object) -> object:
    """Parameters as plain JSON, sets sorted: the hash must not depend on string hashing between runs."""
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return {f.name: _canonical(getattr(x, f.name)) for f in dataclasses.fields(x)}
    if isinstance(x, Mapping):
        return {str(k): _canonical(v) for k, v in x.items()}
    if isinstance(x, set | frozenset):
        return sorted(_canonical(v) for v in x)  # type: ignore[type-var]  # a set holds codes or numbers, never a mix: comparable
    if isinstance(x, list | tuple):
        return [_canonical(v) for v in x]
    if isinstance(x, Decimal):
        return str(x)
    return x


__all__ = [
    "DISTRICT",
    "HOSPITAL",
    "PaymentIndicator",
    "catalogue",
    "IndicatorValue",
    "dip_values",
    "vbp_values",
    "inputs_hash",
]
