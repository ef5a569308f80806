"""Repositories for places, departments and people: org units, department aliases, users.

Services see domain objects (``OrgUnit``, ``User``) and small records, never ORM rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from yigai.clock import now, to_utc
from yigai.domain.orgunits import InstitutionGrade, InstitutionType, OrgUnit, OrgUnitLevel
from yigai.domain.users import Role, User
from yigai.storage.models import DepartmentRow, PlanRow, ResponsibilityRow, new_revision
from yigai.storage.supervision_models import (
    SCOPE_DEPARTMENT,
    SCOPE_ORG_UNIT,
    DepartmentAliasRow,
    OrgUnitRow,
    ProgressReportRow,
    UserRow,
    UserScopeRow,
)


def _unit(row: OrgUnitRow) -> OrgUnit:
    return OrgUnit(
        code=row.code,
        name=row.name,
        level=OrgUnitLevel(row.level),
        parent_code=row.parent_code,
        institution_type=InstitutionType(row.institution_type) if row.institution_type else None,
        grade=InstitutionGrade(row.grade) if row.grade else None,
        groups=list(row.groups),
    )


class OrgUnitRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def upsert(self, units: Sequence[OrgUnit]) -> tuple[int, int]:
        """Insert or update units given parents first; returns (created, updated)."""
        created = updated = 0
        rows = {
            r.code: r
            for r in self.session.scalars(select(OrgUnitRow).where(OrgUnitRow.code.in_([u.code for u in units])))
        }
        for position, unit in enumerate(units):
            parent_path = ""
            if unit.parent_code:
                parent = rows.get(unit.parent_code) or self.session.scalar(
                    select(OrgUnitRow).where(OrgUnitRow.code == unit.parent_code)
                )
                if parent is None:
                    raise KeyError(unit.parent_code)
                parent_path = parent.path
            row = rows.get(unit.code)
            if row is None:
                row = OrgUnitRow(code=unit.code)
                self.session.add(row)
                rows[unit.code] = row
                created += 1
            else:
                updated += 1
            row.name, row.level, row.parent_code = unit.name, unit.level.value, unit.parent_code
            row.path = f"{parent_path}/{unit.code}"
            row.institution_type = unit.institution_type.value if unit.institution_type else None
            row.grade = unit.grade.value if unit.grade else None
            row.groups, row.position = list(unit.groups), position
            self.session.flush()
        self._rebuild_paths()
        return created, updated

    def _rebuild_paths(self) -> None:
        """A unit that moved takes its subtree with it: recompute every path from the parents."""
        rows = {r.code: r for r in self.session.scalars(select(OrgUnitRow))}
        paths: dict[str, str] = {}

        def path(code: str) -> str:
            if code not in paths:
                parent = rows[code].parent_code
                paths[code] = f"{path(parent) if parent else ''}/{code}"
            return paths[code]

        for code, row in rows.items():
            if row.path != path(code):
                row.path = paths[code]
        self.session.flush()

    def get(self, code: str) -> OrgUnit | None:
        row = self.session.scalar(select(OrgUnitRow).where(OrgUnitRow.code == code))
        return None if row is None else _unit(row)

    def all(self, under: str | None = None) -> list[OrgUnit]:
        """Every unit in tree order (parents before children), optionally a subtree."""
        stmt = select(OrgUnitRow)
        if under is not None:
            root = self.session.scalar(select(OrgUnitRow.path).where(OrgUnitRow.code == under))
            if root is None:
                return []
            stmt = stmt.where((OrgUnitRow.path == root) | OrgUnitRow.path.startswith(root + "/"))
        rows = list(self.session.scalars(stmt))
        by_code = {r.code: r for r in rows}

        def key(r: OrgUnitRow) -> list[int]:
            return [by_code[c].position if c in by_code else 0 for c in r.path.strip("/").split("/")]

        return [_unit(r) for r in sorted(rows, key=key)]

    def ancestors(self, code: str) -> list[str]:
        """Codes from the root down to the parent of ``code``."""
        path = self.session.scalar(select(OrgUnitRow.path).where(OrgUnitRow.code == code))
        return [] if path is None else path.strip("/").split("/")[:-1]

    def count(self) -> int:
        return self.session.scalar(select(func.count(OrgUnitRow.id))) or 0


@dataclass(frozen=True, slots=True)
class AliasRecord:
    region: str
    alias: str
    department: str
    kind: str
    source: str


class DepartmentRepository:
    """The alias table and the registry of canonical names that plans created."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def aliases(self, region: str | None = None) -> list[AliasRecord]:
        stmt = select(DepartmentAliasRow).order_by(DepartmentAliasRow.department, DepartmentAliasRow.alias)
        if region is not None:
            stmt = stmt.where(DepartmentAliasRow.region.in_(["", region]))
        return [AliasRecord(r.region, r.alias, r.department, r.kind, r.source) for r in self.session.scalars(stmt)]

    def alias_count(self) -> int:
        return self.session.scalar(select(func.count(DepartmentAliasRow.id))) or 0

    def add_alias(
        self, alias: str, department: str, *, region: str = "", kind: str = "department", source: str = "office"
    ) -> AliasRecord | None:
        """Add or re-point an alias; returns the previous record when it changed one."""
        row = self.session.scalar(
            select(DepartmentAliasRow).where(DepartmentAliasRow.region == region, DepartmentAliasRow.alias == alias)
        )
        before = None if row is None else AliasRecord(row.region, row.alias, row.department, row.kind, row.source)
        if row is None:
            row = DepartmentAliasRow(region=region, alias=alias)
            self.session.add(row)
        row.department, row.kind, row.source = department, kind, source
        self.session.flush()
        return before

    def add_many(self, records: Iterable[AliasRecord]) -> int:
        existing = {(r.region, r.alias) for r in self.aliases()}
        added = 0
        for rec in records:
            if (rec.region, rec.alias) not in existing:
                self.session.add(
                    DepartmentAliasRow(
                        region=rec.region, alias=rec.alias, department=rec.department, kind=rec.kind, source=rec.source
                    )
                )
                existing.add((rec.region, rec.alias))
                added += 1
        self.session.flush()
        return added

    def lookup(self, name: str, region: str = "") -> str | None:
        """The canonical name for ``name``: a regional alias first, then a generic one."""
        for reg in [region, ""] if region else [""]:
            hit = self.session.scalar(
                select(DepartmentAliasRow.department).where(
                    DepartmentAliasRow.region == reg, DepartmentAliasRow.alias == name
                )
            )
            if hit:
                return hit
        return None

    def set_kind(self, department: str, kind: str) -> str:
        """Set the kind of every row of ``department`` (adding its own name as a row when it has none);
        returns the kind its own row had before ('' when none)."""
        own = self.session.scalar(
            select(DepartmentAliasRow).where(DepartmentAliasRow.region == "", DepartmentAliasRow.alias == department)
        )
        before = own.kind if own is not None else ""
        if own is None:
            self.session.add(
                DepartmentAliasRow(region="", alias=department, department=department, kind=kind, source="office")
            )
        self.session.execute(
            update(DepartmentAliasRow).where(DepartmentAliasRow.department == department).values(kind=kind)
        )
        self.session.flush()
        return before

    def registry_names(self) -> list[str]:
        """Canonical names known from plans and from the alias table."""
        names = set(self.session.scalars(select(DepartmentRow.name)))
        names |= set(self.session.scalars(select(DepartmentAliasRow.department)))
        return sorted(names)

    def rename(self, old: str, new: str) -> int:
        """Rename a canonical department everywhere it is referenced; returns rows touched."""
        touched = 0
        renamed = select(DepartmentRow.id).where(DepartmentRow.name == old)
        in_plans = select(ResponsibilityRow.plan_id).where(ResponsibilityRow.department_id.in_(renamed))
        self.session.execute(update(PlanRow).where(PlanRow.id.in_(in_plans)).values(revision=new_revision()))
        for stmt in (
            update(DepartmentRow).where(DepartmentRow.name == old).values(name=new),
            update(DepartmentAliasRow).where(DepartmentAliasRow.department == old).values(department=new),
            update(UserScopeRow)
            .where(UserScopeRow.kind == SCOPE_DEPARTMENT, UserScopeRow.value == old)
            .values(value=new),
            update(ProgressReportRow).where(ProgressReportRow.department == old).values(department=new),
        ):
            touched += cast(CursorResult[Any], self.session.execute(stmt)).rowcount
        self.session.flush()
        return touched

    def plan_names(self) -> set[str]:
        """Canonical names some imported plan refers to."""
        return set(self.session.scalars(select(DepartmentRow.name)))


