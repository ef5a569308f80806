"""Users, roles and scopes; the rules the services (and the web layer) enforce."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    OFFICE_ADMIN = "office_admin"  # 医改办
    DEPARTMENT_REPORTER = "department_reporter"  # 成员单位填报人
    INSTITUTION_REPORTER = "institution_reporter"  # 医疗机构填报人
    VIEWER = "viewer"  # 领导 / 只读


ROLE_LABELS = {
    Role.OFFICE_ADMIN: "医改办管理员",
    Role.DEPARTMENT_REPORTER: "部门填报人",
    Role.INSTITUTION_REPORTER: "机构填报人",
    Role.VIEWER: "只读用户",
}


@dataclass(slots=True)
class User:
    username: str
    display_name: str
    role: Role
    departments: frozenset[str] = field(default_factory=frozenset)  # canonical names
    org_units: frozenset[str] = field(default_factory=frozenset)  # org-unit codes
    active: bool = True  # a disabled user cannot sign in; users are disabled, never deleted (reports keep their author)

    def can_report_for(self, department: str) -> bool:
        """May write progress reports in the name of ``department``."""
        if self.role is Role.OFFICE_ADMIN:
            return True
        return self.role is Role.DEPARTMENT_REPORTER and department in self.departments

    def sees_drafts_of(self, departments: Iterable[str]) -> bool:
        """May read unsubmitted drafts written for one of ``departments`` (the office reads every draft)."""
        if self.role is Role.OFFICE_ADMIN:
            return True
        return self.role is Role.DEPARTMENT_REPORTER and not self.departments.isdisjoint(departments)

    def can_enter_values_for(self, org_unit: str, ancestors: frozenset[str] = frozenset()) -> bool:
        """May enter data values for ``org_unit`` (or a unit below one in scope)."""
        if self.role is Role.OFFICE_ADMIN:
            return True
        if self.role is not Role.INSTITUTION_REPORTER:
            return False
        return org_unit in self.org_units or bool(ancestors & self.org_units)

    @property
    def can_review(self) -> bool:
        """Accept or return reports, manage plans and settings."""
        return self.role is Role.OFFICE_ADMIN


# The office account the command line acts as when no --user is given (created on first use).
DEFAULT_ADMIN = User(username="admin", display_name="医改办管理员", role=Role.OFFICE_ADMIN)
