"""The retry rule: write races are retried, real integrity problems are not, and it gives up cleanly."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from yigai.services.concurrency import ConcurrentWriteError, is_write_conflict, retrying


def _unique() -> IntegrityError:
    return IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE constraint failed: t.version"))


def _foreign_key() -> IntegrityError:
    return IntegrityError("INSERT", {}, sqlite3.IntegrityError("FOREIGN KEY constraint failed"))


def test_races_and_lock_timeouts_are_conflicts_other_errors_are_not() -> None:
    assert is_write_conflict(_unique())
    assert is_write_conflict(OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked")))
    assert not is_write_conflict(_foreign_key())
    assert not is_write_conflict(OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: x")))


def test_a_lost_race_is_run_again_until_it_wins() -> None:
    calls: list[int] = []

    def attempt() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise _unique()
        return "saved"

    assert retrying(attempt) == "saved" and len(calls) == 3


def test_a_real_integrity_error_is_raised_at_once() -> None:
    calls: list[int] = []

    def attempt() -> None:
        calls.append(1)
        raise _foreign_key()

    with pytest.raises(IntegrityError):
        retrying(attempt)
    assert len(calls) == 1


def test_endless_races_end_in_a_clear_error() -> None:
    def attempt() -> None:
        raise _unique()

    with pytest.raises(ConcurrentWriteError) as info:
        retrying(attempt, attempts=3)
    assert "重试" in info.value.bilingual()