def _user(row: UserRow) -> User:
    return User(
        username=row.username,
        display_name=row.display_name,
        role=Role(row.role),
        departments=frozenset(s.value for s in row.scopes if s.kind == SCOPE_DEPARTMENT),
        org_units=frozenset(s.value for s in row.scopes if s.kind == SCOPE_ORG_UNIT),
        active=row.active,
    )


class UserRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, user: User, *, password_hash: str | None = None, created_at: dt.datetime | None = None) -> None:
        row = UserRow(
            username=user.username,
            display_name=user.display_name,
            role=user.role.value,
            password_hash=password_hash,
            active=True,
            created_at=to_utc(created_at or now()),
        )
        row.scopes = [UserScopeRow(kind=SCOPE_DEPARTMENT, value=d) for d in sorted(user.departments)]
        row.scopes += [UserScopeRow(kind=SCOPE_ORG_UNIT, value=o) for o in sorted(user.org_units)]
        self.session.add(row)
        self.session.flush()

    def get(self, username: str) -> User | None:
        row = self.session.scalar(select(UserRow).where(UserRow.username == username, UserRow.active.is_(True)))
        return None if row is None else _user(row)

    def get_any(self, username: str) -> User | None:
        """The user, active or disabled."""
        row = self.session.scalar(select(UserRow).where(UserRow.username == username))
        return None if row is None else _user(row)

    def update(self, user: User) -> None:
        """Store the display name, role, scopes and active flag of an existing user (by username)."""
        row = self.session.scalar(select(UserRow).where(UserRow.username == user.username))
        if row is None:
            raise KeyError(user.username)
        row.display_name, row.role, row.active = user.display_name, user.role.value, user.active
        wanted = {(SCOPE_DEPARTMENT, d) for d in user.departments} | {(SCOPE_ORG_UNIT, o) for o in user.org_units}
        kept = [s for s in row.scopes if (s.kind, s.value) in wanted]
        held = {(s.kind, s.value) for s in kept}
        # drop first, then add: a scope kept keeps its row (the pair is unique per user)
        row.scopes = kept
        self.session.flush()
        row.scopes += [UserScopeRow(kind=kind, value=value) for kind, value in sorted(wanted - held)]
        self.session.flush()

    def count_active(self, role: Role, *, lock: bool = False) -> int:
        """Active users with the role; ``lock`` holds their rows to the end of the transaction
        (PostgreSQL), so that two admins disabling each other at once cannot leave none."""
        stmt = select(UserRow.id).where(UserRow.role == role.value, UserRow.active.is_(True))
        return len(list(self.session.scalars(stmt.with_for_update() if lock else stmt)))

    def any_user_id(self, username: str) -> int | None:
        """The row id of the user, active or disabled."""
        return self.session.scalar(select(UserRow.id).where(UserRow.username == username))

    def exists(self, username: str) -> bool:
        return self.session.scalar(select(UserRow.id).where(UserRow.username == username)) is not None

    def all(self) -> list[User]:
        return [_user(r) for r in self.session.scalars(select(UserRow).order_by(UserRow.id))]

    def user_id(self, username: str) -> int | None:
        """The row id of an active user (what sessions reference)."""
        return self.session.scalar(select(UserRow.id).where(UserRow.username == username, UserRow.active.is_(True)))

    def by_id(self, user_id: int) -> User | None:
        row = self.session.scalar(select(UserRow).where(UserRow.id == user_id, UserRow.active.is_(True)))
        return None if row is None else _user(row)

    def password_hash(self, username: str) -> str | None:
        """The stored argon2 hash of an active user; None when unset or no such user."""
        return self.session.scalar(
            select(UserRow.password_hash).where(UserRow.username == username, UserRow.active.is_(True))
        )

    def set_password_hash(self, username: str, password_hash: str | None) -> None:
        self.session.execute(update(UserRow).where(UserRow.username == username).values(password_hash=password_hash))
        self.session.flush()
