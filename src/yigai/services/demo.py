"""The demo district: 仓山区 with the five built-in plans, people and a plausible history.

``build_demo(uow, evidence)`` fills an empty database through the same services the product
uses: the five seed plans imported (published), the 福建省 → 福州市 → 仓山区 org units,
the indicator catalogue, a reporting schedule per plan, one user per role with a
password (demo only) and reporters for the other departments (no password: they
cannot sign in), then a history that reads like a real office's:

- seed 004 (仓山区实施方案): quarterly reporting for the last six quarters and the next
  three; every lead department reports each quarter, most on time, some late (区财政局 a
  whole quarter), a few missing (区市场监管局 skipped the last quarter); items with a past
  deadline are mostly completed, some behind; older reports are accepted, the last
  quarter's await review; one 区医保局 report was returned and resubmitted, one
  区卫生健康委 report is returned and waiting; a few reports carry evidence files and a few
  drafts are started for the current quarter. Eleven targets are linked to indicators
  with five years of values for 仓山区, two of them quarterly; the 社区卫生服务中心's
  reporter entered its family-doctor coverage (and corrected one quarter).
- seed 003 (杨浦区工作方案): the same, lighter, over its last three quarters.
- seeds 000, 001, 002: schedules starting now (quarterly, yearly, half-yearly): nothing due yet.

Everything is relative to ``today`` (default: now), so the demo always looks current,
and seeded, so two builds on the same day are the same.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from yigai import clock
from yigai.data import seed_paths
from yigai.domain.periods import Period, PeriodType, period_containing
from yigai.domain.plan import DeadlineKind, DepartmentKind, PlanDraft
from yigai.domain.reports import ProgressStatus, ReviewState
from yigai.domain.users import Role, User
from yigai.services.auth import set_password
from yigai.services.evidence import EvidenceUpload
from yigai.services.indicators import load_catalogue
from yigai.services.items import ReportItem, report_items
from yigai.services.orgunits import load_orgunits
from yigai.services.plans import get_plan, import_file, list_plans
from yigai.services.reports import save_in
from yigai.services.review import move_in
from yigai.services.schedules import set_schedule
from yigai.services.targets import link_target
from yigai.services.users import acting_user, create_user
from yigai.services.values import enter_value
from yigai.settings import Settings
from yigai.storage.evidence_store import EvidenceStore
from yigai.storage.repository import PlanSummary
from yigai.storage.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]  # a fresh unit of work per call, as App.uow
DEMO_DATABASE = "demo.sqlite3"
DISTRICT = "350104"  # 仓山区
CLINIC = "350104001-01"  # 仓前街道社区卫生服务中心
HEALTH, INSURANCE, FINANCE, MARKET = "区卫生健康委", "区医保局", "区财政局", "区市场监管局"
DUE_DAYS = 15
SETTLE_DAYS = 10  # a quarter that ended less than this long ago has no reports yet


@dataclass(frozen=True, slots=True)
class DemoUser:
    username: str
    display_name: str
    role: Role
    password: str
    scope: str = ""  # the department or org unit a reporter writes for


DEMO_USERS = (
    DemoUser("admin", "医改办管理员", Role.OFFICE_ADMIN, "demo-admin", "仓山区医改办"),
    DemoUser("wjw", "区卫生健康委填报员", Role.DEPARTMENT_REPORTER, "demo-wjw", HEALTH),
    DemoUser("ybj", "区医保局填报员", Role.DEPARTMENT_REPORTER, "demo-ybj", INSURANCE),
    DemoUser("cqsq", "仓前街道社区卫生服务中心填报员", Role.INSTITUTION_REPORTER, "demo-cqsq", CLINIC),
    DemoUser("leader", "区领导", Role.VIEWER, "demo-leader", "只读"),
)

# 仓山区 targets of seed 004 (by the metric the parser extracts) → indicator, and five yearly values
# (oldest first) or, for the quarterly ones, a start value and a step per quarter.
YEARLY_VALUES = {
    "每千人口拥有执业（助理）医师数": ("DOCTORS_PER_1000", [3.21, 3.34, 3.45, 3.52, 3.61]),
    "每千人口医疗卫生机构床位数": ("BEDS_PER_1000", [5.02, 5.31, 5.58, 5.80, 6.04]),
    "政策范围内报销比例": ("REIMBURSEMENT_RATIO", [66.2, 67.5, 68.4, 69.3, 70.1]),
    "个人卫生支出占卫生总费用比重": ("OOP_SHARE", [28.6, 27.9, 26.8, 26.1, 25.4]),
    "孕产妇死亡率": ("MATERNAL_MORTALITY", [9.8, 11.2, 8.5, 10.1, 7.9]),
    "每万城乡居民拥有全科医生数": ("GP_PER_10000", [2.8, 3.2, 3.5, 3.9, 4.2]),
    "基层医疗卫生机构人员编制数利用率": ("PRIMARY_STAFF_QUOTA_USE", [86.0, 88.5, 90.2, 91.4, 92.8]),
    "基层医疗卫生机构提升建设为社区医院的比例": ("CHC_UPGRADE_SHARE", [5.0, 10.0, 15.0, 15.0, 20.0]),
    "特需服务占医院全部医疗服务业务量比例": ("PREMIUM_SERVICE_SHARE", [6.5, 7.2, 7.9, 8.4, 8.8]),
}
QUARTERLY_VALUES = {
    "预约转诊占公立医院门诊就诊量": ("REFERRAL_BOOKED_SHARE", 24.0, 0.7),
    "公立医院医保目录外费用控制比例": ("OUT_OF_CATALOGUE_SHARE", 13.6, -0.35),
}

NARRATIVES = {
    ProgressStatus.IN_PROGRESS: (
        "已召开专题推进会，明确责任分工和时间节点，各项工作按计划推进。",
        "已制定工作方案并印发实施，正在组织各相关单位落实。",
        "会同相关部门开展调研督导，收集问题清单并逐项整改。",
        "已完成阶段性目标，正在总结经验并在全区推广。",
    ),
    ProgressStatus.COMPLETED: ("各项任务已全部完成，相关制度文件已印发，转入常态化管理。",),
    ProgressStatus.DELAYED: ("受人员和经费制约，进度滞后于计划，已向分管领导专题汇报。",),
    ProgressStatus.BLOCKED: ("需市级部门出台配套政策后方可推进，已行文请示。",),
}
PROBLEMS = ("专业技术人员不足。", "配套资金尚未到位。", "部门间数据共享机制有待完善。", "基层机构信息化水平不高。")
NEXT_STEPS = (
    "下一步将加强督导，确保按期完成。",
    "下季度完成方案修订并报区医改办。",
    "加强与市级部门对接，争取政策支持。",
)


@dataclass(frozen=True, slots=True)
class DemoSummary:
    today: dt.date
    plans: list[PlanSummary]
    users: tuple[DemoUser, ...]
    schedules: dict[int, str]  # plan id → "quarterly 2025Q2–2026Q4"
    reports: int  # report versions written
    values: int
    resubmitted: str  # plan/item/period of the 区医保局 report returned and resubmitted
    returned: str  # plan/item/period of the 区卫生健康委 report returned, awaiting resubmission
    missing: list[str] = field(default_factory=list)  # plan/item/period of 区卫生健康委's missing reports


def demo_settings(folder: Path) -> Settings:
    """Settings of a demo under ``folder``: its own SQLite file there, whatever YIGAI_DATABASE_URL says."""
    database = folder / DEMO_DATABASE
    return Settings.from_env(data_dir=folder, database_url=f"sqlite:///{database.as_posix()}")


def quarters(today: dt.date) -> tuple[Period, list[Period]]:
    """The current quarter and the quarters before it that are settled enough to carry reports."""
    current = period_containing(PeriodType.QUARTERLY, today)
    ended = [current.previous()]
    while len(ended) < 6:
        ended.insert(0, ended[0].previous())
    if ended[-1].end + dt.timedelta(days=SETTLE_DAYS) > today:
        ended = ended[:-1]  # the quarter just ended: nothing reported yet
    return current, ended


def build_demo(uow: UowFactory, evidence: EvidenceStore, *, today: dt.date | None = None) -> DemoSummary:
    """Fill the (empty) database behind ``uow`` with the demo district; evidence files go to ``evidence``."""
    now = clock.now() if today is None else dt.datetime.combine(today, dt.time(18), tzinfo=clock.OFFICE_TZ)
    day = now.date()
    admin = acting_user(uow())
    plan_ids = [import_file(uow(), path).plan_id for path in seed_paths()]
    load_orgunits(uow(), admin)
    load_catalogue(uow(), admin)
    current, ended = quarters(day)
    start = dt.datetime.combine(ended[0].start, dt.time(9), tzinfo=clock.OFFICE_TZ)
    reporters, clinic = _people(uow, admin, [get_plan(uow(), plan_ids[i]).draft for i in (3, 4)], start)

    schedules = {
        plan_ids[4]: ("quarterly", ended[0].id, _shift(current, 2).id),
        plan_ids[3]: ("quarterly", ended[-3].id, _shift(current, 2).id),
        plan_ids[0]: ("quarterly", current.id, _shift(current, 4).id),
        plan_ids[1]: ("yearly", str(day.year), str(day.year + 1)),
        plan_ids[2]: ("six_monthly", period_containing(PeriodType.SIX_MONTHLY, day).id, f"{day.year + 1}S2"),
    }
    for plan_id, (ptype, first, last) in schedules.items():
        set_schedule(uow(), admin, plan_id, ptype, first, last, DUE_DAYS, now=start)

    history = _History(uow, evidence, admin, reporters, now, random.Random(2021))
    history.run(plan_ids[4], ended, current)
    history.run(plan_ids[3], ended[-3:], current, drafts=False)
    values = _values(uow, admin, clinic, plan_ids[4], ended, day)
    for user in DEMO_USERS:
        set_password(uow(), admin, user.username, user.password, now=start)
    return DemoSummary(
        today=day,
        plans=list_plans(uow()),
        users=DEMO_USERS,
        schedules={pid: f"{ptype} {first}–{last}" for pid, (ptype, first, last) in schedules.items()},
        reports=history.written,
        values=values,
        resubmitted=history.resubmitted,
        returned=history.returned,
        missing=history.missing_health,
    )


def _shift(period: Period, n: int) -> Period:
    for _ in range(n):
        period = period.next()
    return period


def _people(uow: UowFactory, admin: User, drafts: list[PlanDraft], at: dt.datetime) -> tuple[dict[str, User], User]:
    """The demo users, then a reporter (without a password) for every other lead department.

    Returns the department reporters by department and the 社区卫生服务中心's reporter.
    """
    created = {
        demo.username: create_user(
            uow(),
            admin,
            demo.username,
            demo.display_name,
            demo.role,
            now=at,
            departments=[demo.scope] if demo.role is Role.DEPARTMENT_REPORTER else [],
            org_units=[demo.scope] if demo.role is Role.INSTITUTION_REPORTER else [],
        )
        for demo in DEMO_USERS[1:]
    }
    reporters = {next(iter(u.departments)): u for u in created.values() if u.role is Role.DEPARTMENT_REPORTER}
    leads = sorted(
        {
            ref.name
            for d in drafts
            for t in d.tasks
            for r in (t.responsibility, *(m.responsibility for m in t.measures))
            for ref in r.lead
            if ref.kind is DepartmentKind.DEPARTMENT
        }
    )
    for n, dept in enumerate(d for d in leads if d not in reporters):
        reporters[dept] = create_user(
            uow(), admin, f"dept{n + 1:02d}", f"{dept}填报员", Role.DEPARTMENT_REPORTER, departments=[dept], now=at
        )
    return reporters, created["cqsq"]


class _History:
    """Progress reports of one plan over its settled quarters, in one transaction per plan."""

    def __init__(
        self,
        uow: UowFactory,
        store: EvidenceStore,
        admin: User,
        users: dict[str, User],
        now: dt.datetime,
        rng: random.Random,
    ) -> None:
        self.uow, self.store, self.admin, self.users, self.now, self.rng = uow, store, admin, users, now, rng
        self.written = 0
        self.resubmitted = self.returned = ""
        self.missing_health: list[str] = []

    def _at(self, day: dt.date) -> dt.datetime:
        moment = dt.datetime.combine(
            day, dt.time(self.rng.randint(9, 17), self.rng.randint(0, 59)), tzinfo=clock.OFFICE_TZ
        )
        return min(moment, self.now - dt.timedelta(hours=1))

    def run(self, plan_id: int, ended: list[Period], current: Period, *, drafts: bool = True) -> None:
        draft = get_plan(self.uow(), plan_id).draft
        items = [(item, self._reporter(item)) for item in report_items(draft)]
        items = [(item, dept) for item, dept in items if dept]
        pace = {
            item.item_id: (self.rng.randint(5, 30), self.rng.randint(6, 14), self.rng.random() < 0.12)
            for item, _ in items
        }
        done: set[str] = set()
        # one 区卫生健康委 item with no deadline of its own always misses the last quarter (the dashboard shows it)
        showcase = next((i.item_id for i, d in items if d == HEALTH and i.deadline.kind is not DeadlineKind.DATE), "")
        with self.uow() as uow:
            for n, period in enumerate(ended):
                last = n == len(ended) - 1
                for item, dept in items:
                    if item.item_id in done:
                        continue
                    if self._missing(dept, period, last) or (last and item.item_id == showcase):
                        if dept == HEALTH and last:
                            self.missing_health.append(f"{plan_id}/{item.item_id}/{period.id}")
                        continue
                    status, percent = self._progress(item, period, n, pace[item.item_id])
                    submitted = self._submit(uow, plan_id, item, dept, period, n, len(ended), status, percent)
                    if status is ProgressStatus.COMPLETED:
                        done.add(item.item_id)
                    self._review(
                        uow,
                        plan_id,
                        item,
                        dept,
                        period,
                        n,
                        len(ended),
                        submitted,
                        completed=status is ProgressStatus.COMPLETED,
                    )
            if drafts:
                for item, dept in [(i, d) for i, d in items if d == HEALTH and i.item_id not in done][:3]:
                    save_in(
                        uow,
                        self.users[dept],
                        plan_id,
                        item.item_id,
                        current.id,
                        dept,
                        ProgressStatus.IN_PROGRESS,
                        60,
                        narrative=NARRATIVES[ProgressStatus.IN_PROGRESS][0],
                        submit=False,
                        at=self._at(max(current.start, self.now.date() - dt.timedelta(days=2))),
                    )
                    self.written += 1
            uow.commit()

    def _reporter(self, item: ReportItem) -> str:
        """One of the item's lead departments writes its report (each co-lead in turn across items)."""
        leads = [d for d in item.lead if d in self.users]
        return self.rng.choice(leads) if leads else ""

    def _missing(self, dept: str, period: Period, last: bool) -> bool:
        if dept == MARKET and last:
            return True  # 区市场监管局 has not reported the last quarter at all
        return self.rng.random() < 0.05

    def _progress(
        self, item: ReportItem, period: Period, n: int, pace: tuple[int, int, bool]
    ) -> tuple[ProgressStatus, float]:
        first, step, laggard = pace
        percent = float(min(95, first + step * n))
        deadline = item.deadline.date if item.deadline.kind is DeadlineKind.DATE else None
        if deadline is not None and deadline <= period.end:
            return (ProgressStatus.DELAYED, float(min(percent, 85))) if laggard else (ProgressStatus.COMPLETED, 100.0)
        if laggard and n >= 2:
            return (ProgressStatus.BLOCKED if self.rng.random() < 0.3 else ProgressStatus.DELAYED), percent
        return ProgressStatus.IN_PROGRESS, percent

    def _submit(
        self,
        uow: UnitOfWork,
        plan_id: int,
        item: ReportItem,
        dept: str,
        period: Period,
        n: int,
        count: int,
        status: ProgressStatus,
        percent: float,
    ) -> dt.datetime:
        late = self.rng.random() < 0.08 or (dept == FINANCE and n == count - 3)
        due = period.end + dt.timedelta(days=DUE_DAYS)
        day = (
            due + dt.timedelta(days=self.rng.randint(3, 25))
            if late
            else period.end + dt.timedelta(days=self.rng.randint(1, DUE_DAYS - 1))
        )
        at = self._at(day)
        evidence = []
        if n == count - 1 and self.rng.random() < 0.08:
            evidence = [
                EvidenceUpload(
                    f"{period.id}-{item.item_id}-工作推进会议纪要.txt",
                    (
                        f"{period.label}{dept}工作推进会议纪要\n事项：{item.title[:60]}\n"
                        f"会议研究了推进措施，明确了责任分工。\n"
                    ).encode(),
                )
            ]
        problems = (
            self.rng.choice(PROBLEMS) if status is not ProgressStatus.COMPLETED and self.rng.random() < 0.4 else ""
        )
        save_in(
            uow,
            self.users[dept],
            plan_id,
            item.item_id,
            period.id,
            dept,
            status,
            percent,
            narrative=f"{period.label}：{self.rng.choice(NARRATIVES[status])}",
            problems=problems,
            next_steps=self.rng.choice(NEXT_STEPS) if status is not ProgressStatus.COMPLETED else "",
            submit=True,
            evidence=evidence,
            store=self.store if evidence else None,
            at=at,
        )
        self.written += 1
        return at

    def _review(
        self,
        uow: UnitOfWork,
        plan_id: int,
        item: ReportItem,
        dept: str,
        period: Period,
        n: int,
        count: int,
        submitted: dt.datetime,
        *,
        completed: bool,
    ) -> None:
        key = (plan_id, item.item_id, period.id)
        if n == count - 1:  # the last quarter awaits review, but for two stories
            if dept == INSURANCE and not self.resubmitted:
                self._move(
                    uow,
                    self.admin,
                    key,
                    ReviewState.RETURNED,
                    submitted + dt.timedelta(days=3),
                    "请补充医保基金监管专项检查的具体数据。",
                )
                report = uow.reports.latest(*key)
                assert report is not None
                save_in(
                    uow,
                    self.users[dept],
                    plan_id,
                    item.item_id,
                    period.id,
                    dept,
                    report.status,
                    report.percent,
                    narrative=report.narrative + "已补充专项检查数据（见附件）。",
                    problems=report.problems,
                    next_steps=report.next_steps,
                    submit=True,
                    store=self.store,
                    evidence=[
                        EvidenceUpload(
                            "医保基金监管专项检查情况.txt",
                            (
                                f"{period.label}医保基金监管专项检查情况\n检查定点医药机构 126 家，"
                                "追回违规基金 86.4 万元。\n"
                            ).encode(),
                        )
                    ],
                    at=self._at((submitted + dt.timedelta(days=5)).date()),
                )
                self.written += 1
                self.resubmitted = "/".join(map(str, key))
            elif dept == HEALTH and not self.returned:
                self._move(
                    uow,
                    self.admin,
                    key,
                    ReviewState.RETURNED,
                    submitted + dt.timedelta(days=2),
                    "请补充佐证材料（会议纪要或文件）。",
                )
                self.returned = "/".join(map(str, key))
            return
        if n == count - 2 and not completed and self.rng.random() < 0.3:
            return  # still waiting for the office (a completion is always confirmed: it ends the reporting)
        self._move(uow, self.admin, key, ReviewState.ACCEPTED, submitted + dt.timedelta(days=self.rng.randint(3, 12)))

    def _move(
        self,
        uow: UnitOfWork,
        user: User,
        key: tuple[int, str, str],
        target: ReviewState,
        when: dt.datetime,
        comment: str = "",
    ) -> None:
        plan_id, item_id, period_id = key
        what = {
            ReviewState.RETURNED: ("return the report", "退回报告", "report.return", True),
            ReviewState.ACCEPTED: ("accept the report", "采纳报告", "report.accept", True),
            ReviewState.SUBMITTED: ("resubmit", "重新提交", "report.resubmit", False),
        }[target]
        move_in(
            uow,
            user,
            plan_id,
            item_id,
            period_id,
            target,
            action=what[2],
            what=what[0],
            what_zh=what[1],
            comment=comment,
            review=what[3],
            at=self._at(when.date()),
        )
        self.written += 1


