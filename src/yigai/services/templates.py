"""The department's Excel round trip: write a prefilled template, import it back row by row.

An import compares every filled row with what the template was prefilled with (its hidden
预填版本) and with the report's current version:

- a row equal to the current version, or left as it was prefilled, is *unchanged*: nothing
  is saved (a draft left as it was is submitted when the import submits);
- an edited row becomes a new version where the review rules allow it (no report yet, a
  draft, a returned report): it is *saved*;
- a row the rules forbid (submitted and awaiting review, accepted), a row whose report
  someone else changed since the template was downloaded, or a row with a bad cell is
  *refused*, named by sheet, row and item with the reason. (A department that uploads its own
  file again after editing it is not refused: the new version's note says what it follows.)

All or nothing by default: one refused row and nothing is saved (``TemplateRowsRefusedError``
lists every row). ``save_rest=True`` saves the savable rows and lists the refused ones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from yigai import clock
from yigai.domain.errors import YigaiError
from yigai.domain.periods import Period, parse_period
from yigai.domain.reports import REVIEW_LABELS, TRANSITIONS, ProgressReport, ReviewState
from yigai.domain.users import User
from yigai.reports.template_import import ReportRow, TemplateError, TemplateProblem, read_template_rows
from yigai.reports.template_xlsx import (
    DATA_SHEET,
    cell_text,
    department_items,
    parse_prefill_stamp,
    write_template,
)
from yigai.reports.template_xlsx import (
    latest_reports as prefilled_reports,
)
from yigai.services.concurrency import retrying
from yigai.services.departments import resolve_department
from yigai.services.items import report_items, require_reporter, visible_reports
from yigai.services.plans import find_plan
from yigai.services.reports import save_in
from yigai.services.schedules import require_schedule, schedule_period
from yigai.storage.uow import UnitOfWork


class RowOutcome(StrEnum):
    SAVED = "saved"  # a new version (or, refused import: would have been)
    UNCHANGED = "unchanged"  # nothing to save
    REFUSED = "refused"  # cannot be saved as it is


OUTCOME_LABELS = {RowOutcome.SAVED: "保存", RowOutcome.UNCHANGED: "未变化", RowOutcome.REFUSED: "不能保存"}


@dataclass(frozen=True, slots=True)
class RowResult:
    """What became of one row of 进展填报; ``note`` says why, in both languages."""

    row: int
    item_id: str
    label: str  # "T1.M3 谋划中长期…"
    outcome: RowOutcome
    note_zh: str
    note_en: str
    report: ProgressReport | None = None  # saved: the new version; unchanged: the current one
    sheet: str = DATA_SHEET
    problems: tuple[TemplateProblem, ...] = ()  # a row refused for its cells: each cell's problem

    def as_problems(self) -> tuple[TemplateProblem, ...]:
        return self.problems or (TemplateProblem(self.note_zh, self.note_en, self.sheet, self.row, item=self.label),)

    def where_zh(self) -> str:
        return f"工作表「{self.sheet}」第{self.row}行（{self.label or self.item_id}）"

    def where_en(self) -> str:
        return f"sheet {self.sheet}, row {self.row}, item {self.item_id}"


@dataclass(frozen=True, slots=True)
class TemplateImport:
    plan_id: int
    department: str
    period_id: str
    period_label: str
    submit: bool
    rows: list[RowResult]
    committed: bool = True  # False: refused as a whole, nothing saved

    def _of(self, outcome: RowOutcome) -> list[RowResult]:
        return [r for r in self.rows if r.outcome is outcome]

    @property
    def saved(self) -> list[RowResult]:
        return self._of(RowOutcome.SAVED)

    @property
    def unchanged(self) -> list[RowResult]:
        return self._of(RowOutcome.UNCHANGED)

    @property
    def refused(self) -> list[RowResult]:
        return self._of(RowOutcome.REFUSED)

    @property
    def reports(self) -> list[ProgressReport]:
        """The versions saved (none when the import was refused)."""
        return [r.report for r in self.saved if r.report is not None] if self.committed else []


class TemplateRowsRefusedError(TemplateError):
    """Some rows cannot be saved, so (all or nothing) none was; ``result`` lists every row."""

    def __init__(self, result: TemplateImport, *, where: str = "") -> None:
        self.result = result
        super().__init__([p for r in result.refused for p in r.as_problems()], where=where)
        n, ok = len(result.refused), len(result.saved)
        rest = f"另有 {ok} 行可保存，可勾选“保存其余可保存的行”后重新上传" if ok else "没有其他要保存的行"
        self.message_zh = f"填报模板有 {n} 行不能保存，按“全部或不保存”未保存任何内容（{rest}）：\n" + "\n".join(
            f"  - {r.where_zh()}：{r.note_zh}" for r in result.refused
        )
        self.args = (
            f"{n} row(s) of the template cannot be saved, so nothing was saved ({ok} other row(s) could be; "
            "import again with save-the-rest):\n"
            + "\n".join(f"  - {r.where_en()}: {r.note_en}" for r in result.refused),
        )


def write_department_template(
    uow: UnitOfWork, plan_ref: str | int, department: str, period_id: str, out: Path, *, viewer: User | None = None
) -> Path:
    """Write ``department``'s template for ``period_id``, prefilled with its latest reports.

    For a ``viewer`` outside the department (a leader, another department) the prefill leaves out
    unsubmitted drafts; without one (the command line, which acts as the office) it has them all.
    """
    period = parse_period(period_id)
    with uow:
        plan = find_plan(uow, plan_ref)
        require_schedule(uow, plan.id)
        name = resolve_department(uow, department, plan.draft.meta.region)
        existing = uow.reports.for_plan(plan.id)
    if viewer is not None:
        items = {i.item_id: i for i in report_items(plan.draft)}
        existing = [r for r in existing if visible_reports(viewer, items.get(r.item_id), [r])]
    return write_template(plan.draft, plan.id, name, period, out, existing)


def import_department_template(
    uow: UnitOfWork,
    user: User,
    plan_ref: str | int,
    department: str,
    period_id: str,
    path: Path,
    *,
    submit: bool = False,
    save_rest: bool = False,
    now: dt.datetime | None = None,
) -> TemplateImport:
    """Read a filled template and save its changed rows as new versions, in one transaction.

    A bad file raises ``TemplateError`` (sheet, row, column). Rows that cannot be saved raise
    ``TemplateRowsRefusedError`` listing every row unless ``save_rest``; then the others are saved.
    """
    at = now or clock.now()

    def attempt() -> TemplateImport:
        with uow:
            plan = find_plan(uow, plan_ref)
            period = schedule_period(require_schedule(uow, plan.id), period_id)
            name = resolve_department(uow, department, plan.draft.meta.region)
            require_reporter(user, name)
            found = read_template_rows(path, plan_id=plan.id, department=name, period=period, draft=plan.draft)
            labels = {i.item_id: i.label for i in department_items(plan.draft, name)}
            results = [
                RowResult(
                    r.row,
                    r.item_id,
                    r.label or labels.get(r.item_id, r.item_id),
                    RowOutcome.REFUSED,
                    "；".join(
                        f"{p.column}列（{p.header}）{p.message_zh}" if p.column else p.message_zh for p in r.problems
                    ),
                    "; ".join(
                        f"column {p.column} ({p.header}): {p.message}" if p.column else p.message for p in r.problems
                    ),
                    problems=r.problems,
                )
                for r in found.refused
            ]
            legacy = any(r.prefill is None for r in found.rows)  # a template written before 预填版本
            mine = uow.reports.for_plan(plan.id) if legacy else []  # the item's reports, any lead department's
            for row in found.rows:
                results.append(_import_row(uow, user, plan.id, period, name, row, mine, submit=submit, at=at))
            results.sort(key=lambda r: r.row)
            result = TemplateImport(plan.id, name, period.id, period.label, submit, results)
            if result.refused and not save_rest:
                raise TemplateRowsRefusedError(
                    TemplateImport(plan.id, name, period.id, period.label, submit, results, committed=False),
                    where=str(path),
                )
            uow.commit()
        return result

    return retrying(attempt)


def _import_row(
    uow: UnitOfWork,
    user: User,
    plan_id: int,
    period: Period,
    department: str,
    row: ReportRow,
    mine: list[ProgressReport],
    *,
    submit: bool,
    at: dt.datetime,
) -> RowResult:
    current = uow.reports.latest(plan_id, row.item_id, period.id)
    baseline = _baseline(uow, plan_id, period, row, current, mine)
    decision = decide(row, current, baseline, period, submit=submit, username=user.username)
    if decision.outcome is not RowOutcome.SAVED:
        return RowResult(row.row, row.item_id, row.label, decision.outcome, decision.note_zh, decision.note_en, current)
    try:
        report = save_in(
            uow,
            user,
            plan_id,
            row.item_id,
            period.id,
            department,
            row.status,
            row.percent,
            narrative=row.narrative,
            problems=row.problems,
            next_steps=row.next_steps,
            submit=submit,
            at=at,
            base_version=current.version if current is not None else 0,
        )
    except YigaiError as exc:  # every check in save_in runs before its first write: nothing of this row was saved
        return RowResult(row.row, row.item_id, row.label, RowOutcome.REFUSED, exc.message_zh, str(exc.args[0]), current)
    state = "已提交" if submit else "草稿"
    return RowResult(
        row.row,
        row.item_id,
        row.label,
        RowOutcome.SAVED,
        f"{decision.note_zh}，保存为第{report.version}版（{state}）",
        f"{decision.note_en}; saved as version {report.version} ({'submitted' if submit else 'draft'})",
        report,
    )


def _baseline(
    uow: UnitOfWork,
    plan_id: int,
    period: Period,
    row: ReportRow,
    current: ProgressReport | None,
    mine: list[ProgressReport],
) -> ProgressReport | None:
    """The report version the row was prefilled with (None: the row was empty in the template).

    A template without 预填版本 (written before it existed) was prefilled with what
    ``write_template`` would prefill now.
    """
    if row.prefill is None:
        return current or prefilled_reports([r for r in mine if r.item_id == row.item_id], period).get(row.item_id)
    stamp = parse_prefill_stamp(row.prefill)
    if stamp is None:
        return None
    period_id, version = stamp
    if current is not None and (period_id, version) == (current.period_id, current.version):
        return current
    return next((r for r in uow.reports.versions(plan_id, row.item_id, period_id) if r.version == version), None)


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: RowOutcome
    note_zh: str
    note_en: str


def same_content(row: ReportRow, report: ProgressReport | None) -> bool:
    """The five reporting columns equal the report's (line breaks and surrounding spaces aside)."""
    if report is None:
        return False
    return (
        row.status is report.status
        and round(row.percent, 2) == round(report.percent, 2)
        and all(
            cell_text(a).strip() == cell_text(b).strip()
            for a, b in (
                (row.narrative, report.narrative),
                (row.problems, report.problems),
                (row.next_steps, report.next_steps),
            )
        )
    )


