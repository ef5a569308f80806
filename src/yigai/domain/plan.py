"""Plan structure as extracted from a policy document.

Every extracted field keeps a ``Span`` into the *original* text (the decoded
document before any normalisation) so a reviewer can see where it came from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Span:
    """Half-open character range ``[start, end)`` in the original text."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.start < 0 or self.end < self.start:
            raise ValueError(f"invalid span {self.start}..{self.end}")


Provenance = dict[str, Span]


class DeadlineKind(StrEnum):
    DATE = "date"
    CONTINUOUS = "continuous"  # 持续实施 / 持续推进 / 长期坚持
    BY_SCHEDULE = "by_schedule"  # 按序时进度
    BY_SUPERIORS = "by_superiors"  # 按国家、省、市部署
    ADJUST_AS_NEEDED = "adjust_as_needed"  # 适时调整
    UNSPECIFIED = "unspecified"  # the document gives none


@dataclass(slots=True)
class Deadline:
    kind: DeadlineKind
    date: dt.date | None = None
    raw: str = ""
    span: Span | None = None


class Category(StrEnum):
    MEASURE = "措施类"
    POLICY = "政策类"
    INDICATOR = "指标类"


class Comparator(StrEnum):
    GE = "≥"
    LE = "≤"
    EQ = "="
    APPROX = "≈"
    RANGE = "range"


class TargetAttribute(StrEnum):
    BINDING = "约束性"
    EXPECTED = "预期性"


class DepartmentKind(StrEnum):
    DEPARTMENT = "department"
    GROUP = "group"  # 各镇街（园区）, 各成员单位, 区直有关部门 …


@dataclass(slots=True)
class DepartmentRef:
    """A department as named in the document and as normalised."""

    name: str  # canonical
    raw: str  # as printed
    kind: DepartmentKind = DepartmentKind.DEPARTMENT
    known: bool = True  # found in the alias table
    span: Span | None = None


@dataclass(slots=True)
class Responsibility:
    lead: list[DepartmentRef] = field(default_factory=list)
    cooperating: list[DepartmentRef] = field(default_factory=list)
    lead_and_others: bool = False  # the list ended with 等
    cooperating_and_others: bool = False
    raw: str = ""
    span: Span | None = None

    @property
    def is_empty(self) -> bool:
        return not self.lead and not self.cooperating


@dataclass(slots=True)
class Section:
    id: str
    level: int  # 1 = 一、, 2 = （一）, … by order of appearance
    marker: str  # as printed, e.g. "（三）"
    number: int | None
    title: str
    span: Span
    children: list[Section] = field(default_factory=list)


@dataclass(slots=True)
class Target:
    raw: str
    metric: str
    comparator: Comparator | None
    value: float | None
    value_high: float | None = None
    unit: str = ""
    scope: str = ""  # 统计口径
    attribute: TargetAttribute | None = None
    baseline: float | None = None
    baseline_year: int | None = None
    due: dt.date | None = None
    task: str | None = None  # id of the task it belongs to
    observed: float | None = None  # a reported actual, e.g. 表1's 2020 value
    observed_raw: str = ""
    observed_period: str = ""
    source: str = "text"  # "text" or "table:<caption>"
    span: Span | None = None
    provenance: Provenance = field(default_factory=dict)
    implicit: bool = False  # 全覆盖 / 全部 / 所有…达到: a 100 % the words imply, no figure printed


@dataclass(slots=True)
class Measure:
    id: str
    no: str
    text: str
    responsibility: Responsibility = field(default_factory=Responsibility)
    deadline: Deadline = field(default_factory=lambda: Deadline(DeadlineKind.UNSPECIFIED))
    categories: list[Category] = field(default_factory=list)
    span: Span | None = None
    provenance: Provenance = field(default_factory=dict)


@dataclass(slots=True)
class Task:
    id: str
    no: str  # as printed: "3", "（十七）", or "" for an unnumbered lead phrase
    path: list[str]  # titles of the enclosing sections, outermost first
    section_id: str | None
    title: str
    text: str
    responsibility: Responsibility = field(default_factory=Responsibility)
    deadline: Deadline = field(default_factory=lambda: Deadline(DeadlineKind.UNSPECIFIED))
    categories: list[Category] = field(default_factory=list)
    categories_inferred: bool = True
    measures: list[Measure] = field(default_factory=list)
    span: Span | None = None
    provenance: Provenance = field(default_factory=dict)


@dataclass(slots=True)
class Project:
    """A row of an appendix project list that is not a measure of a task."""

    no: str
    group: str
    text: str
    responsibility: Responsibility = field(default_factory=Responsibility)
    span: Span | None = None


class PlanLevel(StrEnum):
    PROVINCE = "province"
    CITY = "city"
    DISTRICT = "district"
    UNKNOWN = "unknown"


