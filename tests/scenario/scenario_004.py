"""A supervision scenario on seed 004 (仓山区), built through the services.

Quarterly periods 2021Q3-2023Q4, reports due 15 days after each quarter; evaluation at 2023-12-31,
when 2021Q3-2023Q3 are due and 2023Q4 is not yet.

- 区委编办 reports every quarter on time for its four measures; it completes T15.M3 (deadline
  2022-12-31) in its 2022Q3 report.
- 区财政局 reports every quarter for its five measures, 2022Q1 late for all five; T8.M2 is completed
  in 2022Q4; T20.M1 is reported 滞后 in 2023Q3.
- 区人力资源社会保障局 reports T9.M2, T9.M3, T18.M1, T18.M2 every quarter except T18.M2 in 2023Q3;
  its 2023Q3 report on T9.M2 is returned by the office and resubmitted. Nobody reports T10.M1 or T16.M1.
- Values for five linked targets of 仓山区 (org unit 350104).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from yigai.bootstrap import App, build
from yigai.data import seed_paths
from yigai.domain.periods import periods_between
from yigai.domain.users import User
from yigai.services.indicators import load_catalogue
from yigai.services.orgunits import load_orgunits
from yigai.services.plans import import_file
from yigai.services.reports import save_report
from yigai.services.review import resubmit_report, return_report
from yigai.services.schedules import set_schedule
from yigai.services.targets import link_target
from yigai.services.users import acting_user, create_user
from yigai.services.values import enter_value
from yigai.settings import Settings

TZ = dt.timezone(dt.timedelta(hours=8))
REGION = "350104"
DUE_PERIODS = [p.id for p in periods_between("2021Q3", "2023Q3")]
AT = dt.date(2023, 12, 31)

BIANBAN = "区委编办"
CAIZHENG = "区财政局"
RENSHE = "区人力资源社会保障局"

# (indicator code, metric of the plan's target) → quarterly or yearly values for 仓山区
VALUES = {
    ("REFERRAL_BOOKED_SHARE", "预约转诊占公立医院门诊就诊量"): {"2022Q4": 24, "2023Q1": 26, "2023Q2": 27, "2023Q3": 28},
    ("PRIMARY_STAFF_QUOTA_USE", "基层医疗卫生机构人员编制数利用率"): {"2022": 92},
    ("DOCTORS_PER_1000", "每千人口拥有执业（助理）医师数"): {"2021": 3.2, "2022": 3.4, "2023": 3.6},
    ("BEDS_PER_1000", "每千人口医疗卫生机构床位数"): {"2021": 5.0, "2022": 5.2, "2023": 5.3},
    ("OUT_OF_CATALOGUE_SHARE", "公立医院医保目录外费用控制比例"): {"2023Q3": 9.5},
}


@dataclass
class Scenario:
    app: App
    plan_id: int
    admin: User


def _when(period_id: str, days_after_end: int) -> dt.datetime:
    from yigai.domain.periods import parse_period

    end = parse_period(period_id).end + dt.timedelta(days=days_after_end)
    return dt.datetime(end.year, end.month, end.day, 10, 0, tzinfo=TZ)


def build_scenario(data_dir: Path) -> Scenario:
    app = build(Settings.from_env({}, data_dir=data_dir))
    uow = app.uow
    admin = acting_user(uow())
    plan_id = import_file(uow(), seed_paths()[4]).plan_id
    load_orgunits(uow(), admin)
    load_catalogue(uow(), admin)
    set_schedule(uow(), admin, plan_id, "quarterly", "2021Q3", "2023Q4", 15)
    users = {
        name: create_user(uow(), admin, login, name, "department_reporter", departments=[name])
        for login, name in (("bianban", BIANBAN), ("caizheng", CAIZHENG), ("renshe", RENSHE))
    }

    def report(dept: str, item: str, period: str, status: str, percent: float, days: int = 5) -> None:
        save_report(
            uow(),
            users[dept],
            plan_id,
            item,
            period,
            dept,
            status,
            percent,
            narrative=f"{period} 进展",
            submit=True,
            now=_when(period, days),
        )

    for i, period in enumerate(DUE_PERIODS):
        # 区委编办: on time, every quarter; T15.M3 completed in 2022Q3 and owes nothing after
        for item in ("T8.M3", "T9.M1", "T15.M2"):
            report(BIANBAN, item, period, "推进中", min(20 + 5 * i, 70))
        if period <= "2022Q3":
            done = period == "2022Q3"
            report(BIANBAN, "T15.M3", period, "已完成" if done else "推进中", 100 if done else 30 + 10 * i)
        # 区财政局: 2022Q1 late (30 days after quarter end); T8.M2 completed in 2022Q4; T20.M1 behind in 2023Q3
        days = 30 if period == "2022Q1" else 5
        for item in ("T8.M1", "T11.M1", "T27.M1"):
            report(CAIZHENG, item, period, "推进中", 60, days)
        if period <= "2022Q4":
            done = period == "2022Q4"
            report(CAIZHENG, "T8.M2", period, "已完成" if done else "推进中", 100 if done else 40 + 5 * i, days)
        report(CAIZHENG, "T20.M1", period, "滞后" if period == "2023Q3" else "推进中", 50, days)
        # 区人力资源社会保障局: T18.M2 missing in 2023Q3; T9.M2 2023Q3 returned and resubmitted
        for item in ("T9.M2", "T9.M3", "T18.M1"):
            report(RENSHE, item, period, "推进中", 50)
        if period != "2023Q3":
            report(RENSHE, "T18.M2", period, "推进中", 50)
    return_report(uow(), admin, plan_id, "T9.M2", "2023Q3", "请补充疾控中心专技岗位比例数据", now=_when("2023Q3", 8))
    resubmit_report(uow(), users[RENSHE], plan_id, "T9.M2", "2023Q3", now=_when("2023Q3", 12))

    targets = _target_indexes(app, plan_id)
    for (code, metric), series in VALUES.items():
        link_target(uow(), admin, plan_id, targets[metric], code)
        for period, value in series.items():
            enter_value(uow(), admin, code, REGION, period, value, plan_ref=plan_id)
    return Scenario(app, plan_id, admin)


def _target_indexes(app: App, plan_id: int) -> dict[str, int]:
    from yigai.services.plans import get_plan

    draft = get_plan(app.uow(), plan_id).draft
    return {t.metric: i for i, t in reversed(list(enumerate(draft.targets)))}
