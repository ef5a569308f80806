"""``yigai template write|import`` and ``yigai bulletin``: the documents departments and leaders get."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from yigai.cli.common import PeriodOpt, PlanArg, UserOpt, info, opened, who
from yigai.cli.edge import EdgeGroup, stdout
from yigai.domain.periods import period_label

template_app = typer.Typer(
    cls=EdgeGroup,
    no_args_is_help=True,
    help=(
        "进展填报模板 progress templates: an XLSX per department and period, filled offline and imported back.\n\n"
        "Example: yigai template write 5 --dept 区医保局 --period 2023Q4 --out 医保局-2023Q4.xlsx"
    ),
)

DeptOpt = Annotated[str, typer.Option("--dept", help="Lead department (any known spelling).", show_default=False)]


class BulletinFormat(StrEnum):
    DOCX = "docx"
    XLSX = "xlsx"
    HTML = "html"


@template_app.command("write")
def template_write(
    plan: PlanArg,
    dept: DeptOpt,
    period: PeriodOpt,
    out: Annotated[Path, typer.Option("--out", "-o", help="XLSX file to write.", show_default=False)],
) -> None:
    """Write the department's template for a period, prefilled with its latest reports.

    Example: yigai template write 5 --dept 区医保局 --period 2023Q4 --out 医保局-2023Q4.xlsx
    """
    from yigai.services.templates import write_department_template

    with opened() as built:
        path = write_department_template(built.uow(), plan, dept, period, out)
    info(f"已生成填报模板 template written: {path}")


@template_app.command("import")
def template_import(
    plan: PlanArg,
    dept: DeptOpt,
    period: PeriodOpt,
    file: Annotated[Path, typer.Argument(help="The filled XLSX template.", show_default=False)],
    submit: Annotated[bool, typer.Option("--submit", help="Submit the reports instead of saving drafts.")] = False,
    save_rest: Annotated[
        bool,
        typer.Option(
            "--save-rest",
            help="保存其余可保存的行 Save the savable rows when some rows are refused "
            "(default: one refused row and nothing is saved).",
        ),
    ] = False,
    user: UserOpt = None,
) -> None:
    """Import a filled template: changed rows become new versions, unchanged rows are skipped.

    Every row is listed as saved, unchanged or refused (sheet, row, item, reason). A row
    the review rules forbid (submitted and awaiting review, accepted) or with a bad cell is
    refused; then nothing is saved (exit code 2) unless --save-rest is given.

    Example: yigai template import 5 --dept 区医保局 --period 2023Q4 医保局-2023Q4.xlsx --submit --user yibao
    """
    from yigai.services.templates import import_department_template

    with opened() as built:
        result = import_department_template(
            built.uow(), who(built, user), plan, dept, period, file, submit=submit, save_rest=save_rest
        )
    out = stdout()
    for row in result.rows:
        label = {"saved": "保存 saved", "unchanged": "未变化 unchanged", "refused": "不能保存 refused"}[
            row.outcome.value
        ]
        out.print(
            escape(f"{row.sheet} 第{row.row}行 row {row.row}\t{row.label}\t{label}\t{row.note_zh} / {row.note_en}"),
            highlight=False,
            soft_wrap=True,
        )
    info(
        f"已导入 imported {result.department} {period_label(result.period_id)}: 保存 saved {len(result.saved)}"
        f"（{'已提交 submitted' if submit else '草稿 drafts'}），未变化 unchanged {len(result.unchanged)}，"
        f"不能保存 refused {len(result.refused)}"
    )


def bulletin(
    plan: PlanArg,
    period: PeriodOpt,
    out: Annotated[Path, typer.Option("--out", "-o", help="File to write.", show_default=False)],
    fmt: Annotated[BulletinFormat, typer.Option("--format", "-f", help="docx, xlsx or html.")] = BulletinFormat.DOCX,
    at: Annotated[
        dt.datetime | None,
        typer.Option(
            "--at",
            formats=["%Y-%m-%d"],
            show_default=False,
            help="Evaluate as of this date (default: the day after the period's "
            "reports were due, or today if earlier).",
        ),
    ] = None,
) -> None:
    """Write the bulletin (通报) of a period: overview, red list, indicators off track, ranking, appendix.

    Example: yigai bulletin 5 --period 2023Q4 --format docx --out 2023年第四季度医改工作通报.docx
    """
    from yigai.services.bulletins import write_bulletin

    with opened() as built:
        path = write_bulletin(built.uow(), plan, period, fmt.value, out, at=at.date() if at else None)
    info(f"已生成通报 bulletin written: {path}")


def register(app: typer.Typer) -> None:
    app.add_typer(template_app, name="template")
    app.command("bulletin")(bulletin)
