"""Report history: every version of an item's report, and what changed from one version to the next."""

from __future__ import annotations

from dataclasses import dataclass, field

from yigai.domain.diff import TextOp, text_ops
from yigai.domain.periods import parse_period
from yigai.domain.reports import REVIEW_LABELS, Evidence, ProgressReport

TEXT_FIELDS = (
    ("narrative", "进展情况"),
    ("problems", "存在问题"),
    ("next_steps", "下步打算"),
    ("review_comment", "审核意见"),
)


@dataclass(slots=True)
class Change:
    label: str
    before: str
    after: str
    ops: list[TextOp] = field(default_factory=list)  # a character diff, for text fields


@dataclass(slots=True)
class VersionView:
    report: ProgressReport
    state_label: str
    changes: list[Change]  # from the previous version of the same period; empty for the first
    new_evidence: list[Evidence]

    @property
    def first(self) -> bool:
        return self.report.version == 1


@dataclass(slots=True)
class PeriodHistory:
    period_id: str
    label: str
    versions: list[VersionView]  # newest first

    @property
    def latest(self) -> ProgressReport:
        return self.versions[0].report


def _pct(value: float) -> str:
    return f"{value:g}%"


def changes(old: ProgressReport, new: ProgressReport) -> list[Change]:
    out: list[Change] = []
    if old.state is not new.state:
        out.append(Change("审核状态", REVIEW_LABELS[old.state], REVIEW_LABELS[new.state]))
    if old.status is not new.status:
        out.append(Change("进展状态", old.status.value, new.status.value))
    if old.percent != new.percent:
        out.append(Change("完成百分比", _pct(old.percent), _pct(new.percent)))
    for name, label in TEXT_FIELDS:
        a, b = getattr(old, name), getattr(new, name)
        if a != b:
            out.append(Change(label, a, b, text_ops(a, b)))
    for dept in sorted(set(old.contributions) | set(new.contributions)):
        a, b = old.contributions.get(dept, ""), new.contributions.get(dept, "")
        if a != b:
            out.append(Change(f"配合意见（{dept}）", a, b, text_ops(a, b)))
    return out


def period_histories(reports: list[ProgressReport]) -> list[PeriodHistory]:
    """One item's versions grouped by period, newest period and newest version first."""
    by_period: dict[str, list[ProgressReport]] = {}
    for r in reports:
        by_period.setdefault(r.period_id, []).append(r)
    out = []
    for pid, versions in by_period.items():
        versions.sort(key=lambda r: r.version)
        views = []
        for i, r in enumerate(versions):
            prev = versions[i - 1] if i else None
            known = {e.sha256 for e in prev.evidence} if prev else set()
            views.append(
                VersionView(
                    r,
                    REVIEW_LABELS[r.state],
                    changes(prev, r) if prev else [],
                    [e for e in r.evidence if e.sha256 not in known],
                )
            )
        out.append(PeriodHistory(pid, parse_period(pid).label, list(reversed(views))))
    out.sort(key=lambda h: parse_period(h.period_id).end, reverse=True)
    return out
