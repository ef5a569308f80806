"""The indicator catalogue: load the shipped one (or a region's own), list it, find an indicator.

Indicators are data (``data/indicators.yaml``), not code; loading a catalogue
inserts new indicators and updates existing ones by code, together with the
validation rules and outlier bounds the file carries.

There is one catalogue: an entry whose code the analytics engine computes
(``data/indicators/*.yaml``) takes every field it does not give itself (name, unit,
direction, definition, factor, decimals, aliases, aggregation, over_100, signed) from
that definition, so a code means the same indicator whether its value is entered or
computed. The shipped file gives none of them for such a code (a test checks it); a
region's own file may still state its own.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from yigai.analytics.catalogue import indicator_def
from yigai.analytics.catalogue import load_catalogue as computed_catalogue
from yigai.data import data_path
from yigai.domain.errors import NotFoundError
from yigai.domain.indicators import (
    Aggregation,
    Direction,
    IndicatorDef,
    MissingValueStrategy,
    OutlierBounds,
    ValidationRule,
)
from yigai.domain.users import User
from yigai.services.errors import ImportFileError, InvalidInputError, RowError, UnknownIndicatorError
from yigai.services.items import require_admin
from yigai.storage.uow import UnitOfWork

BUILTIN_CATALOGUE = "indicators.yaml"
# The fields an entry takes from the computed catalogue when the code is computed there.
DESCRIPTIVE = (
    "name",
    "unit",
    "direction",
    "definition",
    "factor",
    "decimals",
    "aliases",
    "aggregation",
    "over_100",
    "signed",
)
_CODE = re.compile(r"^[A-Z][A-Z0-9_]{0,63}$")
OPERATORS = ("==", "!=", "<", "<=", ">", ">=")


@dataclass(frozen=True, slots=True)
class Catalogue:
    indicators: list[IndicatorDef]
    rules: list[ValidationRule]
    bounds: list[OutlierBounds]


@dataclass(frozen=True, slots=True)
class CatalogueResult:
    created: int
    updated: int
    rules: int
    bounds: int
    source: str


def fold(text: str) -> str:
    """Comparison key for names: NFKC, no spaces, ASCII brackets."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).replace("（", "(").replace("）", ")")


def _flag(entry: dict[str, Any], name: str) -> bool:
    value = entry.get(name, False)
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be true or false, got {value!r}")
    return value


def computed_description(code: str) -> dict[str, Any]:
    """The descriptive fields of a code the analytics catalogue computes, as catalogue-file values
    (empty for a code it does not compute)."""
    ind = computed_catalogue().indicators.get(code)
    return {} if ind is None else {k: getattr(indicator_def(ind), k) for k in DESCRIPTIVE}


def _indicator(entry: dict[str, Any], n: int, errors: list[RowError]) -> IndicatorDef | None:
    code = str(entry.get("code") or "")
    if not _CODE.match(code):
        errors.append(RowError(n, "code", f"invalid code {code!r} (A-Z, 0-9, _)", f"指标编码「{code}」无效"))
        return None
    entry = computed_description(code) | {k: v for k, v in entry.items() if v is not None}
    if not entry.get("name"):
        errors.append(RowError(n, "name", f"{code}: the name is missing", f"{code} 缺少名称"))
        return None
    try:
        return IndicatorDef(
            code=code,
            name=str(entry["name"]),
            unit=str(entry.get("unit", "")),
            direction=Direction(entry.get("direction", "higher")),
            definition=str(entry.get("definition", "")),
            numerator=str(entry.get("numerator", "")),
            denominator=str(entry.get("denominator", "")),
            factor=float(entry.get("factor", 1)),
            aggregation=Aggregation(entry.get("aggregation", "sum")),
            decimals=int(entry.get("decimals", 2)),
            aliases=[str(a) for a in entry.get("aliases") or []],
            over_100=_flag(entry, "over_100"),
            signed=_flag(entry, "signed"),
        )
    except (ValueError, TypeError) as exc:
        errors.append(
            RowError(n, "direction/aggregation/factor/over_100/signed", f"{code}: {exc}", f"{code} 的字段取值无效")
        )
        return None


