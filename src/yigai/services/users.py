"""Users with roles and scopes, and the acting user of a command.

The CLI acts as a named user (``--user NAME``) or, by default, as the built-in
office admin ``admin``, created on first use. Passwords are ``services.auth``'s.

Users are never deleted: reports, reviews and the audit log keep naming their author.
An office admin disables a user instead (``set_user_active``): a disabled user cannot sign
in and every open session ends. An admin cannot disable themself or change their own role,
and the last active office admin can be neither disabled nor given another role.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import replace

from yigai.domain.errors import NotFoundError
from yigai.domain.users import DEFAULT_ADMIN, Role, User
from yigai.services.departments import ensure_seeded, resolve_department
from yigai.services.errors import DuplicateError, InvalidInputError, PermissionDeniedError, UnknownOrgUnitError
from yigai.services.items import require_admin
from yigai.storage.uow import UnitOfWork

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
            message_zh=f"未知角色「{role}」（可选：{'、'.join(r.value for r in Role)}）",
            where="role",
        ) from None


def acting_user(uow: UnitOfWork, username: str | None = None) -> User:
    """The named user, or the built-in office admin (created, and audited, the first time)."""
    with uow:
        if username:
            user = uow.users.get(username)
            if user is None and uow.users.exists(username):
                raise PermissionDeniedError(
                    f"user {username!r} is disabled", where="--user", message_zh=f"用户「{username}」已停用，不能操作"
                )
            if user is None:
                raise NotFoundError(
                    f"no user {username!r}; `yigai users list` shows them",
                    message_zh=f"用户「{username}」不存在（用 yigai users list 查看）",
                    where="--user",
                )
            return user
        user = uow.users.get(DEFAULT_ADMIN.username)
        if user is None and uow.users.exists(DEFAULT_ADMIN.username):
            raise PermissionDeniedError(
                "the built-in user admin is disabled; act as another admin with --user",
                message_zh="内置管理员 admin 已停用，请用 --user 指定其他管理员",
                where="--user",
            )
        if user is None:
            uow.users.add(DEFAULT_ADMIN)
            uow.audit.record(SYSTEM, "user.create", "user", DEFAULT_ADMIN.username, after=DEFAULT_ADMIN)
            uow.commit()
            user = DEFAULT_ADMIN
        return user


def create_user(
    uow: UnitOfWork,
    actor: User,
    username: str,
    display_name: str,
    role: Role | str,
    *,
    departments: Iterable[str] = (),
    org_units: Iterable[str] = (),
    now: dt.datetime | None = None,
) -> User:
    """Add a user; department names are resolved to canonical ones, org units must exist."""
    require_admin(actor, "create users", "创建用户")
    the_role = _role(role)
    if not _USERNAME.match(username):
        raise InvalidInputError(
            f"invalid username {username!r} (letters, digits, . - _ @; at most 64)",
            message_zh=f"用户名「{username}」无效（字母、数字、. - _ @，最多64位）",
            where="username",
        )
    depts, units = _scope_given(the_role, departments, org_units)
    with uow:
        if uow.users.exists(username):
            raise DuplicateError(
                f"user {username!r} already exists", message_zh=f"用户「{username}」已存在", where="username"
            )
        canonical, codes = _resolved_scope(uow, depts, units)
        user = User(username, display_name or username, the_role, canonical, codes)
        uow.users.add(user, created_at=now)
        uow.audit.record(actor.username, "user.create", "user", username, after=user, at=now)
        uow.commit()
    return user


def _scope_given(role: Role, departments: Iterable[str], org_units: Iterable[str]) -> tuple[list[str], list[str]]:
    """The scope a role needs (reporters: their departments or units; others: none is kept)."""
    depts, units = [d.strip() for d in departments if d.strip()], [u.strip() for u in org_units if u.strip()]
    if role is Role.DEPARTMENT_REPORTER and not depts:
        raise InvalidInputError(
            "a department reporter needs at least one --dept",
            message_zh="部门填报人须至少指定一个部门（--dept）",
            where="departments",
        )
    if role is Role.INSTITUTION_REPORTER and not units:
        raise InvalidInputError(
            "an institution reporter needs at least one --org-unit",
            message_zh="机构填报人须至少指定一个机构（--org-unit）",
            where="org_units",
        )
    return depts, units


def _resolved_scope(uow: UnitOfWork, depts: list[str], units: list[str]) -> tuple[frozenset[str], frozenset[str]]:
    """Canonical department names (through the aliases) and org-unit codes that exist."""
    ensure_seeded(uow)
    canonical = frozenset(resolve_department(uow, d) for d in depts)
    for code in units:
        if uow.orgunits.get(code) is None:
            raise UnknownOrgUnitError(
                f"no org unit {code!r}; `yigai orgunits list` shows them",
                message_zh=f"机构编码「{code}」不存在",
                where="org_units",
            )
    return canonical, frozenset(units)


def list_users(uow: UnitOfWork) -> list[User]:
    """Every user, disabled ones included (``User.active``)."""
    with uow:
        return uow.users.all()


def _existing(uow: UnitOfWork, username: str) -> User:
    user = uow.users.get_any(username)
    if user is None:
        raise NotFoundError(f"no user {username!r}", message_zh=f"用户「{username}」不存在", where="username")
    return user


def _keep_an_admin(uow: UnitOfWork, before: User, after: User) -> None:
    """Refuse a change that leaves no active office admin."""
    was_admin = before.active and before.role is Role.OFFICE_ADMIN
    still_admin = after.active and after.role is Role.OFFICE_ADMIN
    if was_admin and not still_admin and uow.users.count_active(Role.OFFICE_ADMIN, lock=True) <= 1:
        raise PermissionDeniedError(
            f"{before.username} is the last active office admin",
            where="username",
            message_zh=f"「{before.username}」是最后一个启用的医改办管理员，不能停用或改为其他角色（请先设置另一位管理员）",
        )


def set_user_active(
    uow: UnitOfWork, actor: User, username: str, active: bool, *, now: dt.datetime | None = None
) -> User:
    """Disable (every session ends, sign-in refused) or enable a user; audited. Users are never deleted."""
    require_admin(actor, "disable or enable users", "停用或启用用户")
    if not active and actor.username == username:
        raise PermissionDeniedError("you cannot disable yourself", message_zh="不能停用自己的账号", where="username")
    with uow:
        before = _existing(uow, username)
        if before.active == active:
            return before
        after = replace(before, active=active)
        _keep_an_admin(uow, before, after)
        uow.users.update(after)
        user_id = uow.users.any_user_id(username)
        if not active and user_id is not None:
            uow.web_sessions.delete_for_user(user_id)
        uow.audit.record(
            actor.username,
            "user.enable" if active else "user.disable",
            "user",
            username,
            before={"active": before.active},
            after={"active": after.active},
            at=now,
        )
        uow.commit()
    return after


def update_user(
    uow: UnitOfWork,
    actor: User,
    username: str,
    *,
    role: Role | str | None = None,
    departments: Iterable[str] | None = None,
    org_units: Iterable[str] | None = None,
    display_name: str | None = None,
    now: dt.datetime | None = None,
) -> User:
    """Change a user's role, scope (departments / org units) or display name; audited with before and after.

    What is not given stays. A scope that does not fit the new role is dropped (an office admin,
    a viewer have none; a department reporter keeps departments only, an institution reporter
    org units only). The change applies at the user's next request: roles are read per request.
    """
    require_admin(actor, "change users", "修改用户")
    with uow:
        before = _existing(uow, username)
        the_role = before.role if role is None else _role(role)
        if actor.username == username and the_role is not before.role:
            raise PermissionDeniedError(
                "you cannot change your own role", message_zh="不能修改自己的角色", where="role"
            )
        depts = list(before.departments) if departments is None else list(departments)
        units = list(before.org_units) if org_units is None else list(org_units)
        depts = depts if the_role is Role.DEPARTMENT_REPORTER else []
        units = units if the_role is Role.INSTITUTION_REPORTER else []
        depts, units = _scope_given(the_role, depts, units)
        canonical, codes = _resolved_scope(uow, depts, units)
        name = before.display_name if display_name is None else (display_name.strip() or username)
        after = replace(before, display_name=name, role=the_role, departments=canonical, org_units=codes)
        if after == before:
            return before
        _keep_an_admin(uow, before, after)
        uow.users.update(after)
        uow.audit.record(actor.username, "user.update", "user", username, before=before, after=after, at=now)
        uow.commit()
    return after


def get_user(uow: UnitOfWork, username: str) -> User:
    """One user, disabled or not; NotFoundError when there is none of that name."""
    with uow:
        return _existing(uow, username)
