"""Users with roles and scopes, and the acting user of a command.

The CLI acts as a named user (``--user NAME``) or, by default, as the built-in
office admin ``admin``, created on first use. The web issue adds passwords;
the column is there, left empty.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from yigai.domain.errors import NotFoundError
from yigai.domain.users import Role, User
from yigai.services.departments import ensure_seeded, resolve_department
from yigai.services.errors import DuplicateError, InvalidInputError, UnknownOrgUnitError
from yigai.services.items import require_admin
from yigai.storage.uow import UnitOfWork

DEFAULT_ADMIN = User(username="admin", display_name="医改办管理员", role=Role.OFFICE_ADMIN)
SYSTEM = "system"
_USERNAME = re.compile(r"^[\w.\-@]{1,64}$")


def _role(role: Role | str) -> Role:
    if isinstance(role, Role):
        return role
    try:
        return Role(role)
    except ValueError:
        raise InvalidInputError(
            f"unknown role {role!r}; one of {', '.join(r.value for r in Role)}",
            message_zh=f"未知角色「{role}」（可选：{'、'.join(r.value for r in Role)}）", where="role",
        ) from None


def acting_user(uow: UnitOfWork, username: str | None = None) -> User:
    """The named user, or the built-in office admin (created, and audited, the first time)."""
    with uow:
        if username:
            user = uow.users.get(username)
            if user is None:
                raise NotFoundError(f"no user {username!r}; `yigai users list` shows them",
                                    message_zh=f"用户「{username}」不存在（用 yigai users list 查看）", where="--user")
            return user
        user = uow.users.get(DEFAULT_ADMIN.username)
        if user is None:
            uow.users.add(DEFAULT_ADMIN)
            uow.audit.record(SYSTEM, "user.create", "user", DEFAULT_ADMIN.username, after=DEFAULT_ADMIN)
            uow.commit()
            user = DEFAULT_ADMIN
        return user


def create_user(uow: UnitOfWork, actor: User, username: str, display_name: str, role: Role | str, *,
                departments: Iterable[str] = (), org_units: Iterable[str] = (),
                now: dt.datetime | None = None) -> User:
    """Add a user; department names are resolved to canonical ones, org units must exist."""
    require_admin(actor, "create users", "创建用户")
    the_role = _role(role)
    if not _USERNAME.match(username):
        raise InvalidInputError(f"invalid username {username!r} (letters, digits, . - _ @; at most 64)",
                                message_zh=f"用户名「{username}」无效（字母、数字、. - _ @，最多64位）", where="username")
    depts, units = list(departments), list(org_units)
    if the_role is Role.DEPARTMENT_REPORTER and not depts:
        raise InvalidInputError("a department reporter needs at least one --dept",
                                message_zh="部门填报人须至少指定一个部门（--dept）", where="departments")
    if the_role is Role.INSTITUTION_REPORTER and not units:
        raise InvalidInputError("an institution reporter needs at least one --org-unit",
                                message_zh="机构填报人须至少指定一个机构（--org-unit）", where="org_units")
    with uow:
        if uow.users.exists(username):
            raise DuplicateError(f"user {username!r} already exists", message_zh=f"用户「{username}」已存在",
                                 where="username")
        ensure_seeded(uow)
        canonical = frozenset(resolve_department(uow, d) for d in depts)
        for code in units:
            if uow.orgunits.get(code) is None:
                raise UnknownOrgUnitError(f"no org unit {code!r}; `yigai orgunits list` shows them",
                                          message_zh=f"机构编码「{code}」不存在", where="org_units")
        user = User(username, display_name or username, the_role, canonical, frozenset(units))
        uow.users.add(user, created_at=now)
        uow.audit.record(actor.username, "user.create", "user", username, after=user, at=now)
        uow.commit()
    return user


def list_users(uow: UnitOfWork) -> list[User]:
    with uow:
        return uow.users.all()
