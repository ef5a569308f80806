"""Bulletins (通报): evaluate the plan at the end of a period and render the result."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from yigai import clock
from yigai.reports.bulletin_data import BulletinData, build_bulletin_data
from yigai.reports.bulletin_render import render_bulletin
from yigai.services.evaluate import evaluated
from yigai.services.plans import find_plan
from yigai.services.schedules import ended_period, require_schedule
from yigai.storage.uow import UnitOfWork

FORMATS = ("docx", "xlsx", "html")


def bulletin_data(uow: UnitOfWork, plan_ref: str | int, period_id: str, *, at: dt.date | None = None,
                  weights: Mapping[str, Any] | None = None, org_unit: str | None = None,
                  today: dt.date | None = None) -> BulletinData:
    """The bulletin for ``period_id``, evaluated as of ``at`` (default: the period's last day).

    Only a period of the plan's schedule that has ended by ``today`` (default: the office's calendar
    day) has a bulletin: any other would be titled with the schedule's latest period, not the one asked.
    """
    with uow:
        schedule = require_schedule(uow, find_plan(uow, plan_ref).id)
    period = ended_period(schedule, period_id, today or clock.now().date())
    inp, ev = evaluated(uow, plan_ref, at or period.end, weights, org_unit=org_unit)
    return build_bulletin_data(ev, inp.draft, inp.reports, inp.targets)


def write_bulletin(uow: UnitOfWork, plan_ref: str | int, period_id: str, fmt: str, out: Path, *,
                   at: dt.date | None = None, weights: Mapping[str, Any] | None = None,
                   org_unit: str | None = None, today: dt.date | None = None) -> Path:
    return render_bulletin(bulletin_data(uow, plan_ref, period_id, at=at, weights=weights, org_unit=org_unit,
                                         today=today), fmt, out)
