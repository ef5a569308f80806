"""The password policy: length, the user name, common, run, repeated and one-kind passwords are refused."""

from __future__ import annotations

import pytest

from yigai.services.demo import DEMO_USERS
from yigai.services.errors import WeakPasswordError
from yigai.services.passwords import check_password, common_passwords, password_problem


@pytest.mark.parametrize(
    ("username", "password", "reason"),
    [
        ("wjw", "short-1", "至少 8 位"),
        ("wjw", "x" * 257, "最多 256 位"),
        ("wjw", "12345678", "过于常见"),
        ("wjw", "password", "过于常见"),
        ("wjw", "Password2024!", "过于常见"),
        ("wjw", "P@ssw0rd", "过于常见"),
        ("wjw", "admin@123", "过于常见"),
        ("wjw", "woaini1314", "过于常见"),
        ("wjw", "1qaz2wsx", "过于常见"),
        ("wjw", "11111111", "过于常见"),
        ("wjw", "abcdefgh", "连续"),
        ("wjw", "ABCDEFGHI", "连续"),
        ("wjw", "98765432", "连续"),
        ("wjw", "hgfedcba", "连续"),
        ("wjw", "lkjhgfds", "连续"),
        ("wjw", "aaaaaaaaaa", "重复"),
        ("wjw", "abcabcabc", "重复"),
        ("wjw", "12121212", "重复"),
        ("wjw", "a1a1a1a1", "重复"),
        ("wjw", "aabbbaab", "重复"),  # two different characters only
        ("zhangwei", "zhangwei", "用户名"),
        ("zhangwei", "ZhangWei", "用户名"),
        ("zhangwei", "iewgnahz", "用户名"),
        ("zhangwei", "zhangwei2024", "用户名"),
        ("zhangwei", "@zhangwei!", "用户名"),
        ("zhangwei", "zhangwei-88", "用户名"),
        ("wjw", "zhangsanfeng", "两类"),
        ("wjw", "19900101", "两类"),
    ],
)
def test_weak_passwords_are_refused_naming_the_rule(username: str, password: str, reason: str) -> None:
    with pytest.raises(WeakPasswordError) as refused:
        check_password(username, password)
    assert reason in refused.value.message_zh
    assert refused.value.where == "password"


@pytest.mark.parametrize(
    "password",
    [
        "admin-pass-1",
        "wjw-pass-22",
        "czj-pass-777",
        "s3cret-pass",
        "Tr0ub4dor&3",
        "医改办2026年季报",
        "correct horse",
        "qwe-Rty-2026x",
        "wei-zhang-88",
    ],
)
def test_ordinary_passwords_pass(password: str) -> None:
    assert password_problem("zhangwei", password) is None


def test_the_demo_passwords_pass_the_policy() -> None:
    assert DEMO_USERS
    for user in DEMO_USERS:
        assert password_problem(user.username, user.password) is None, user.username


def test_the_shipped_list_is_read_and_case_folded() -> None:
    common = common_passwords()
    assert len(common) > 100
    assert {"12345678", "password", "p@ssw0rd", "woaini1314", "admin"} <= common
    assert all(p == p.casefold() and not p.startswith("#") for p in common)
