"""The password policy: the one check every place that sets a password goes through.

``check_password`` refuses (``WeakPasswordError``, a Chinese message naming the rule):

- fewer than ``MIN_PASSWORD_LENGTH`` or more than ``MAX_PASSWORD_LENGTH`` characters;
- the user name itself, reversed, or with only digits and symbols around it (admin2024);
- a password of the shipped list of the most common ones (``data/common_passwords.txt``),
  also with digits or symbols added at the end (password2024!) — letter case ignored;
- a run along the alphabet, the digits or a keyboard row (12345678, abcdefgh, 87654321, asdfghjk);
- one character or a short group repeated (11111111, abcabcabc, 12121212), or at most two
  different characters;
- letters only or digits only: at least two kinds of letters, digits and other symbols.

Service functions (``auth.set_password``) call it before anything is stored; the web, the API,
the command line and the demo all set passwords through that service.
"""

from __future__ import annotations

import functools
import string

from yigai.data import data_path
from yigai.services.errors import WeakPasswordError

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256
COMMON_FILE = "common_passwords.txt"
POLICY_ZH = f"至少{MIN_PASSWORD_LENGTH}位，含字母、数字、符号中的至少两类；不能是常见密码、连续或重复的字符、用户名"
_SEQUENCES = (
    "abcdefghijklmnopqrstuvwxyz",
    "01234567890",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm",
    "qazwsxedcrfvtgbyhnujm",
)
_DECORATION = string.digits + string.punctuation + string.whitespace


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list, case-folded."""
    with data_path(COMMON_FILE).open(encoding="utf-8") as fh:
        return frozenset(s.casefold() for line in fh if (s := line.strip()) and not s.startswith("#"))


def _is_run(text: str) -> bool:
    """Along the alphabet, the digits or a keyboard row, either way (abcdefgh, 87654321, asdfghjk)."""
    return any(text in seq or text in seq[::-1] for seq in _SEQUENCES)


def _is_repeat(text: str) -> bool:
    """A group of characters repeated to fill the whole password (aaaa, abab, abcabc)."""
    return any(
        len(text) % size == 0 and text == text[:size] * (len(text) // size) for size in range(1, len(text) // 2 + 1)
    )


def _kinds(text: str) -> int:
    letters = any(c.isalpha() and c.isascii() for c in text)
    digits = any(c.isdigit() for c in text)
    others = any(not (c.isascii() and c.isalnum()) for c in text)
    return letters + digits + others


def password_problem(username: str, password: str) -> tuple[str, str] | None:
    """(English, Chinese) reason the password is refused, or None when it may be used."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return (
            f"the password must have at least {MIN_PASSWORD_LENGTH} characters",
            f"密码至少 {MIN_PASSWORD_LENGTH} 位",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        return (f"the password may have at most {MAX_PASSWORD_LENGTH} characters", f"密码最多 {MAX_PASSWORD_LENGTH} 位")
    folded, name = password.strip().casefold(), username.strip().casefold()
    core = folded.strip(_DECORATION)  # the word inside added digits and symbols: Admin@2024 → admin
    if name and (folded == name or folded == name[::-1] or core == name):
        return "the password may not be the user name", "密码不能是用户名（或用户名前后加数字、符号）"
    common = common_passwords()
    if folded in common or core in common or folded.rstrip(_DECORATION) in common:
        return "the password is one of the most common passwords", "密码过于常见（如 password、admin123），容易被猜中"
    if _is_run(folded):
        return (
            "the password is a run of consecutive characters",
            "密码不能是连续的字符（如 12345678、abcdefgh、键盘上相邻的键）",
        )
    if _is_repeat(folded) or len(set(folded)) <= 2:
        return "the password repeats one character or group", "密码不能是重复的字符（如 11111111、abcabcabc）"
    if _kinds(password) < 2:
        return ("the password needs two of: letters, digits, other symbols", "密码须含字母、数字、符号中的至少两类")
    return None


def check_password(username: str, password: str) -> None:
    """Raise WeakPasswordError (where="password") when the policy refuses the password."""
    problem = password_problem(username, password)
    if problem is not None:
        raise WeakPasswordError(problem[0], message_zh=problem[1], where="password")