class PlanType(StrEnum):
    WORK_PLAN = "工作方案"
    IMPLEMENTATION_PLAN = "实施方案"
    FIVE_YEAR_PLAN = "规划"
    OPINION = "意见"
    ACTION_PLAN = "行动计划"
    OTHER = "其他"


@dataclass(slots=True)
class PlanMeta:
    title: str = ""
    issuer: str = ""
    doc_number: str = ""
    date: dt.date | None = None
    region: str = ""
    level: PlanLevel = PlanLevel.UNKNOWN
    type: PlanType = PlanType.OTHER
    valid_until: dt.date | None = None
    provenance: Provenance = field(default_factory=dict)


@dataclass(slots=True)
class ParseWarning:
    code: str
    message: str
    span: Span | None = None


@dataclass(slots=True)
class PlanDraft:
    """The parser's output: a plan a reviewer can correct before publishing."""

    source_name: str
    source_format: str
    source_text: str  # the original text every Span points into
    sha256: str
    meta: PlanMeta = field(default_factory=PlanMeta)
    sections: list[Section] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)

    def task(self, task_id: str) -> Task:
        for t in self.tasks:
            if t.id == task_id:
                return t
        raise KeyError(task_id)

    def measures(self) -> list[Measure]:
        return [m for t in self.tasks for m in t.measures]


def copy_draft(draft: PlanDraft) -> PlanDraft:
    """A deep copy that shares only what cannot change (spans, dates, enums, strings).

    Five times faster than ``copy.deepcopy``: what a cache hands each reader of a plan.
    """

    def ref(r: DepartmentRef) -> DepartmentRef:
        return DepartmentRef(name=r.name, raw=r.raw, kind=r.kind, known=r.known, span=r.span)

    def resp(r: Responsibility) -> Responsibility:
        return Responsibility(
            lead=[ref(x) for x in r.lead],
            cooperating=[ref(x) for x in r.cooperating],
            lead_and_others=r.lead_and_others,
            cooperating_and_others=r.cooperating_and_others,
            raw=r.raw,
            span=r.span,
        )

    def deadline(d: Deadline) -> Deadline:
        return Deadline(kind=d.kind, date=d.date, raw=d.raw, span=d.span)

    def section(s: Section) -> Section:
        return Section(
            id=s.id,
            level=s.level,
            marker=s.marker,
            number=s.number,
            title=s.title,
            span=s.span,
            children=[section(c) for c in s.children],
        )

    def measure(m: Measure) -> Measure:
        return Measure(
            id=m.id,
            no=m.no,
            text=m.text,
            responsibility=resp(m.responsibility),
            deadline=deadline(m.deadline),
            categories=list(m.categories),
            span=m.span,
            provenance=dict(m.provenance),
        )

    def task(t: Task) -> Task:
        return Task(
            id=t.id,
            no=t.no,
            path=list(t.path),
            section_id=t.section_id,
            title=t.title,
            text=t.text,
            responsibility=resp(t.responsibility),
            deadline=deadline(t.deadline),
            categories=list(t.categories),
            categories_inferred=t.categories_inferred,
            measures=[measure(m) for m in t.measures],
            span=t.span,
            provenance=dict(t.provenance),
        )

    def target(t: Target) -> Target:
        return Target(
            raw=t.raw,
            metric=t.metric,
            comparator=t.comparator,
            value=t.value,
            value_high=t.value_high,
            unit=t.unit,
            scope=t.scope,
            attribute=t.attribute,
            baseline=t.baseline,
            baseline_year=t.baseline_year,
            due=t.due,
            task=t.task,
            observed=t.observed,
            observed_raw=t.observed_raw,
            observed_period=t.observed_period,
            source=t.source,
            span=t.span,
            provenance=dict(t.provenance),
            implicit=t.implicit,
        )

    m = draft.meta
    return PlanDraft(
        source_name=draft.source_name,
        source_format=draft.source_format,
        source_text=draft.source_text,
        sha256=draft.sha256,
        meta=PlanMeta(
            title=m.title,
            issuer=m.issuer,
            doc_number=m.doc_number,
            date=m.date,
            region=m.region,
            level=m.level,
            type=m.type,
            valid_until=m.valid_until,
            provenance=dict(m.provenance),
        ),
        sections=[section(s) for s in draft.sections],
        tasks=[task(t) for t in draft.tasks],
        projects=[
            Project(no=p.no, group=p.group, text=p.text, responsibility=resp(p.responsibility), span=p.span)
            for p in draft.projects
        ],
        targets=[target(t) for t in draft.targets],
        warnings=[ParseWarning(code=w.code, message=w.message, span=w.span) for w in draft.warnings],
    )
