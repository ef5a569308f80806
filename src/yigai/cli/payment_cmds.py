"""Payment-reform commands: ``yigai drg group`` and ``yigai vbp retain``.

Pure computations over a file: nothing is read from or written to the database.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from yigai.cli.common import FormatOpt, OutputFormat, info
from yigai.cli.edge import EXIT_BAD_INPUT, stdout
from yigai.cli.render import print_json
from yigai.payment.drg import PackError, group, load_pack, read_cases, relative_weights
from yigai.payment.vbp import DEFAULT_CAP, effective_share, retain_file

drg_app = typer.Typer(
    help="DRG grouping by a rule pack (CHS-DRG structure).\n\nExample: yigai drg group cases.csv --pack ./chs-drg-2.0",
    no_args_is_help=True)
vbp_app = typer.Typer(
    help="集采医保资金结余留用: savings retention for volume-based procurement.\n\n"
         "Example: yigai vbp retain 集采2024.xlsx --share 0.5",
    no_args_is_help=True)

FileArg = Annotated[Path, typer.Argument(help="A .csv or .xlsx file with a header row.", show_default=False,
                                         exists=True, dir_okay=False)]


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


@drg_app.command("group")
def drg_group(
    file: FileArg,
    pack: Annotated[Path | None, typer.Option(
        "--pack", help="Rule-pack folder (pack.yaml, mdc.yaml, adrg.yaml, cc.yaml); default: the small "
                       "ILLUSTRATIVE demo pack, not the official scheme.", show_default=False)] = None,
    trace: Annotated[bool, typer.Option("--trace", help="Show every grouping step.")] = False,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Group the cases of a file; print DRG, ADRG, MDC and the trace, and RW_d when costs are given.

    Columns: case_id, main_diagnosis, other_diagnoses (separated by ;), main_procedure, cost, hospital
    (Chinese headers 病案号, 主诊断, 其他诊断, 主手术, 总费用, 医疗机构 also work). Bad records are listed
    with row and field and left out.

    RW_d = mean cost of DRG d / mean cost of all grouped cases (0000 and QY cases left out).

    Example: yigai drg group cases.csv --pack ./chs-drg-2.0 --trace

    With the demo pack, a row "c1,K80.100,N17.900,51.2300,16000" groups to HC11 (MDC H → ADRG HC1 by the
    procedure 51.23 → with MCC N17).
    """
    try:
        rules = load_pack(pack)
    except PackError as exc:
        raise typer.BadParameter(str(exc), param_hint="--pack") from None
    if rules.illustrative:
        info("注意：使用示意规则包，非国家分组方案 / note: the illustrative demo pack, not the official scheme")
    cases, bad = read_cases(file)
    groupings = [group(c, rules) for c in cases]
    weights = relative_weights((g.drg, c.cost) for c, g in zip(cases, groupings, strict=True) if c.cost > 0)
    if fmt is OutputFormat.JSON:
        data: dict[str, Any] = {
            "pack": rules.name,
            "cases": [{"case_id": c.case_id, "drg": g.drg, "adrg": g.adrg, "mdc": g.mdc, "trace": g.trace}
                      for c, g in zip(cases, groupings, strict=True)],
            "weights": {d: str(w) for d, w in weights.items()},
            "bad": [{"row": r, "field": f, "reason": why} for r, f, why in bad]}
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
    ungrouped = sum(not g.grouped for g in groupings)
    info(f"{len(cases)} 例 cases, {ungrouped} 未入组 ungrouped, {len(bad)} 条错误 bad field(s)")
    if bad:
        raise typer.Exit(EXIT_BAD_INPUT)


@vbp_app.command("retain")
def vbp_retain(
    file: FileArg,
    share: Annotated[float, typer.Option("--share", min=0, max=1, help="Share of the saving left to the hospital.")]
    = float(DEFAULT_CAP),
    cap: Annotated[float, typer.Option("--cap", min=0, max=1, help="The plan's ceiling on the share "
                                       "(仓山: 不高于50%).")] = float(DEFAULT_CAP),
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Savings retained per hospital and year (结余留用), from a CSV or XLSX file.

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
    if fmt is OutputFormat.JSON:
        print_json({
            "hospitals": [{"hospital": h.hospital, "year": h.year, "budget": str(h.budget), "actual": str(h.actual),
                           "saving": str(h.saving), "retained": str(h.retained),
                           "generics": [{"generic": g.generic, "budget": str(g.budget), "actual": str(g.actual),
                                         "saving": str(g.saving), "volume_completed": g.volume_completed,
                                         "retained": str(g.retained)} for g in h.generics]}
                          for h in report.hospitals],
            "retained": str(report.retained),
            "bad": [{"row": b.row, "field": b.field, "reason": b.reason} for b in report.bad]})
    else:
        table = Table(title="集采结余留用 savings retention")
        for col in ("机构 hospital", "年度 year", "预算 budget", "实际 actual", "结余 saving", "留用 retained",
                    "未完成约定量 withheld"):
            table.add_column(col)
        for h in report.hospitals:
            withheld = ", ".join(g.generic for g in h.generics if not g.volume_completed) or "—"
            table.add_row(h.hospital, str(h.year), _money(h.budget), _money(h.actual), _money(h.saving),
                          _money(h.retained), withheld)
        stdout().print(table)
    for note in report.notes:
        info(note)
    for b in report.bad:
        info(str(b))
    info(f"留用合计 total retained: {_money(report.retained)}; {len(report.bad)} 条错误 bad field(s)")
    if report.bad:
        raise typer.Exit(EXIT_BAD_INPUT)


def register(app: typer.Typer) -> None:
    app.add_typer(drg_app, name="drg")
    app.add_typer(vbp_app, name="vbp")
