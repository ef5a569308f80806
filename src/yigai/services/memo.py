"""Reads memoised per process while the data they come from is unchanged.

Every write service records an audit entry in the write's transaction, so the newest entry's
id versions the data: a read memoised under that id is right until the next audited write, made
by this process or another (the id is read from the database on each call: one indexed query).
Pages ask the same few questions many times between two writes — the review badge, the plan
list, the dashboard — and under a quarter-end rush recomputing them was most of a page's cost.

A memoised value is shared between callers: treat it as read-only.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import Engine

from yigai.storage.uow import UnitOfWork

T = TypeVar("T")

# Sign-ins write audit entries but change no data a read shows.
SIGN_INS: tuple[str, ...] = ("auth.",)
MEMO_SIZE = 256

_MEMO: WeakKeyDictionary[Engine, OrderedDict[tuple[Hashable, ...], Any]] = WeakKeyDictionary()
_LOCK = threading.Lock()


def data_version(
    uow: UnitOfWork, *, ignoring: Sequence[str] = SIGN_INS, plan: int | None = None, plan_entities: Sequence[str] = ()
) -> tuple[Engine | None, int]:
    """(database, newest audit id that counts): what a memo key needs (see ``AuditRepository.latest_id``)."""
    with uow:
        return uow.audit.database(), uow.audit.latest_id(ignoring=ignoring, plan=plan, plan_entities=plan_entities)


def memoised(
    uow: UnitOfWork,
    key: tuple[Hashable, ...],
    compute: Callable[[], T],
    *,
    ignoring: Sequence[str] = SIGN_INS,
    plan: int | None = None,
    plan_entities: Sequence[str] = (),
) -> T:
    """``compute()``, or its value from the memo when no write it can depend on came since.

    ``key`` names the read and its arguments; ``ignoring``, ``plan`` and ``plan_entities`` say
    which writes cannot change it. The version is read before computing, so a write made while
    computing only makes the entry unused, never wrong.
    """
    database, version = data_version(uow, ignoring=ignoring, plan=plan, plan_entities=plan_entities)
    if database is None:
        return compute()
    full = (*key, version)
    with _LOCK:
        memo = _MEMO.setdefault(database, OrderedDict())
        if full in memo:
            memo.move_to_end(full)
            found: T = memo[full]
            return found
    value = compute()
    with _LOCK:
        memo[full] = value
        while len(memo) > MEMO_SIZE:
            memo.popitem(last=False)
    return value
