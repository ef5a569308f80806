"""Provenance highlighting: the source text cut into segments, each marked with the fields it shows.

Every extracted field keeps a ``Span`` into the stored source text. A page shows
where a field came from by marking those characters. Marks may nest (a task's
text contains its title and its departments) or overlap, so the text is cut at
every mark boundary and each piece carries the set of marks that cover it; the
template renders one ``<mark>`` per piece with a class per kind. Long texts are
shown as excerpts: the lines around the marks, with the line numbers.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from yigai.domain.plan import DeadlineKind, DepartmentRef, Measure, PlanDraft, Span, Target, Task
from yigai.reports.bulletin_data import target_text

# Kinds of mark, in the order of precedence a piece is coloured by (first wins).
KINDS = (
    "lead",
    "cooperating",
    "deadline",
    "target",
    "title",
    "category",
    "meta",
    "warning",
    "section",
    "responsibility",
    "text",
)
KIND_LABELS = {
    "title": "标题",
    "text": "正文",
    "lead": "牵头部门",
    "cooperating": "配合部门",
    "deadline": "完成时限",
    "target": "量化目标",
    "category": "类别",
    "responsibility": "责任条款",
    "meta": "文件信息",
    "warning": "解析提示",
    "section": "章节标题",
}
META_LABELS = {
    "title": "标题",
    "issuer": "发文机关",
    "doc_number": "文号",
    "date": "成文日期",
    "valid_until": "有效期至",
}


@dataclass(frozen=True, slots=True)
class Mark:
    start: int
    end: int
    kind: str  # one of KINDS
    label: str  # shown on hover: "牵头部门：区卫生健康委"
    ref: str = ""  # anchor id of the field on the page, "" for none


@dataclass(slots=True)
class Segment:
    text: str
    kinds: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    anchors: tuple[str, ...] = ()  # refs of marks that start here

    @property
    def css(self) -> str:
        return " ".join(f"hl-{k}" for k in self.kinds)

    @property
    def title(self) -> str:
        return "；".join(self.labels)


@dataclass(slots=True)
class Excerpt:
    first_line: int  # 1-based number of the first line shown
    start: int  # character offset of the excerpt in the source
    segments: list[Segment] = field(default_factory=list)


def _valid(marks: Iterable[Mark], length: int) -> list[Mark]:
    return [m for m in marks if 0 <= m.start < m.end <= length]


def segments(text: str, marks: Sequence[Mark], start: int = 0, end: int | None = None) -> list[Segment]:
    """``text[start:end]`` cut at every mark boundary; each piece lists the marks covering it."""
    stop = len(text) if end is None else min(end, len(text))
    inside = [m for m in _valid(marks, len(text)) if m.start < stop and m.end > start]
    cuts = sorted({start, stop, *(max(m.start, start) for m in inside), *(min(m.end, stop) for m in inside)})
    out: list[Segment] = []
    for a, b in itertools.pairwise(cuts):
        covering = [m for m in inside if m.start <= a and m.end >= b]
        covering.sort(key=lambda m: (KINDS.index(m.kind) if m.kind in KINDS else len(KINDS), m.start))
        kinds = tuple(dict.fromkeys(m.kind for m in covering))
        labels = tuple(dict.fromkeys(m.label for m in covering if m.label))
        anchors = tuple(m.ref for m in inside if m.ref and max(m.start, start) == a)
        out.append(Segment(text[a:b], kinds, labels, anchors))
    return out


def excerpts(text: str, marks: Sequence[Mark], context_lines: int = 1, gap_lines: int = 2) -> list[Excerpt]:
    """The lines holding marks (with ``context_lines`` around them), merged when close together."""
    valid = _valid(marks, len(text))
    if not valid:
        return []
    line_starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]

    def line_of(offset: int) -> int:
        lo, hi = 0, len(line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if line_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo

    ranges = sorted(
        (max(0, line_of(m.start) - context_lines), min(len(line_starts) - 1, line_of(m.end - 1) + context_lines))
        for m in valid
    )
    merged: list[list[int]] = []
    for a, b in ranges:
        if merged and a <= merged[-1][1] + gap_lines:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    out = []
    for a, b in merged:
        begin = line_starts[a]
        finish = line_starts[b + 1] - 1 if b + 1 < len(line_starts) else len(text)
        out.append(Excerpt(a + 1, begin, segments(text, valid, begin, finish)))
    return out


def _dept_marks(refs: Sequence[DepartmentRef], kind: str, ref: str = "") -> list[Mark]:
    label = KIND_LABELS[kind]
    return [
        Mark(
            r.span.start,
            r.span.end,
            kind,
            f"{label}：{r.name}" + (f"（原文“{r.raw}”）" if r.raw != r.name else ""),
            ref and f"{ref}-{kind}-{i}",
        )
        for i, r in enumerate(refs)
        if r.span is not None
    ]


def _span(span: Span | None, kind: str, label: str, ref: str = "") -> list[Mark]:
    return [] if span is None else [Mark(span.start, span.end, kind, label, ref)]


def task_marks(task: Task, *, ref: str = "") -> list[Mark]:
    """The task's text, title, responsibility clause, departments and deadline."""
    p = task.provenance
    marks = _span(p.get("text") or task.span, "text", f"任务正文：{task.id}", ref and f"{ref}-text")
    marks += _span(p.get("title"), "title", f"任务标题：{task.title}", ref and f"{ref}-title")
    marks += _span(task.responsibility.span, "responsibility", "责任条款", ref and f"{ref}-resp")
    marks += _dept_marks(task.responsibility.lead, "lead", ref)
    marks += _dept_marks(task.responsibility.cooperating, "cooperating", ref)
    marks += _span(
        task.deadline.span,
        "deadline",
        f"完成时限：{deadline_label(task.deadline.raw, task.deadline.kind)}",
        ref and f"{ref}-deadline",
    )
    return marks


