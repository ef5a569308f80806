"""Bulletins (通报): evaluate the plan once a period's reports are due and render the result.

A period's bulletin judges that period's reports: by default it is evaluated on the day after
they were due (period end + the schedule's due days), when every report of the period is either
in (on time or late) or missing. On the period's last day none of them is due yet, so a bulletin
made then judged each department by the period before (a 2026年第3季度 bulletin showed the items
whose 第2季度 report was missing as 未报送, scoring them 0, though the 第3季度 reports were in).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from yigai import clock
from yigai.domain.periods import Period
from yigai.domain.reports import due_date
from yigai.reports.bulletin_data import BulletinData, build_bulletin_data
from yigai.reports.bulletin_render import render_bulletin
from yigai.services.evaluate import evaluated
from yigai.services.plans import find_plan
from yigai.services.schedules import ended_period, require_schedule
from yigai.storage.uow import UnitOfWork

FORMATS = ("docx", "xlsx", "html")


def bulletin_date(period: Period, due_days: int, today: dt.date) -> dt.date:
    """The default evaluation date of a period's bulletin: the day after its reports were due, or
    ``today`` when that day has not come (a preview of the bulletin as things stand)."""
    return min(due_date(period, due_days) + dt.timedelta(days=1), today)


def bulletin_data(
    uow: UnitOfWork,
    plan_ref: str | int,
    period_id: str,
    *,
    at: dt.date | None = None,
    weights: Mapping[str, Any] | None = None,
    org_unit: str | None = None,
    today: dt.date | None = None,
) -> BulletinData:
    """The bulletin for ``period_id``, evaluated as of ``at`` (default: ``bulletin_date``).

    Only a period of the plan's schedule that has ended by ``today`` (default: the office's calendar
    day) has a bulletin: any other would be titled with the schedule's latest period, not the one asked.
    """
    today = today or clock.now().date()
    with uow:
        schedule = require_schedule(uow, find_plan(uow, plan_ref).id)
    period = ended_period(schedule, period_id, today)
    inp, ev = evaluated(
        uow, plan_ref, at or bulletin_date(period, schedule.due_days, today), weights, org_unit=org_unit
    )
    return build_bulletin_data(ev, inp.draft, inp.reports, inp.targets)


def write_bulletin(
    uow: UnitOfWork,
    plan_ref: str | int,
    period_id: str,
    fmt: str,
    out: Path,
    *,
    at: dt.date | None = None,
    weights: Mapping[str, Any] | None = None,
    org_unit: str | None = None,
    today: dt.date | None = None,
) -> Path:
    return render_bulletin(
        bulletin_data(uow, plan_ref, period_id, at=at, weights=weights, org_unit=org_unit, today=today), fmt, out
    )
