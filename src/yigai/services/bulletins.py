"""Bulletins (通报): evaluate the plan at the end of a period and render the result."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from yigai.domain.periods import parse_period
from yigai.reports.bulletin_data import BulletinData, build_bulletin_data
from yigai.reports.bulletin_render import render_bulletin
from yigai.services.evaluate import evaluated
from yigai.storage.uow import UnitOfWork

FORMATS = ("docx", "xlsx", "html")


def bulletin_data(uow: UnitOfWork, plan_ref: str | int, period_id: str, *, at: dt.date | None = None,
                  weights: Mapping[str, Any] | None = None, org_unit: str | None = None) -> BulletinData:
    """The bulletin for ``period_id``, evaluated as of ``at`` (default: the period's last day)."""
    period = parse_period(period_id)
    inp, ev = evaluated(uow, plan_ref, at or period.end, weights, org_unit=org_unit)
    return build_bulletin_data(ev, inp.draft, inp.reports, inp.targets)


def write_bulletin(uow: UnitOfWork, plan_ref: str | int, period_id: str, fmt: str, out: Path, *,
                   at: dt.date | None = None, weights: Mapping[str, Any] | None = None,
                   org_unit: str | None = None) -> Path:
    return render_bulletin(bulletin_data(uow, plan_ref, period_id, at=at, weights=weights, org_unit=org_unit),
                           fmt, out)
