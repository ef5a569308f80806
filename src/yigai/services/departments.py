"""Departments: the alias table (seeded from the shipped one, editable), listing, renaming, resolving.

The shipped ``departments.yaml`` is what the parser uses; the stored table is
what the office maintains (区卫健委 = 区卫生健康委 = 区卫生健康委员会, and a new
spelling the next document brings). Every name a user types for a department
goes through ``resolve_department`` so reports and scopes use the canonical name.
``office_directory`` gives the parser the stored table, so a spelling the office added
(``yigai departments-alias add``, the admin page) resolves when the next document is
imported or uploaded for review.

The class of a department for the ranking (member, leading body, group, place: see
``yigai.domain.departments``) follows from its name; the office may set it explicitly
(``set_department_class``), stored in the alias table's ``kind`` column of the department's
rows (``member``, ``leading``, ``place`` or ``group``; ``department`` means "by its name").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import yaml

from yigai.data import data_path
from yigai.domain.departments import CLASS_LABELS, DepartmentClass, classify_by_name, parse_class, printed_department
from yigai.domain.plan import DepartmentKind
from yigai.domain.users import User
from yigai.parsing.departments import DepartmentDirectory, default_directory
from yigai.services.errors import DuplicateError, InvalidInputError
from yigai.services.items import require_admin
from yigai.services.orgunits import region_candidates
from yigai.storage.registry_repository import AliasRecord
from yigai.storage.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class DepartmentEntry:
    name: str
    kind: str  # department | group (the parser's)
    aliases: list[str]
    in_plans: bool  # named by an imported plan (the registry), not only in the alias table
    ranking_class: DepartmentClass = DepartmentClass.MEMBER  # member departments alone are ranked
    class_set: bool = False  # set by the office rather than read from the name

    @property
    def class_label(self) -> str:
        return CLASS_LABELS[self.ranking_class]


def shipped_aliases() -> list[AliasRecord]:
    """Every alias of the shipped table, the canonical names included (they resolve to themselves)."""
    with data_path("departments.yaml").open(encoding="utf-8") as fh:
        table: dict[str, Any] = yaml.safe_load(fh)
    records: list[AliasRecord] = []
    for section, default_kind in (("departments", "department"), ("groups", "group")):
        for entry in table.get(section) or []:
            kind = entry.get("kind", default_kind)
            for alias in [entry["name"], *(entry.get("aliases") or [])]:
                records.append(AliasRecord("", alias, entry["name"], kind, "shipped"))
    directory = default_directory()
    for region, spec in (table.get("regions") or {}).items():
        for alias, target in (spec.get("aliases") or {}).items():
            res = directory.resolve(target)
            records.append(AliasRecord(region, alias, res.name, res.kind.value, "shipped"))
    return records


def ensure_seeded(uow: UnitOfWork) -> int:
    """Fill an empty alias table from the shipped one (inside an open unit of work)."""
    if uow.departments.alias_count():
        return 0
    return uow.departments.add_many(shipped_aliases())


def office_directory(uow: UnitOfWork) -> DepartmentDirectory:
    """The parser's department directory with what the office taught it (inside an open unit of work).

    The office's own aliases, and every stored alias that now names another department than
    the shipped table does (a renamed department), are added to the shipped directory; a
    regional alias applies to documents of that region, whichever of its names the document
    gives (福建省福州市仓山区, 福州市仓山区, 仓山区). With nothing of the office's stored, the
    shipped directory itself.
    """
    base = default_directory()
    rows: list[tuple[str, str, str, str]] = []
    for rec in uow.departments.aliases():
        if rec.source == "shipped":
            res = base.resolve(rec.alias, rec.region)
            if not res.known or res.truncated or res.name == rec.department:
                continue  # as shipped (or no longer shipped: the parser's table decides)
        regions = region_candidates(rec.region) if rec.region else [""]
        rows += [(region, rec.alias, rec.department, rec.kind) for region in regions]
    return base.with_aliases(rows) if rows else base


def resolve_department(uow: UnitOfWork, name: str, region: str = "") -> str:
    """The canonical name for what a user typed (inside an open unit of work).

    Stored aliases first (regional, then generic), then the shipped table; an
    unknown name is returned cleaned but unchanged, so the caller's own check
    (is it the item's lead?) gives the specific message.
    """
    text = printed_department(name)
    regions = [*region_candidates(region), ""] if region else [""]
    for candidate in [text, *_unprefixed(text, region)]:
        for reg in regions:
            hit = uow.departments.lookup(candidate, reg)
            if hit:
                return hit
        for reg in regions:
            res = default_directory().resolve(candidate, reg)
            if res.known and not res.truncated:
                return res.name
    return text


def _unprefixed(name: str, region: str) -> list[str]:
    """仓山区卫健局 → 区卫健局 and 仓山卫健局 → 区卫健局 in 仓山区: the district's own name as a prefix."""
    out = []
    for place in region_candidates(region)[-1:] if region else []:
        for prefix in (place, place[:-1]):
            if len(prefix) >= 2 and name.startswith(prefix) and len(name) > len(prefix) + 1:
                out.append(place[-1] + name[len(prefix) :])
                break
    return out


def list_departments(uow: UnitOfWork, region: str = "") -> list[DepartmentEntry]:
    """Canonical departments with their aliases; named-in-plans ones first."""
    with uow:
        seeded = ensure_seeded(uow)
        records = uow.departments.aliases(region or None)
        registry = set(uow.departments.registry_names())
        in_plans = uow.departments.plan_names()
        if seeded:
            uow.commit()
    grouped: dict[str, tuple[str, list[str]]] = {}
    for rec in records:
        _kind, aliases = grouped.setdefault(rec.department, (rec.kind, []))
        if rec.alias != rec.department:
            aliases.append(rec.alias if not rec.region else f"{rec.alias}（{rec.region}）")
    for name in registry - set(grouped):
        grouped[name] = ("department", [])
    entries = [_entry(name, kind, sorted(aliases), name in in_plans) for name, (kind, aliases) in grouped.items()]
    return sorted(entries, key=lambda e: (not e.in_plans, e.kind != "department", e.name))


def add_alias(
    uow: UnitOfWork, user: User, alias: str, canonical: str, *, region: str = "", now: dt.datetime | None = None
) -> AliasRecord:
    """Make ``alias`` another spelling of ``canonical`` (itself resolved through the table)."""
    require_admin(user, "edit department aliases", "维护部门别名")
    alias = printed_department(alias)
    if not alias:
        raise InvalidInputError("the alias is empty", message_zh="别名不能为空", where="alias")
    with uow:
        ensure_seeded(uow)
        target = resolve_department(uow, canonical, region)
        known = set(uow.departments.registry_names())
        if target not in known:
            raise InvalidInputError(
                f"unknown department {canonical!r}; `yigai departments-alias list` shows the known ones",
                message_zh=f"未知部门「{canonical}」（用 yigai departments-alias list 查看）",
                where="canonical",
            )
        # a name a plan printed but no table knew (区健康促进委) may become an alias; a department the table has may not
        defined = {r.department for r in uow.departments.aliases()}
        if alias in defined and alias != target:
            raise DuplicateError(
                f"{alias!r} is itself a department; rename it instead of aliasing it",
                message_zh=f"「{alias}」本身是一个部门，不能作为别名（可改用重命名）",
                where="alias",
            )
        kind = next((r.kind for r in uow.departments.aliases() if r.department == target), "department")
        before = uow.departments.add_alias(alias, target, region=region, kind=kind, source="office")
        record = AliasRecord(region, alias, target, kind, "office")
        uow.audit.record(
            user.username,
            "department.alias",
            "department_alias",
            f"{region}/{alias}",
            before=before,
            after=record,
            at=now,
        )
        uow.commit()
    return record


def rename_department(uow: UnitOfWork, user: User, old: str, new: str, *, now: dt.datetime | None = None) -> int:
    """Rename a canonical department everywhere; the old name stays as an alias. Returns rows touched."""
    require_admin(user, "rename departments", "重命名部门")
    new = printed_department(new)
    with uow:
        ensure_seeded(uow)
        current = resolve_department(uow, old)
        known = set(uow.departments.registry_names())
        if current not in known:
            raise InvalidInputError(f"unknown department {old!r}", message_zh=f"未知部门「{old}」", where="old")
        if not new or new in known:
            raise DuplicateError(
                f"{new!r} is empty or already a department", message_zh=f"新名称「{new}」为空或已存在", where="new"
            )
        touched = uow.departments.rename(current, new)
        uow.departments.add_alias(current, new, source="office")
        uow.departments.add_alias(new, new, source="office")
        uow.audit.record(
            user.username,
            "department.rename",
            "department",
            current,
            before={"name": current},
            after={"name": new, "rows": touched},
            at=now,
        )
        uow.commit()
    return touched


def _entry(name: str, stored_kind: str, aliases: list[str], in_plans: bool) -> DepartmentEntry:
    explicit = _explicit_class(stored_kind)
    kind = DepartmentKind.GROUP if stored_kind == DepartmentKind.GROUP.value else DepartmentKind.DEPARTMENT
    return DepartmentEntry(
        name,
        kind.value,
        aliases,
        in_plans,
        explicit or classify_by_name(name, kind),
        class_set=explicit is not None and stored_kind != DepartmentKind.GROUP.value,
    )


def _explicit_class(stored_kind: str) -> DepartmentClass | None:
    """The class a stored kind sets: ``department`` (the shipped default) sets none."""
    return None if stored_kind == DepartmentKind.DEPARTMENT.value else parse_class(stored_kind)


def department_class_overrides(uow: UnitOfWork) -> dict[str, DepartmentClass]:
    """Department → the class the office set for it (inside an open unit of work; groups as shipped too)."""
    out: dict[str, DepartmentClass] = {}
    for rec in uow.departments.aliases():
        cls = _explicit_class(rec.kind)
        if cls is not None and rec.alias == rec.department:
            out[rec.department] = cls
    return out


def set_department_class(
    uow: UnitOfWork, user: User, name: str, value: str, *, now: dt.datetime | None = None
) -> DepartmentEntry:
    """Set whether a department is ranked: ``member``, ``leading``, ``group``, ``place`` (or their
    Chinese labels), or ``auto`` to class it by its name again. Audited."""
    require_admin(user, "set a department's class", "设置部门类别")
    auto = value.strip() in ("auto", "自动", "按名称")
    cls = None if auto else parse_class(value)
    if cls is None and not auto:
        choices = "、".join(f"{c.value}（{label}）" for c, label in CLASS_LABELS.items())
        raise InvalidInputError(
            f"unknown department class {value!r}; one of: member, leading, group, place, auto",
            message_zh=f"未知的部门类别「{value}」，可选：{choices}、auto（按名称判断）",
            where="class",
        )
    with uow:
        ensure_seeded(uow)
        target = resolve_department(uow, name)
        if target not in set(uow.departments.registry_names()):
            raise InvalidInputError(f"unknown department {name!r}", message_zh=f"未知部门「{name}」", where="name")
        shipped = default_directory().resolve(target)
        rule_kind = shipped.kind.value if shipped.known else DepartmentKind.DEPARTMENT.value
        stored = rule_kind if cls is None else cls.value
        before = uow.departments.set_kind(target, stored)
        uow.audit.record(
            user.username,
            "department.class",
            "department",
            target,
            before={"class": before},
            after={"class": stored},
            at=now,
        )
        uow.commit()
    return _entry(target, stored, [], True)