def _years(day: dt.date) -> list[str]:
    return [str(day.year - k) for k in range(5, 0, -1)]


def _values(uow: UowFactory, admin: User, clinic: User, plan_id: int, ended: list[Period], day: dt.date) -> int:
    """Linked targets of seed 004 with their values for 仓山区; the clinic's family-doctor coverage."""
    targets = {t.metric: i for i, t in reversed(list(enumerate(get_plan(uow(), plan_id).draft.targets)))}
    count = 0

    def enter(user: User, code: str, unit: str, period: str, value: float, when: dt.date) -> None:
        nonlocal count
        at = dt.datetime.combine(min(when, day), dt.time(10), tzinfo=clock.OFFICE_TZ)
        enter_value(uow(), user, code, unit, period, round(value, 2), now=at)
        count += 1

    for metric, (code, series) in YEARLY_VALUES.items():
        if metric in targets:
            link_target(uow(), admin, plan_id, targets[metric], code)
        for year, value in zip(_years(day), series, strict=True):
            enter(admin, code, DISTRICT, year, value, dt.date(int(year) + 1, 3, 1))
    for metric, (code, first, step) in QUARTERLY_VALUES.items():
        if metric in targets:
            link_target(uow(), admin, plan_id, targets[metric], code)
        for n, period in enumerate(ended):
            enter(admin, code, DISTRICT, period.id, first + step * n, period.end + dt.timedelta(days=20))
    for n, period in enumerate(ended):
        enter(clinic, "FD_COVERAGE", CLINIC, period.id, 38.5 + 1.6 * n, period.end + dt.timedelta(days=10))
    enter(
        clinic,
        "FD_COVERAGE",
        CLINIC,
        ended[-2].id,
        38.5 + 1.6 * (len(ended) - 2) + 0.7,
        ended[-2].end + dt.timedelta(days=30),
    )  # a corrected value: a second version
    return count


def lines(summary: DemoSummary) -> Iterator[str]:
    """What the console shows after the build (Chinese first, as the product speaks)."""
    yield (
        f"演示数据 demo data as of {summary.today.isoformat()}: {len(summary.plans)} 个计划 plans, "
        f"{summary.reports} 个报告版本 report versions, {summary.values} 个指标值 indicator values"
    )
    yield "演示用户（仅限演示）demo users (demo only):"
    for user in summary.users:
        yield f"  {user.username:<8} 密码 password {user.password:<12} {user.display_name}（{user.scope}）"