def measure_marks(measure: Measure, *, ref: str = "") -> list[Mark]:
    p = measure.provenance
    marks = _span(p.get("text") or measure.span, "text", f"具体措施：{measure.id}", ref and f"{ref}-text")
    marks += _dept_marks(measure.responsibility.lead, "lead", ref)
    marks += _dept_marks(measure.responsibility.cooperating, "cooperating", ref)
    marks += _span(
        measure.deadline.span,
        "deadline",
        f"完成时限：{deadline_label(measure.deadline.raw, measure.deadline.kind)}",
        ref and f"{ref}-deadline",
    )
    if measure.categories:
        marks += _span(
            p.get("category"),
            "category",
            "类别：" + "、".join(c.value for c in measure.categories),
            ref and f"{ref}-category",
        )
    return marks


def target_marks(target: Target, *, ref: str = "") -> list[Mark]:
    label = f"量化目标：{target.metric} {target_text(target)}"
    marks = _span(target.span, "target", label, ref)
    value = target.provenance.get("value")
    if value is not None and target.span is None:
        marks += _span(value, "target", label, ref)
    return marks


def meta_marks(draft: PlanDraft) -> list[Mark]:
    return [
        Mark(s.start, s.end, "meta", f"{META_LABELS.get(k, k)}：{getattr(draft.meta, k, '')}", f"f-meta-{k}")
        for k, s in draft.meta.provenance.items()
    ]


def deadline_label(raw: str, kind: DeadlineKind) -> str:
    labels = {
        DeadlineKind.CONTINUOUS: "持续实施",
        DeadlineKind.BY_SCHEDULE: "按序时进度",
        DeadlineKind.BY_SUPERIORS: "按上级部署",
        DeadlineKind.ADJUST_AS_NEEDED: "适时调整",
        DeadlineKind.UNSPECIFIED: "未明确",
    }
    return raw or labels.get(kind, "")


def item_marks(draft: PlanDraft, task: Task, measure: Measure | None = None) -> list[Mark]:
    """What a task or measure page highlights: the item itself, and the task's targets."""
    marks = task_marks(task) if measure is None else [*task_marks(task), *measure_marks(measure)]
    if measure is not None:  # the task's own text is context, not the subject, on a measure page
        marks = [m for m in marks if not (m.kind == "text" and m.label.startswith("任务正文"))]
    for i, t in enumerate(draft.targets):
        if t.task == task.id:
            marks += target_marks(t, ref=f"target-{i}")
    return marks


def draft_marks(draft: PlanDraft) -> list[Mark]:
    """Every extracted field of a plan, each with the anchor of its field on the review page."""
    marks = meta_marks(draft)
    for task in draft.tasks:
        marks += task_marks(task, ref=f"f-{task.id}")
        for m in task.measures:
            marks += measure_marks(m, ref=f"f-{m.id}")
    for i, t in enumerate(draft.targets):
        marks += target_marks(t, ref=f"f-target-{i}")
    return marks
