"""The review desk page (审核台): the filters as typed in the URL, one page of reports, the choices."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from yigai.domain.ids import parse_id
from yigai.domain.reports import ReviewState
from yigai.services.errors import InvalidInputError
from yigai.services.review_desk import STATE_LABELS, TIMELINESS_LABELS, DeskEntry, DeskFilter, Facet, Pick, desk
from yigai.storage.uow import UnitOfWork
from yigai.web.viewmodels.common import item_url

PAGE_SIZE = 50
ALL = "all"


@dataclass(frozen=True, slots=True)
class DeskQuery:
    """The filters as the page's form and links carry them (strings; empty: any)."""

    plan: str = ""
    dept: str = ""
    period: str = ""
    state: str = ReviewState.SUBMITTED.value  # or "returned", "accepted", "all"
    when: str = ""  # "on_time" or "late"
    page: int = 1

    def to_filter(self) -> DeskFilter:
        plan_id = parse_id(self.plan) if self.plan else None
        if self.plan and plan_id is None:
            raise InvalidInputError(
                f"not a plan id: {self.plan!r}", message_zh=f"计划编号「{self.plan}」无效", where="plan"
            )
        states = {s.value: s for s in STATE_LABELS}
        if self.state != ALL and self.state not in states:
            raise InvalidInputError(
                f"unknown state {self.state!r}", message_zh=f"审核状态「{self.state}」无效", where="state"
            )
        whens = {t.value: t for t in TIMELINESS_LABELS}
        if self.when and self.when not in whens:
            raise InvalidInputError(
                f"unknown timeliness {self.when!r}", message_zh=f"报送时效「{self.when}」无效", where="when"
            )
        return DeskFilter(
            plan_id,
            self.dept.strip(),
            self.period.strip(),
            None if self.state == ALL else states[self.state],
            whens[self.when] if self.when else None,
        )

    def fields(self) -> dict[str, str]:
        """The filters as hidden form fields (a batch comes back to the same view)."""
        return {
            "plan": self.plan,
            "dept": self.dept,
            "period": self.period,
            "state": self.state,
            "when": self.when,
            "page": str(self.page),
        }

    def url(self, **changes: str | int) -> str:
        values: dict[str, str | int] = {**self.fields(), **changes}
        kept = {k: v for k, v in values.items() if v != "" and not (k == "page" and str(v) == "1")}
        return "/review?" + urlencode(kept)


@dataclass(slots=True)
class DeskRow:
    entry: DeskEntry
    key: str  # plan|item|period|version: what a batch names
    url: str

    @property
    def reviewable(self) -> bool:
        return self.entry.report.state is ReviewState.SUBMITTED


@dataclass(slots=True)
class DeskPage:
    query: DeskQuery
    rows: list[DeskRow]
    total: int
    pages: int
    at: dt.date
    plans: list[Facet]
    departments: list[Facet]
    periods: list[Facet]
    states: list[tuple[str, str]] = field(
        default_factory=lambda: [*((s.value, label) for s, label in STATE_LABELS.items()), (ALL, "全部")]
    )
    whens: list[tuple[str, str]] = field(
        default_factory=lambda: [(t.value, label) for t, label in TIMELINESS_LABELS.items()]
    )

    @property
    def reviewable(self) -> int:
        return sum(1 for r in self.rows if r.reviewable)


def row_key(entry: DeskEntry) -> str:
    return f"{entry.plan_id}|{entry.item.item_id}|{entry.period.id}|{entry.report.version}"


def parse_key(key: str, comment: str = "") -> Pick:
    """``1|T4.M2|2023Q4|3`` → a Pick; refused with the value named when it is not one."""
    parts = key.split("|")
    plan_id, version = (parse_id(parts[0]), parse_id(parts[3])) if len(parts) == 4 else (None, None)
    if plan_id is None or version is None:
        raise InvalidInputError(f"not a report reference: {key!r}", message_zh=f"报告标识「{key}」无效", where="items")
    return Pick(plan_id, parts[1], parts[2], version, comment)


def desk_page(uow: UnitOfWork, query: DeskQuery, at: dt.date) -> DeskPage:
    found = desk(uow, query.to_filter(), at=at)
    pages = max(1, -(-len(found.entries) // PAGE_SIZE))
    page = min(max(1, query.page), pages)
    shown = found.entries[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    rows = [DeskRow(e, row_key(e), f"{item_url(e.plan_id, e.item)}?period={e.period.id}#history") for e in shown]
    return DeskPage(
        DeskQuery(query.plan, query.dept, query.period, query.state, query.when, page),
        rows,
        len(found.entries),
        pages,
        at,
        found.plans,
        found.departments,
        found.periods,
    )
