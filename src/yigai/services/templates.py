"""The department's Excel round trip: write a prefilled template, import it back as one transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from yigai.domain.periods import parse_period
from yigai.domain.reports import ProgressReport
from yigai.domain.users import User
from yigai.reports.template_import import read_template
from yigai.reports.template_xlsx import write_template
from yigai import clock
from yigai.services.departments import resolve_department
from yigai.services.plans import find_plan
from yigai.services.reports import save_in
from yigai.services.schedules import require_schedule
from yigai.storage.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class TemplateImport:
    plan_id: int
    department: str
    period_id: str
    reports: list[ProgressReport]


def write_department_template(uow: UnitOfWork, plan_ref: str | int, department: str, period_id: str,
                              out: Path) -> Path:
    """Write ``department``'s template for ``period_id``, prefilled with its latest reports."""
    period = parse_period(period_id)
    with uow:
        plan = find_plan(uow, plan_ref)
        require_schedule(uow, plan.id)
        name = resolve_department(uow, department, plan.draft.meta.region)
        existing = uow.reports.for_plan(plan.id)
    return write_template(plan.draft, plan.id, name, period, out, existing)


def import_department_template(uow: UnitOfWork, user: User, plan_ref: str | int, department: str, period_id: str,
                               path: Path, *, submit: bool = False, now: dt.datetime | None = None) -> TemplateImport:
    """Read a filled template and save every row as a new report version — all rows or none.

    File-level problems come back together in one ``TemplateError`` (sheet, row, column);
    a row the services refuse (a measure the department does not lead, an accepted report)
    rolls the whole import back.
    """
    period = parse_period(period_id)
    at = now or clock.now()
    with uow:
        plan = find_plan(uow, plan_ref)
        require_schedule(uow, plan.id)
        name = resolve_department(uow, department, plan.draft.meta.region)
        rows = read_template(path, plan_id=plan.id, department=name, period=period, draft=plan.draft)
        saved = [
            save_in(uow, user, plan.id, row.item_id, period.id, name, row.status, row.percent,
                    narrative=row.narrative, problems=row.problems, next_steps=row.next_steps, submit=submit, at=at)
            for row in rows
        ]
        uow.commit()
    return TemplateImport(plan.id, name, period.id, saved)