def decide(
    row: ReportRow,
    current: ProgressReport | None,
    baseline: ProgressReport | None,
    period: Period,
    *,
    submit: bool,
    username: str,
) -> Decision:
    """Saved, unchanged or refused, with the reason; the review rules are ``TRANSITIONS``'.

    ``username`` imports: a version saved after the download by someone else is never superseded
    by an edited row; one saved by the importer (the same file uploaded again) may be.
    """
    if same_content(row, current):
        assert current is not None
        if current.state is ReviewState.DRAFT and submit:
            return Decision(
                RowOutcome.SAVED,
                f"第{current.version}版草稿未改动，提交",
                f"draft version {current.version} unchanged, submitted",
            )
        label = REVIEW_LABELS[current.state]
        zh, en = (
            f"与本期第{current.version}版（{label}）相同",
            f"same as version {current.version} ({current.state.value})",
        )
        if current.state is ReviewState.RETURNED:
            comment = f"（退回意见：{current.review_comment}）" if current.review_comment else ""
            zh += f"；该报告已被医改办退回{comment}，请修改后再上传或在事项页面重新提交"
            en += "; the office returned it: change it and upload again, or resubmit it on the item page"
        return Decision(RowOutcome.UNCHANGED, zh, en)
    expected = baseline if baseline is not None and baseline.period_id == period.id else None
    stale = (None if current is None else current.version) != (None if expected is None else expected.version)
    if same_content(row, baseline):
        assert baseline is not None
        if current is None:
            return Decision(
                RowOutcome.UNCHANGED,
                f"沿用{_period_label(baseline)}报告内容，未改动，未作为本期报告保存（本期仍未报送）",
                f"carried over from {baseline.period_id} unchanged: not saved as this period's report",
            )
        return Decision(
            RowOutcome.UNCHANGED,
            f"本行未改动；下载模板后本期报告已更新为第{current.version}版，未覆盖",
            f"row untouched; the report became version {current.version} after the download, kept",
        )
    if stale and (current is None or current.author != username):
        now_zh = "本期尚无报告" if current is None else f"当前为第{current.version}版"
        was_zh = f"第{expected.version}版" if expected is not None else "本期尚无报告时"
        return Decision(
            RowOutcome.REFUSED,
            f"下载模板后该事项报告已有变化（模板基于{was_zh}，{now_zh}），为免覆盖未保存；请重新下载模板后填写",
            f"the report changed after the template was downloaded (template: "
            f"{'version ' + str(expected.version) if expected else 'no report'}, now: "
            f"{'version ' + str(current.version) if current else 'no report'}); download the template again",
        )
    target = ReviewState.SUBMITTED if submit else ReviewState.DRAFT
    if current is not None and target not in TRANSITIONS[current.state]:
        if current.state is ReviewState.ACCEPTED:
            return Decision(
                RowOutcome.REFUSED,
                f"本期第{current.version}版已被医改办采纳，不能再修改",
                f"version {current.version} was accepted by the office and is final",
            )
        return Decision(
            RowOutcome.REFUSED,
            f"本期第{current.version}版{REVIEW_LABELS[current.state]}，正等待医改办审核，不能修改；"
            "如需更正，请医改办退回后再填报",
            f"version {current.version} is {current.state.value} and awaits review; ask the office to return it first",
        )
    if current is None:
        return Decision(RowOutcome.SAVED, "本期首次报送", "first report for this period")
    if stale:
        return Decision(
            RowOutcome.SAVED,
            f"下载模板后本人已保存第{current.version}版，本行在其后保存",
            f"you saved version {current.version} after the download; this row follows it",
        )
    return Decision(
        RowOutcome.SAVED,
        f"修改了第{current.version}版（{REVIEW_LABELS[current.state]}）",
        f"changed version {current.version} ({current.state.value})",
    )


def _period_label(report: ProgressReport) -> str:
    try:
        return parse_period(report.period_id).label
    except YigaiError:
        return report.period_id
