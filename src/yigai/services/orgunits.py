"""Org units: load a hierarchy from YAML (nested) or CSV (one row per unit), list it, find a region.

YAML nests children under their parent; a child's level defaults to the one
below its parent, and a unit with an institution ``type`` is an institution::

    org_units:
      - {code: "35", name: 福建省, level: province, children: [...]}

CSV has one row per unit, parents anywhere in the file or already stored::

    code,name,level,parent,type,grade,groups
    350104,仓山区,district,3501,,,
    350104001-01,仓前街道社区卫生服务中心,institution,350104001,社区卫生服务中心,一级,公立;医联体成员

Chinese headers (编码, 名称, 层级, 上级编码, 机构类型, 等级, 分组) and levels (省, 市, 区, 县,
街道, 镇, 乡, 园区, 机构) are accepted. A file with any error loads nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from yigai.data import data_path
from yigai.domain.orgunits import InstitutionGrade, InstitutionType, OrgUnit, OrgUnitLevel
from yigai.domain.users import User
from yigai.services.errors import ImportFileError, InvalidInputError, RowError, invalid_input
from yigai.services.items import require_admin
from yigai.storage.uow import UnitOfWork
from yigai.tabular import TableFileError, cell_text, read_table

BUILTIN_ORGUNITS = "orgunits_cangshan.yaml"

_LEVEL_WORDS = {
    "省": OrgUnitLevel.PROVINCE,
    "市": OrgUnitLevel.CITY,
    "区": OrgUnitLevel.DISTRICT,
    "县": OrgUnitLevel.DISTRICT,
    "街道": OrgUnitLevel.TOWN,
    "镇": OrgUnitLevel.TOWN,
    "乡": OrgUnitLevel.TOWN,
    "园区": OrgUnitLevel.TOWN,
    "机构": OrgUnitLevel.INSTITUTION,
}
_HEADERS = {
    "编码": "code",
    "名称": "name",
    "层级": "level",
    "上级编码": "parent",
    "上级": "parent",
    "机构类型": "type",
    "类型": "type",
    "等级": "grade",
    "分组": "groups",
}
_GROUP_SPLIT = re.compile(r"[;；、,，|]")


@dataclass(frozen=True, slots=True)
class LoadResult:
    created: int
    updated: int
    source: str


@dataclass(slots=True)
class _Entry:
    row: int
    fields: dict[str, Any]
    parent: str | None
    default_level: OrgUnitLevel | None = None


def _level(raw: Any, default: OrgUnitLevel | None, has_type: bool) -> OrgUnitLevel | None:
    text = str(raw or "").strip()
    if not text:
        return OrgUnitLevel.INSTITUTION if has_type else default
    if text in _LEVEL_WORDS:
        return _LEVEL_WORDS[text]
    try:
        return OrgUnitLevel(text.lower())
    except ValueError:
        return None


def _yaml_entries(data: Any) -> list[_Entry]:
    entries: list[_Entry] = []

    def walk(nodes: Any, parent: str | None, parent_level: OrgUnitLevel | None) -> None:
        if nodes is not None and not isinstance(nodes, list):
            raise InvalidInputError(
                f"expected a list of org units under {parent or 'org_units'}, got {nodes!r:.60}",
                message_zh=f"「{parent or 'org_units'}」下应为机构列表",
                where=parent or "org_units",
            )
        for node in nodes or []:
            node = node if isinstance(node, dict) else {"name": node}
            default = None
            if parent_level is not None and parent_level is not OrgUnitLevel.INSTITUTION:
                default = list(OrgUnitLevel)[parent_level.depth]
            entry = _Entry(len(entries) + 1, node, str(node.get("parent") or parent or "") or None, default)
            entries.append(entry)
            level = _level(node.get("level"), default, bool(node.get("type")))
            walk(node.get("children"), str(node.get("code", "")), level)

    walk(data.get("org_units") if isinstance(data, dict) else data, None, None)
    return entries


def _sheet_entries(path: Path) -> list[_Entry]:
    """One entry per row of a CSV, XLSX or Parquet sheet, keyed by the (Chinese or English) header."""
    try:
        sheet = read_table(path)
    except TableFileError as exc:
        raise invalid_input(exc) from None
    names = [_HEADERS.get(h, h.lower()) for h in sheet.header]
    entries = []
    for row in sheet.rows:
        fields: dict[str, Any] = {}
        for name, cell in zip(names, row.cells, strict=True):
            fields.setdefault(name, cell_text(cell))
        entries.append(_Entry(row.number, fields, fields.get("parent") or None))
    return entries


def _check(entries: list[_Entry], stored: dict[str, OrgUnit]) -> tuple[list[OrgUnit], list[RowError]]:
    errors: list[RowError] = []
    units: dict[str, OrgUnit] = {}
    rows: dict[str, int] = {}
    for e in entries:
        f = e.fields
        code, name = str(f.get("code") or "").strip(), str(f.get("name") or "").strip()
        if not code or not name:
            errors.append(
                RowError(e.row, "code" if not code else "name", "code and name are required", "编码和名称必填")
            )
            continue
        if code in units:
            errors.append(
                RowError(
                    e.row,
                    "code",
                    f"code {code} appears twice (first in row {rows[code]})",
                    f"编码 {code} 重复（首次出现在第{rows[code]}行）",
                )
            )
            continue
        type_raw = str(f.get("type") or "").strip()
        level = _level(f.get("level"), e.default_level, bool(type_raw))
        if level is None:
            errors.append(
                RowError(
                    e.row,
                    "level",
                    f"unknown level {f.get('level')!r} for {code}",
                    f"未知层级「{f.get('level')}」（省/市/区/街道/镇/机构）",
                )
            )
            continue
        try:
            itype = InstitutionType(type_raw) if type_raw else None
            grade = InstitutionGrade(str(f["grade"]).strip()) if f.get("grade") else None
        except ValueError as exc:
            col = "type" if "InstitutionType" in str(exc) else "grade"
            errors.append(
                RowError(e.row, col, f"{code}: {exc}", f"{code} 的{'机构类型' if col == 'type' else '等级'}无效")
            )
            continue
        groups = f.get("groups") or []
        groups = (
            [g.strip() for g in _GROUP_SPLIT.split(groups) if g.strip()]
            if isinstance(groups, str)
            else [str(g) for g in groups]
        )
        units[code] = OrgUnit(code, name, level, e.parent, itype, grade, groups)
        rows[code] = e.row
    for code, unit in units.items():
        if unit.parent_code is None:
            continue
        parent = units.get(unit.parent_code) or stored.get(unit.parent_code)
        if parent is None:
            errors.append(
                RowError(
                    rows[code],
                    "parent",
                    f"parent {unit.parent_code} of {code} does not exist",
                    f"上级编码 {unit.parent_code} 不存在",
                )
            )
        elif parent.level.depth >= unit.level.depth:
            errors.append(
                RowError(
                    rows[code],
                    "level",
                    f"{code} ({unit.level.value}) cannot sit under {parent.code} ({parent.level.value})",
                    f"{code} 的层级不能在上级 {parent.code} 之下",
                )
            )
    return _parents_first(units, stored), sorted(errors, key=lambda e: e.row)


def _parents_first(units: dict[str, OrgUnit], stored: dict[str, OrgUnit]) -> list[OrgUnit]:
    ordered: list[OrgUnit] = []
    seen: set[str] = set()

    def visit(code: str, chain: frozenset[str]) -> None:
        if code in seen or code not in units or code in chain:
            return
        parent = units[code].parent_code
        if parent:
            visit(parent, chain | {code})
        seen.add(code)
        ordered.append(units[code])

    for code in units:
        visit(code, frozenset())
    return ordered


def read_units(path: Path, stored: dict[str, OrgUnit] | None = None) -> list[OrgUnit]:
    """Parse and check a hierarchy file; raises ImportFileError listing every problem."""
    if path.suffix.lower() in {".yaml", ".yml"}:
        try:
            entries = _yaml_entries(yaml.safe_load(path.read_text(encoding="utf-8-sig")))
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInputError(f"cannot read {path}: {exc}", message_zh="无法读取文件", where=str(path)) from exc
        except yaml.YAMLError as exc:
            raise InvalidInputError(f"not valid YAML: {exc}", message_zh="YAML 格式错误", where=str(path)) from exc
    else:  # a table: CSV (UTF-8 or GB18030), XLSX or Parquet
        entries = _sheet_entries(path)
    units, errors = _check(entries, stored or {})
    if errors:
        raise ImportFileError(path.name, errors)
    return units


def load_orgunits(uow: UnitOfWork, user: User, path: Path | None = None) -> LoadResult:
    """Insert or update the units of a file (default: the built-in 仓山区 hierarchy)."""
    require_admin(user, "load org units", "导入机构层级")
    path = path or data_path(BUILTIN_ORGUNITS)
    with uow:
        stored = {u.code: u for u in uow.orgunits.all()}
        units = read_units(path, stored)
        created, updated = uow.orgunits.upsert(units)
        uow.audit.record(
            user.username,
            "orgunits.load",
            "org_unit",
            path.name,
            after={"created": created, "updated": updated, "codes": [u.code for u in units]},
        )
        uow.commit()
    return LoadResult(created, updated, path.name)


def list_orgunits(uow: UnitOfWork, under: str | None = None) -> list[OrgUnit]:
    with uow:
        return uow.orgunits.all(under)


def region_candidates(region: str) -> list[str]:
    """``福建省福州市仓山区`` → itself, ``福州市仓山区``, ``仓山区``: the names a region may be stored under."""
    names = [region]
    for m in re.finditer(r"[省市]", region):
        if m.end() < len(region):
            names.append(region[m.end() :])
    return names


def find_region_unit(uow: UnitOfWork, region: str) -> OrgUnit | None:
    """The place a plan's region names (inside an open unit of work); None when not loaded."""
    if not region:
        return None
    places = [u for u in uow.orgunits.all() if u.level is not OrgUnitLevel.INSTITUTION]
    for name in region_candidates(region):
        hits = [u for u in places if u.name == name]
        if hits:
            return max(hits, key=lambda u: u.level.depth)
    return None
