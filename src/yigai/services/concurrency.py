"""Retrying a use case that lost a race with another writer.

Versioned records (reports, data values) take "latest version + 1". Two people saving the same
report at the same moment both read version n and both try n + 1; the unique constraint lets one
through and refuses the other. The loser's whole transaction is run again — it then reads n + 1
and writes n + 2 — so every save is kept and none reaches the user as an error. SQLite's
"database is locked" (a writer waited past the busy timeout) is retried the same way.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError, OperationalError

from yigai.domain.errors import YigaiError

T = TypeVar("T")
ATTEMPTS = 12
_BASE_DELAY_S = 0.005
_UNIQUE_VIOLATION = "23505"  # PostgreSQL SQLSTATE


class ConcurrentWriteError(YigaiError):
    message_zh = "同时保存的人过多，本次保存未成功，请稍后重试"


def is_write_conflict(exc: BaseException) -> bool:
    """A unique-constraint race or a lock timeout, as opposed to a real integrity problem."""
    orig = getattr(exc, "orig", None)
    if isinstance(exc, IntegrityError):
        if getattr(orig, "sqlstate", None) == _UNIQUE_VIOLATION:
            return True
        return isinstance(orig, sqlite3.IntegrityError) and "UNIQUE constraint failed" in str(orig)
    if isinstance(exc, OperationalError):
        return isinstance(orig, sqlite3.OperationalError) and "database is locked" in str(orig)
    return False


def retrying(attempt: Callable[[], T], *, attempts: int = ATTEMPTS) -> T:
    """Run ``attempt`` (one whole transaction) again while it loses write races, with jittered backoff."""
    for n in range(attempts):
        try:
            return attempt()
        except (IntegrityError, OperationalError) as exc:
            if not is_write_conflict(exc):
                raise
            if n == attempts - 1:
                raise ConcurrentWriteError(
                    f"gave up after {attempts} attempts: other people kept saving the same record", where="database"
                ) from exc
            time.sleep(random.uniform(0, _BASE_DELAY_S * 2 ** min(n, 6)))
    raise AssertionError("unreachable")