def read_catalogue(path: Path) -> Catalogue:
    """Parse and check a catalogue file; every problem is listed by entry number and field."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InvalidInputError(
            f"cannot read the catalogue: {exc}", message_zh="无法读取指标目录", where=str(path)
        ) from exc
    if not isinstance(data, dict) or not all(isinstance(data.get(k) or [], list) for k in ("indicators", "rules")):
        raise InvalidInputError(
            "a catalogue file holds the lists `indicators` and `rules`",
            message_zh="指标目录文件应包含 indicators 和 rules 两个列表",
            where=str(path),
        )
    errors: list[RowError] = []
    indicators: list[IndicatorDef] = []
    bounds: list[OutlierBounds] = []
    for n, entry in enumerate(data.get("indicators") or [], start=1):
        if not isinstance(entry, dict):
            errors.append(RowError(n, "-", f"entry {n} is not a mapping of fields", f"第{n}项不是字段表"))
            continue
        ind = _indicator(entry, n, errors)
        if ind is None:
            continue
        if any(i.code == ind.code for i in indicators):
            errors.append(RowError(n, "code", f"{ind.code} appears twice", f"指标编码 {ind.code} 重复"))
            continue
        indicators.append(ind)
        if entry.get("bounds"):
            low, high = entry["bounds"]
            bounds.append(
                OutlierBounds(ind.code, None if low is None else float(low), None if high is None else float(high))
            )
    rules: list[ValidationRule] = []
    for n, entry in enumerate(data.get("rules") or [], start=1):
        if not isinstance(entry, dict):
            errors.append(RowError(n, "rules", f"rule {n} is not a mapping of fields", f"校验规则第{n}项不是字段表"))
            continue
        if entry.get("operator") not in OPERATORS or not entry.get("left") or not entry.get("right"):
            errors.append(
                RowError(
                    n,
                    "rules",
                    f"rule {entry.get('code')}: needs left, right and one of {' '.join(OPERATORS)}",
                    f"校验规则 {entry.get('code')} 不完整或运算符无效",
                )
            )
            continue
        rules.append(
            ValidationRule(
                str(entry["code"]),
                str(entry.get("name", entry["code"])),
                str(entry["left"]),
                str(entry["operator"]),
                str(entry["right"]),
                MissingValueStrategy(entry.get("missing", "skip_if_any_missing")),
            )
        )
    if errors:
        raise ImportFileError(path.name, errors)
    return Catalogue(indicators, rules, bounds)


def load_catalogue(
    uow: UnitOfWork, user: User, path: Path | None = None, *, now: dt.datetime | None = None
) -> CatalogueResult:
    """Insert or update indicators, rules and bounds from a file (default: the shipped catalogue)."""
    require_admin(user, "load indicator catalogues", "导入指标目录")
    path = path or data_path(BUILTIN_CATALOGUE)
    catalogue = read_catalogue(path)
    with uow:
        created, updated = uow.indicators.upsert(catalogue.indicators, at=now)
        for rule in catalogue.rules:
            uow.indicators.put_rule(rule)
        for b in catalogue.bounds:
            uow.indicators.set_bounds(b)
        uow.audit.record(
            user.username,
            "indicators.load",
            "indicator",
            path.name,
            at=now,
            after={
                "created": created,
                "updated": updated,
                "codes": [i.code for i in catalogue.indicators],
                "rules": [r.code for r in catalogue.rules],
            },
        )
        uow.commit()
    return CatalogueResult(created, updated, len(catalogue.rules), len(catalogue.bounds), path.name)


def ensure_catalogue(uow: UnitOfWork, user: User) -> None:
    """Load the shipped catalogue the first time any indicator is needed.

    "First time" is "no catalogue was ever loaded" (no ``indicators.load`` in the audit log), not
    "no indicator stored": computed indicators registered by a compute run must not keep the
    shipped catalogue out, and a catalogue the office has edited is never loaded over again.
    """
    with uow:
        loaded, _ = uow.audit.search(action="indicators.load", limit=1)
    if not loaded:
        load_catalogue(uow, user)


def list_indicators(uow: UnitOfWork) -> list[IndicatorDef]:
    with uow:
        return uow.indicators.all()


class KeyIndex:
    """Resolves what a user typed (code, name or alias) to an indicator or data-element code."""

    def __init__(self, indicators: list[IndicatorDef], data_elements: set[str]) -> None:
        self.codes = {i.code for i in indicators} | data_elements
        self.names = {fold(n): i.code for i in indicators for n in (i.name, *i.aliases)}

    def resolve(self, key: str) -> str:
        text = key.strip()
        for candidate in (text, text.upper()):
            if candidate in self.codes:
                return candidate
        if fold(text) in self.names:
            return self.names[fold(text)]
        raise UnknownIndicatorError(
            f"unknown indicator or data element {key!r}; `yigai indicators list` shows the catalogue",
            message_zh=f"未知指标或数据元「{key}」（用 yigai indicators list 查看指标目录）",
            where="indicator",
        )


def key_index(uow: UnitOfWork) -> KeyIndex:
    """The catalogue's codes, names and aliases (inside an open unit of work)."""
    return KeyIndex(uow.indicators.all(), uow.indicators.data_elements())


def resolve_key(uow: UnitOfWork, key: str) -> str:
    """An indicator or data-element code from a code, a name or an alias (inside an open unit of work)."""
    return key_index(uow).resolve(key)


def get_indicator(uow: UnitOfWork, code: str) -> tuple[IndicatorDef, OutlierBounds | None]:
    """One indicator of the catalogue with its outlier bounds; NotFoundError when there is no such code."""
    with uow:
        ind = uow.indicators.get(code)
        if ind is None:
            raise NotFoundError(f"no indicator {code!r}", message_zh=f"未找到指标「{code}」", where="indicator")
        return ind, uow.indicators.bounds(code)
