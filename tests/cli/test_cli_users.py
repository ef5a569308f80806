"""``yigai users set / disable / enable``: role and scope changes, disabling instead of deleting."""

from __future__ import annotations

import json

from .conftest import Invoke


def _users(yigai: Invoke) -> dict[str, dict]:
    result = yigai("users", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    return {u["username"]: u for u in json.loads(result.stdout)}


def test_set_disable_and_enable_a_user(yigai: Invoke) -> None:
    assert yigai("users", "add", "wjw", "--role", "department_reporter", "--dept", "区卫健委").exit_code == 0
    changed = yigai("users", "set", "wjw", "--dept", "区卫健委", "--dept", "区医保局", "--name", "卫健委填报员")
    assert changed.exit_code == 0, changed.output
    user = _users(yigai)["wjw"]
    assert user["departments"] == ["区医保局", "区卫生健康委"] and user["display_name"] == "卫健委填报员"
    assert yigai("users", "password", "wjw", "--stdin", input="wjw-pass-22\n").exit_code == 0
    assert yigai("users", "disable", "wjw").exit_code == 0
    assert _users(yigai)["wjw"]["active"] is False
    table = yigai("users", "list")
    assert "已停用 disabled" in table.stdout
    acting = yigai("orgunits", "load", "--user", "wjw")  # a disabled user cannot act on the command line
    assert acting.exit_code == 1 and "用户「wjw」已停用" in acting.stderr
    assert yigai("users", "enable", "wjw").exit_code == 0 and _users(yigai)["wjw"]["active"] is True
    viewer = yigai("users", "set", "wjw", "--role", "viewer")
    assert viewer.exit_code == 0 and _users(yigai)["wjw"]["departments"] == []


def test_refusals_are_bilingual(yigai: Invoke) -> None:
    assert yigai("users", "list").exit_code == 0  # the built-in admin exists
    own = yigai("users", "disable", "admin")
    assert own.exit_code == 1 and "不能停用自己的账号" in own.stderr and "cannot disable yourself" in own.stderr
    assert yigai("users", "add", "leader", "--role", "viewer").exit_code == 0
    weak = yigai("users", "password", "leader", "--stdin", input="12345678\n")
    assert weak.exit_code == 2 and "密码过于常见" in weak.stderr and "most common" in weak.stderr
    missing = yigai("users", "set", "ghost", "--role", "viewer")
    assert missing.exit_code == 1 and "ghost" in missing.stderr
    scope = yigai("users", "set", "leader", "--role", "department_reporter")
    assert scope.exit_code == 2 and "部门填报人须至少指定一个部门" in scope.stderr
