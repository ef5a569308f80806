"""``yigai report …``: save, contribute, submit, return, accept, resubmit, history, owed.

ITEM is a measure id (T4.M2) or, for a task without measures, the task id (T4),
as ``yigai show PLAN --tasks --format json`` lists them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from yigai.cli.common import FormatOpt, OutputFormat, PeriodOpt, PlanArg, UserOpt, evidence_store, info, opened, who
from yigai.cli.edge import EdgeGroup, stdout
from yigai.cli.render import print_json
from yigai.cli.render_supervision import history_table, owed_table
from yigai.domain.periods import period_label
from yigai.domain.reports import REVIEW_LABELS, ProgressReport

report_app = typer.Typer(
    cls=EdgeGroup,
    no_args_is_help=True,
    help=(
        "进展报告 progress reports (督办): every save is a new version; draft → submitted → returned | accepted.\n\n"
        "Example: yigai report save 5 T4.M2 --period 2023Q4 --dept 区卫健委 --status 推进中 --percent 60 "
        "--narrative 已组建专家咨询委员会 --submit"
    ),
)

ItemArg = Annotated[str, typer.Argument(help="Measure id (T4.M2) or task id (T4).", show_default=False)]


def _done(report: ProgressReport) -> None:
    info(
        f"{report.item_id} {period_label(report.period_id)}：第 {report.version} 版 version，{REVIEW_LABELS[report.state]} "
        f"{report.state.value}（{report.department}，{report.status.value} {report.percent:g}%）"
    )


@report_app.command("save")
def save(
    plan: PlanArg,
    item: ItemArg,
    period: PeriodOpt,
    dept: Annotated[
        str, typer.Option("--dept", help="Lead department reporting (any known spelling).", show_default=False)
    ],
    status: Annotated[str, typer.Option("--status", help="未启动, 推进中, 已完成, 滞后 or 受阻.", show_default=False)],
    percent: Annotated[float, typer.Option("--percent", help="Percent complete, 0-100.", show_default=False)],
    narrative: Annotated[str, typer.Option("--narrative", help="进展情况.")] = "",
    problems: Annotated[str, typer.Option("--problems", help="存在问题.")] = "",
    next_steps: Annotated[str, typer.Option("--next-steps", help="下步打算.")] = "",
    evidence: Annotated[
        list[Path] | None,
        typer.Option(
            "--evidence",
            help="Evidence file (repeat): pdf, ofd, docx, xlsx, doc, xls, jpg, png, txt.",
            show_default=False,
        ),
    ] = None,
    submit: Annotated[bool, typer.Option("--submit", help="Submit at once instead of saving a draft.")] = False,
    user: UserOpt = None,
) -> None:
    """Save a new version of a report (a draft unless --submit).

    Example: yigai report save 5 T4.M2 --period 2023Q4 --dept 区卫健委 --status 推进中 --percent 60 --evidence 预案.pdf
    """
    from yigai.services.evidence import EvidenceUpload
    from yigai.services.reports import save_report

    uploads = [EvidenceUpload.from_path(p) for p in evidence or []]
    with opened() as built:
        report = save_report(
            built.uow(),
            who(built, user),
            plan,
            item,
            period,
            dept,
            status,
            percent,
            narrative=narrative,
            problems=problems,
            next_steps=next_steps,
            submit=submit,
            evidence=uploads,
            store=evidence_store(built),
        )
    _done(report)


@report_app.command("contribute")
def contribute(
    plan: PlanArg,
    item: ItemArg,
    period: PeriodOpt,
    dept: Annotated[str, typer.Option("--dept", help="Cooperating department.", show_default=False)],
    text: Annotated[str, typer.Option("--text", help="Its contribution (配合部门意见).", show_default=False)],
    user: UserOpt = None,
) -> None:
    """Add a cooperating department's contribution to the item's report.

    Example: yigai report contribute 5 T4.M2 --period 2023Q4 --dept 区应急局 --text 已配合开展联合演练
    """
    from yigai.services.reports import add_contribution

    with opened() as built:
        report = add_contribution(built.uow(), who(built, user), plan, item, period, dept, text)
    _done(report)


@report_app.command("submit")
def submit(plan: PlanArg, item: ItemArg, period: PeriodOpt, user: UserOpt = None) -> None:
    """Submit the latest draft (or a returned report).

    Example: yigai report submit 5 T4.M2 --period 2023Q4 --user wjw
    """
    from yigai.services.review import submit_report

    with opened() as built:
        _done(submit_report(built.uow(), who(built, user), plan, item, period))


@report_app.command("return")
def return_(
    plan: PlanArg,
    item: ItemArg,
    period: PeriodOpt,
    comment: Annotated[str, typer.Option("--comment", help="What to fix (required).", show_default=False)],
    user: UserOpt = None,
) -> None:
    """Return a submitted report to its department with a comment (office admin).

    Example: yigai report return 5 T4.M2 --period 2023Q4 --comment 请补充专家咨询委员会名单
    """
    from yigai.services.review import return_report

    with opened() as built:
        _done(return_report(built.uow(), who(built, user), plan, item, period, comment))


@report_app.command("accept")
def accept(
    plan: PlanArg,
    item: ItemArg,
    period: PeriodOpt,
    comment: Annotated[str, typer.Option("--comment", help="Optional remark.")] = "",
    user: UserOpt = None,
) -> None:
    """Accept a submitted report (office admin); an accepted report is final.

    Example: yigai report accept 5 T4.M2 --period 2023Q4
    """
    from yigai.services.review import accept_report

    with opened() as built:
        _done(accept_report(built.uow(), who(built, user), plan, item, period, comment))


@report_app.command("resubmit")
def resubmit(plan: PlanArg, item: ItemArg, period: PeriodOpt, user: UserOpt = None) -> None:
    """Submit again a report the office returned.

    Example: yigai report resubmit 5 T4.M2 --period 2023Q4 --user wjw
    """
    from yigai.services.review import resubmit_report

    with opened() as built:
        _done(resubmit_report(built.uow(), who(built, user), plan, item, period))


@report_app.command("history")
def history(plan: PlanArg, item: ItemArg, period: PeriodOpt, fmt: FormatOpt = OutputFormat.TABLE) -> None:
    """Every version of a report, oldest first.

    Example: yigai report history 5 T4.M2 --period 2023Q4
    """
    from yigai.services.reports import report_history
    from yigai.storage.audit import jsonable

    with opened() as built:
        versions = report_history(built.uow(), plan, item, period)
    if fmt is OutputFormat.JSON:
        print_json(jsonable(versions))
    else:
        stdout().print(history_table(versions, f"{item} {period} 版本 versions ({len(versions)})"))


@report_app.command("owed")
def owed(
    plan: PlanArg,
    dept: Annotated[str | None, typer.Option("--dept", help="Only this lead department.", show_default=False)] = None,
    period: Annotated[
        str | None,
        typer.Option("--period", "-p", help="Period id (default: the last period ended).", show_default=False),
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Also list what was submitted or accepted.")] = False,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Reminders: what each lead department still owes for a period, with due dates.

    Example: yigai report owed 5 --dept 区医保局 --period 2023Q4
    """
    from yigai.services.reminders import owed_reports
    from yigai.storage.audit import jsonable

    with opened() as built:
        rows = owed_reports(built.uow(), plan, period_id=period, department=dept)
    shown = rows if all_ else [r for r in rows if r.owed]
    if fmt is OutputFormat.JSON:
        print_json([{**jsonable(r), "label": r.label, "due_soon": r.due_soon} for r in shown])
        return
    period_id = rows[0].period_id if rows else (period or "")
    stdout().print(owed_table(shown, f"待报 owed {period_label(period_id)}" + (f" — {dept}" if dept else "")))
    info(f"{sum(r.owed for r in rows)} 项待报送 owed / {len(rows)} 项应报 expected")


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")
