"""``yigai users password``: the password is stored as an argon2id hash, and weak ones are refused."""

from __future__ import annotations

from pathlib import Path

from yigai.bootstrap import build
from yigai.settings import Settings

from .conftest import Invoke


def _hash(tmp_path: Path, username: str) -> str | None:
    with build(Settings.from_env({}, data_dir=tmp_path / "var")) as app, app.uow() as uow:
        return uow.users.password_hash(username)


def test_password_is_set_as_an_argon2_hash(yigai: Invoke, tmp_path: Path) -> None:
    assert yigai("users", "add", "leader", "--role", "viewer").exit_code == 0
    assert _hash(tmp_path, "leader") is None
    result = yigai("users", "password", "leader", "--stdin", input="s3cret-pass\n")
    assert result.exit_code == 0, result.output
    stored = _hash(tmp_path, "leader")
    assert stored is not None and stored.startswith("$argon2id$") and "s3cret-pass" not in stored


def test_prompted_twice_and_short_passwords_refused(yigai: Invoke) -> None:
    assert yigai("users", "add", "leader", "--role", "viewer").exit_code == 0
    result = yigai("users", "password", "leader", input="short\nshort\n")
    assert result.exit_code == 2 and "密码至少 8 位" in result.stderr
    result = yigai("users", "password", "nobody", "--stdin", input="long-enough-1\n")
    assert result.exit_code == 1 and "nobody" in result.stderr
