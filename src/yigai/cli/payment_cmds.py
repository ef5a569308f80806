"""Payment-reform commands: ``yigai drg group`` and ``yigai vbp retain``.

Pure computations over a file: nothing is read from or written to the database.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from yigai.cli.common import FormatOpt, OutputFormat, UserOpt, info, opened, who
from yigai.cli.edge import EXIT_BAD_INPUT, stdout
from yigai.cli.render import print_json
from yigai.payment.chs_group import CodeTally
from yigai.payment.drg import PackError, group, load_pack, read_cases, relative_weights
from yigai.payment.export import Sheet, write_sheets
from yigai.payment.indicators import inputs_hash, vbp_values
from yigai.payment.vbp import DEFAULT_CAP, effective_share, retain_file
from yigai.services.errors import EmptyInputError

drg_app = typer.Typer(
    help="DRG grouping on the national CHS-DRG 1.1 scheme (or a rule pack), and DRG point settlement.\n\n"
    "Example: yigai drg group cases.csv\n\n"
    "Example: yigai drg settle --current 2024.csv --weights 福州2022 --history 2023.csv --budget 5.2e8 --ratio 0.7",
    no_args_is_help=True,
)
vbp_app = typer.Typer(
    help="集采医保资金结余留用: savings retention for volume-based procurement.\n\n"
    "Example: yigai vbp retain 集采2024.xlsx --share 0.5",
    no_args_is_help=True,
)

FileArg = Annotated[
    Path,
    typer.Argument(help="A .csv or .xlsx file with a header row.", show_default=False, exists=True, dir_okay=False),
]


XlsxOpt = Annotated[
    Path | None,
    typer.Option("--xlsx", help="Also write the tables to this XLSX file (one sheet each).", show_default=False),
]

DRG_CASE_SHEET = "DRG分组"
DRG_CASE_HEADERS = ("病案 case", "机构 hospital", "DRG", "ADRG", "MDC", "RW", "总费用 cost", "过程 trace")
DRG_GROUP_SHEET = "DRG权重"
DRG_GROUP_HEADERS = ("DRG", "例数 cases", "均费 mean cost", "RW")
VBP_HOSPITAL_SHEET = "结余留用"
VBP_HOSPITAL_HEADERS = (
    "机构 hospital",
    "年度 year",
    "预算 budget",
    "实际 actual",
    "结余 saving",
    "留用 retained",
    "未完成约定量 withheld",
)
VBP_GENERIC_SHEET = "通用名明细"
VBP_GENERIC_HEADERS = (
    "机构 hospital",
    "年度 year",
    "通用名 generic",
    "预算 budget",
    "实际 actual",
    "结余 saving",
    "留用比例 share",
    "考核系数 assessment",
    "完成约定量 volume completed",
    "留用 retained",
)
TRACE_JOIN = " → "
LIST_JOIN = "、"
YES, NO = "是", "否"


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _written(path: Path) -> None:
    info(f"已写入 written: {path}")


@drg_app.command("group")
def drg_group(
    file: FileArg,
    pack: Annotated[
        Path | None,
        typer.Option(
            "--pack",
            help="Rule-pack folder: a national pack (pack.json.gz, made by scripts/convert_reference.py) "
            "or a prefix pack (pack.yaml, mdc.yaml, adrg.yaml, cc.yaml); default: the national "
            "CHS-DRG 1.1 scheme.",
            show_default=False,
        ),
    ] = None,
    trace: Annotated[bool, typer.Option("--trace", help="Show every grouping step.")] = False,
    xlsx: XlsxOpt = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Group the cases of a file; print DRG, ADRG, MDC and the trace, and RW_d when costs are given.

    --xlsx writes two sheets: DRG分组 (per case, with the trace) and DRG权重 (per DRG: cases, mean
    cost, RW).

    Columns (医保结算清单; Chinese headers in brackets): case_id (病案号), sex (性别), age (年龄),
    age_days (年龄（天）), birth_weight (新生儿出生体重, grams), los (住院天数), discharge_status
    (离院方式), main_diagnosis (主要诊断), other_diagnoses (其他诊断, separated by ;), procedures
    (手术操作, the main one first; or main_procedure 主要手术操作 and other_procedures), cost (总费用),
    hospital (医疗机构). Codes are 医保版 ICD-10 / ICD-9-CM-3 v2.0; 国临版 codes are mapped through the
    crosswalk and counted, a 灰码 principal diagnosis is reported. Bad records are listed with row and
    field and left out.

    RW_d = mean cost of DRG d / mean cost of all grouped cases (0000 and QY cases left out).

    Example: yigai drg group cases.csv --trace

    A row "c1,男,70,,,8,1,J18.900,J96.000,,9000" (pneumonia with respiratory failure, an MCC) groups to
    ES31 (MDC E → ADRG ES3 by the principal diagnosis → with MCC).
    """
    try:
        rules = load_pack(pack)
    except PackError as exc:
        raise typer.BadParameter(str(exc), param_hint="--pack") from None
    if rules.illustrative:
        info("注意：使用示意规则包，非国家分组方案 / note: the illustrative demo pack, not the official scheme")
    else:
        info(f"分组方案 scheme: {rules.name}")
    cases, bad = read_cases(file)
    if not cases and not bad:
        raise EmptyInputError(
            f"no case records in {file.name} (a header only)",
            message_zh="文件中没有病例记录（只有表头）",
            where=str(file),
        )
    groupings = [group(c, rules) for c in cases]
    weights = relative_weights((g.drg, c.cost) for c, g in zip(cases, groupings, strict=True) if c.cost > 0)
    if xlsx is not None:
        per_drg: dict[str, list[Decimal]] = {}
        for c, g in zip(cases, groupings, strict=True):
            if g.drg in weights and c.cost > 0:
                per_drg.setdefault(g.drg, []).append(c.cost)
        write_sheets(
            xlsx,
            [
                Sheet(
                    DRG_CASE_SHEET,
                    DRG_CASE_HEADERS,
                    [
                        (
                            c.case_id,
                            c.hospital,
                            g.drg,
                            g.adrg or "",
                            g.mdc or "",
                            weights.get(g.drg),
                            c.cost,
                            TRACE_JOIN.join(g.trace),
                        )
                        for c, g in zip(cases, groupings, strict=True)
                    ],
                ),
                Sheet(
                    DRG_GROUP_SHEET,
                    DRG_GROUP_HEADERS,
                    [
                        (d, len(per_drg[d]), sum(per_drg[d], Decimal(0)) / len(per_drg[d]), w)
                        for d, w in sorted(weights.items())
                    ],
                ),
            ],
        )
        _written(xlsx)
    if fmt is OutputFormat.JSON:
        data: dict[str, Any] = {
            "pack": rules.name,
            "cases": [
                {"case_id": c.case_id, "drg": g.drg, "adrg": g.adrg, "mdc": g.mdc, "trace": g.trace}
                for c, g in zip(cases, groupings, strict=True)
            ],
            "weights": {d: str(w) for d, w in weights.items()},
            "summary": _summary(groupings),
            "bad": [{"row": r, "field": f, "reason": why} for r, f, why in bad],
        }
        print_json(data)
    else:
        table = Table(title=f"DRG 分组 grouping — {rules.name}")
        for col in ("病案 case", "DRG", "ADRG", "MDC", "RW", *(("过程 trace",) if trace else ())):
            table.add_column(col)
        for c, g in zip(cases, groupings, strict=True):
            rw = f"{weights[g.drg]:.4f}" if g.drg in weights else "—"
            row = [c.case_id, g.drg, g.adrg or "—", g.mdc or "—", rw]
            table.add_row(*row, *(("\n".join(g.trace),) if trace else ()))
        stdout().print(table)
    for r, f, why in bad:
        info(f"row {r}, {f}: {why}")
    summary = _summary(groupings)
    info(
        f"{len(cases)} 例 cases: {summary['ungroupable']} 0000 未入组 ungroupable, {summary['qy']} QY 歧义组, "
        f"{summary['grey_principal']} 灰码主诊断 grey principal diagnoses, {summary['mapped']} 国临版编码已转换 "
        f"codes mapped to 医保版, {summary['unknown']} 无效编码 unknown codes; {len(bad)} 条错误 bad field(s)"
    )
    if bad:
        raise typer.Exit(EXIT_BAD_INPUT)


