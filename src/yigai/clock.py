"""Office time: every timestamp the supervision loop shows or compares is China Standard Time.

Due dates are calendar days in the office's time zone: a report saved at 07:00 on
16 January in Fuzhou is late for a 15 January deadline even though it is still
the 15th in UTC. Storage keeps UTC; ``aware`` turns what a database gives back
(SQLite drops the zone) into an aware office-time datetime.
"""

from __future__ import annotations

import datetime as dt

OFFICE_TZ = dt.timezone(dt.timedelta(hours=8), "CST")


def now() -> dt.datetime:
    """The current office time, to the second."""
    return dt.datetime.now(OFFICE_TZ).replace(microsecond=0)


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """An office-time datetime; a naive value is taken to be UTC (as stored)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(OFFICE_TZ)


def to_utc(value: dt.datetime) -> dt.datetime:
    """For storage: a naive value is taken to be office time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=OFFICE_TZ)
    return value.astimezone(dt.UTC)
