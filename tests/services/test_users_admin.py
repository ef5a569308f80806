"""User administration: disable and enable, role and scope, password reset and one's own change; all audited."""

from __future__ import annotations

import pytest

from yigai.domain.errors import NotFoundError
from yigai.domain.users import Role
from yigai.services.auth import change_own_password, login, open_session, session_user, set_password
from yigai.services.errors import (
    AuthenticationError,
    InvalidInputError,
    PermissionDeniedError,
    UnknownOrgUnitError,
    WeakPasswordError,
)
from yigai.services.users import acting_user, create_user, list_users, set_user_active, update_user

from .conftest import Loop, at


def _audit(loop: Loop, username: str) -> list[tuple[str, str, dict | None, dict | None]]:
    with loop.app.uow() as uow:
        return [
            (e.actor, e.action, e.before, e.after)
            for e in uow.audit.entries(entity="user", entity_key=username)
            if e.action.startswith("user.")
        ]


def test_a_disabled_user_cannot_sign_in_and_their_sessions_end(loop: Loop) -> None:
    uow = loop.app.uow
    set_password(uow(), loop.admin, "wjw", "wjw-pass-22")
    signed = login(uow(), "wjw", "wjw-pass-22")
    other = open_session(uow(), loop.health)
    assert session_user(uow(), signed.token) is not None

    disabled = set_user_active(uow(), loop.admin, "wjw", False, now=at("2024-01-05"))
    assert disabled.active is False
    assert session_user(uow(), signed.token) is None and session_user(uow(), other.token) is None
    with pytest.raises(AuthenticationError):
        login(uow(), "wjw", "wjw-pass-22")
    listed = {u.username: u for u in list_users(uow())}
    assert listed["wjw"].active is False and listed["wjw"].departments == frozenset({"区卫生健康委"})
    with pytest.raises(PermissionDeniedError, match="disabled"):  # the CLI cannot act as a disabled user either
        acting_user(uow(), "wjw")

    set_user_active(uow(), loop.admin, "wjw", True, now=at("2024-01-06"))
    assert login(uow(), "wjw", "wjw-pass-22").user.username == "wjw"  # the old password works again
    assert [(a, act, b, af) for a, act, b, af in _audit(loop, "wjw") if act in ("user.disable", "user.enable")] == [
        ("admin", "user.disable", {"active": True}, {"active": False}),
        ("admin", "user.enable", {"active": False}, {"active": True}),
    ]


def test_nobody_disables_themself_or_changes_their_own_role(loop: Loop) -> None:
    uow = loop.app.uow
    with pytest.raises(PermissionDeniedError, match="disable yourself") as own:
        set_user_active(uow(), loop.admin, "admin", False)
    assert own.value.message_zh == "不能停用自己的账号"
    with pytest.raises(PermissionDeniedError, match="your own role"):
        update_user(uow(), loop.admin, "admin", role=Role.VIEWER)
    renamed = update_user(uow(), loop.admin, "admin", display_name="仓山区医改办")  # the rest of oneself is fine
    assert renamed.display_name == "仓山区医改办" and renamed.role is Role.OFFICE_ADMIN


def test_the_last_active_office_admin_stays(loop: Loop) -> None:
    uow = loop.app.uow
    second = create_user(uow(), loop.admin, "office2", "医改办二", Role.OFFICE_ADMIN)
    set_user_active(uow(), loop.admin, "office2", False)  # two active admins: one may go
    set_user_active(uow(), loop.admin, "office2", True)
    update_user(uow(), second, "admin", role=Role.VIEWER)  # and one may become a viewer
    with loop.app.uow() as u:
        assert u.users.count_active(Role.OFFICE_ADMIN) == 1
    # office2 is now the only active admin: tooling acting as an admin cannot remove it either
    tooling = loop.admin.__class__("ops", "运维脚本", Role.OFFICE_ADMIN)
    with pytest.raises(PermissionDeniedError, match="last active office admin") as last:
        set_user_active(uow(), tooling, "office2", False)
    assert "最后一个启用的医改办管理员" in last.value.message_zh
    with pytest.raises(PermissionDeniedError, match="last active office admin"):
        update_user(uow(), tooling, "office2", role=Role.VIEWER)
    assert {u.username: (u.role, u.active) for u in list_users(uow())}["office2"] == (Role.OFFICE_ADMIN, True)