def _summary(groupings: list[Any]) -> dict[str, Any]:
    """Counts the CLI states: 0000, QY, grey principal diagnoses, crosswalk mappings, unknown codes."""
    tally = CodeTally()
    for g in groupings:
        tally.add(g.codes)
    return {
        "ungroupable": sum(g.drg == "0000" for g in groupings),
        "qy": sum(g.drg.endswith("QY") for g in groupings),
        "grey_principal": sum(tally.grey_principal.values()),
        "mapped": sum(tally.mapped.values()),
        "mapped_codes": dict(tally.mapped),
        "unknown": sum(tally.unknown.values()),
        "unknown_codes": dict(tally.unknown),
    }


@vbp_app.command("retain")
def vbp_retain(
    file: FileArg,
    share: Annotated[
        float, typer.Option("--share", min=0, max=1, help="Share of the saving left to the hospital.")
    ] = float(DEFAULT_CAP),
    cap: Annotated[
        float, typer.Option("--cap", min=0, max=1, help="The plan's ceiling on the share (仓山: 不高于50%).")
    ] = float(DEFAULT_CAP),
    xlsx: XlsxOpt = None,
    write: Annotated[
        bool,
        typer.Option(
            "--write",
            help="Save 集采结余留用金额 and 集采医保基金结余 per year in the "
            "indicator store (computed values, versioned): per hospital where the "
            "hospital code is an org unit, and for the district.",
        ),
    ] = False,
    district: Annotated[
        str | None,
        typer.Option(
            "--district",
            help="District org unit of the district values (default: the only district org unit).",
            show_default=False,
        ),
    ] = None,
    user: UserOpt = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Savings retained per hospital and year (结余留用), from a CSV or XLSX file.

    --xlsx writes two sheets: 结余留用 (per hospital and year) and 通用名明细 (per generic).

    Columns (one row per product or per generic): hospital, year, generic, product, base_volume,
    base_price, ratio (reimbursement), actual_fund, agreed_volume, completed_volume, assessment
    (or 医疗机构, 年度, 通用名, 产品, 基期用量, 基期价格, 报销比例, 实际医保支出, 约定采购量, 实际采购量, 考核系数).

    budget = Σ base_volume × base_price × ratio; saving = max(0, budget − actual_fund);
    retained = saving × min(share, cap) × assessment, or 0 when the agreed volume was not completed.

    Example: yigai vbp retain 集采2024.xlsx --share 0.5

    A generic with base 1000 × 2.00 × 0.7 = 1400, actual 400, assessment 0.9 and share 0.5 retains
    (1400 − 400) × 0.5 × 0.9 = 450.
    """
    try:
        effective_share(str(share), str(cap))
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    report = retain_file(file, str(share), str(cap))
    if xlsx is not None:
        write_sheets(
            xlsx,
            [
                Sheet(
                    VBP_HOSPITAL_SHEET,
                    VBP_HOSPITAL_HEADERS,
                    [
                        (
                            h.hospital,
                            h.year,
                            h.budget,
                            h.actual,
                            h.saving,
                            h.retained,
                            LIST_JOIN.join(g.generic for g in h.generics if not g.volume_completed),
                        )
                        for h in report.hospitals
                    ],
                ),
                Sheet(
                    VBP_GENERIC_SHEET,
                    VBP_GENERIC_HEADERS,
                    [
                        (
                            g.hospital,
                            g.year,
                            g.generic,
                            g.budget,
                            g.actual,
                            g.saving,
                            g.share,
                            g.assessment,
                            YES if g.volume_completed else NO,
                            g.retained,
                        )
                        for h in report.hospitals
                        for g in h.generics
                    ],
                ),
            ],
        )
        _written(xlsx)
    if fmt is OutputFormat.JSON:
        print_json(
            {
                "hospitals": [
                    {
                        "hospital": h.hospital,
                        "year": h.year,
                        "budget": str(h.budget),
                        "actual": str(h.actual),
                        "saving": str(h.saving),
                        "retained": str(h.retained),
                        "generics": [
                            {
                                "generic": g.generic,
                                "budget": str(g.budget),
                                "actual": str(g.actual),
                                "saving": str(g.saving),
                                "volume_completed": g.volume_completed,
                                "retained": str(g.retained),
                            }
                            for g in h.generics
                        ],
                    }
                    for h in report.hospitals
                ],
                "retained": str(report.retained),
                "bad": [{"row": b.row, "field": b.field, "reason": b.reason} for b in report.bad],
            }
        )
    else:
        table = Table(title="集采结余留用 savings retention")
        for col in (
            "机构 hospital",
            "年度 year",
            "预算 budget",
            "实际 actual",
            "结余 saving",
            "留用 retained",
            "未完成约定量 withheld",
        ):
            table.add_column(col)
        for h in report.hospitals:
            withheld = ", ".join(g.generic for g in h.generics if not g.volume_completed) or "—"
            table.add_row(
                h.hospital,
                str(h.year),
                _money(h.budget),
                _money(h.actual),
                _money(h.saving),
                _money(h.retained),
                withheld,
            )
        stdout().print(table)
    if write:
        from yigai.services import payment  # with the DIP engines (NumPy, Arrow): loaded only to save values

        years = sorted({h.year for h in report.hospitals})
        with opened() as built:
            saved = payment.write_indicators(
                built.uow(),
                who(built, user).username,
                {str(y): vbp_values(report.hospitals, y) for y in years},
                inputs_hash([file], str(share), str(cap)),
                district,
                comment=f"yigai vbp retain {file.name}",
            )
        info(
            f"已保存指标 saved to the indicator store ({', '.join(map(str, years))}, 区县 district {saved.district}): "
            f"新版本 new versions {saved.created}, 未变 unchanged {saved.unchanged}; "
            f"机构 hospitals {len(saved.hospitals_saved)}"
        )
        if saved.hospitals_not_units:
            info(
                f"不是机构档案中的机构，仅计入区县值 not org units, counted in the district only: "
                f"{LIST_JOIN.join(saved.hospitals_not_units)}"
            )
    for note in report.notes:
        info(note)
    for b in report.bad:
        info(str(b))
    info(f"留用合计 total retained: {_money(report.retained)}; {len(report.bad)} 条错误 bad field(s)")
    if report.bad:
        raise typer.Exit(EXIT_BAD_INPUT)


def register(app: typer.Typer) -> None:
    from yigai.cli import drg_settle_cmds

    drg_settle_cmds.register(drg_app)
    app.add_typer(drg_app, name="drg")
    app.add_typer(vbp_app, name="vbp")