def test_role_and_scope_change_is_audited_with_before_and_after(loop: Loop) -> None:
    uow = loop.app.uow
    changed = update_user(uow(), loop.admin, "wjw", departments=["区卫健局", "区医保局"], now=at("2024-02-01"))
    assert changed.departments == frozenset({"区卫生健康委", "区医保局"})  # aliases resolved
    assert changed.can_report_for("区医保局")
    moved = update_user(uow(), loop.admin, "wjw", role="institution_reporter", org_units=["350104101-01"])
    assert moved.role is Role.INSTITUTION_REPORTER and moved.departments == frozenset()  # scope fits the role
    assert moved.org_units == frozenset({"350104101-01"})
    with pytest.raises(InvalidInputError, match="needs at least one --dept"):
        update_user(uow(), loop.admin, "wjw", role=Role.DEPARTMENT_REPORTER)
    with pytest.raises(UnknownOrgUnitError):
        update_user(uow(), loop.admin, "wjw", org_units=["999"])
    with pytest.raises(PermissionDeniedError):
        update_user(uow(), loop.health, "ybj", role=Role.VIEWER)
    with pytest.raises(NotFoundError):
        update_user(uow(), loop.admin, "ghost", role=Role.VIEWER)
    updates = [(b, a) for _, act, b, a in _audit(loop, "wjw") if act == "user.update"]
    assert len(updates) == 2
    assert updates[0][0]["departments"] == ["区卫生健康委"]
    assert updates[0][1]["departments"] == ["区医保局", "区卫生健康委"]
    assert updates[1][1]["role"] == "institution_reporter" and updates[1][1]["org_units"] == ["350104101-01"]
    # nothing changed: nothing written
    update_user(uow(), loop.admin, "wjw", org_units=["350104101-01"])
    assert len([a for a in _audit(loop, "wjw") if a[1] == "user.update"]) == 2


def test_a_role_change_applies_to_an_open_session(loop: Loop) -> None:
    uow = loop.app.uow
    signed = open_session(uow(), loop.viewer)
    update_user(uow(), loop.admin, "leader", role=Role.DEPARTMENT_REPORTER, departments=["区财政局"])
    active = session_user(uow(), signed.token)
    assert active is not None and active.user.role is Role.DEPARTMENT_REPORTER
    assert active.user.can_report_for("区财政局")


def test_own_password_needs_the_current_one_admin_resets_without(loop: Loop) -> None:
    uow = loop.app.uow
    set_password(uow(), loop.admin, "ybj", "ybj-pass-333")
    with pytest.raises(AuthenticationError) as wrong:
        change_own_password(uow(), loop.insurance, "nope-nope-1", "ybj-new-pass-4")
    assert wrong.value.where == "current_password"
    with pytest.raises(AuthenticationError):
        change_own_password(uow(), loop.insurance, "", "ybj-new-pass-4")
    with pytest.raises(WeakPasswordError):
        change_own_password(uow(), loop.insurance, "ybj-pass-333", "12345678")
    change_own_password(uow(), loop.insurance, "ybj-pass-333", "ybj-new-pass-4")
    assert login(uow(), "ybj", "ybj-new-pass-4").user.username == "ybj"
    # an office admin changing their own password on the account page gives the current one too
    set_password(uow(), loop.admin, "admin", "admin-pass-1")
    with pytest.raises(AuthenticationError):
        change_own_password(uow(), loop.admin, "wrong-pass-1", "admin-new-pass-2")
    # resetting someone else's password needs no current one, and a reporter may not
    set_password(uow(), loop.admin, "ybj", "reset-by-office-5")
    with pytest.raises(PermissionDeniedError):
        set_password(uow(), loop.health, "ybj", "not-mine-6")
    actions = [act for _, act, _, _ in _audit(loop, "ybj")]
    assert actions.count("user.password") == 2 and actions.count("user.password_change") == 1


def test_a_disabled_user_cannot_get_a_new_password(loop: Loop) -> None:
    set_user_active(loop.app.uow(), loop.admin, "cmz", False)
    with pytest.raises(NotFoundError, match="no active user"):
        set_password(loop.app.uow(), loop.admin, "cmz", "cmz-pass-4444")


def test_the_cli_default_admin_is_not_recreated_when_disabled(loop: Loop) -> None:
    second = create_user(loop.app.uow(), loop.admin, "office2", "医改办二", Role.OFFICE_ADMIN)
    set_user_active(loop.app.uow(), second, "admin", False)
    with pytest.raises(PermissionDeniedError, match="disabled"):
        acting_user(loop.app.uow())
