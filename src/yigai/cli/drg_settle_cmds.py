"""``yigai drg settle``: DRG point settlement (按病组点数法) over case files, shaped as ``yigai dip settle``.

Thin over :mod:`yigai.payment.drg_settle`; the options, the clearing and the reporting of what was
refused or set aside are those of ``yigai dip settle`` (:mod:`yigai.cli.settle_common`).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from yigai.cli.common import FormatOpt, OutputFormat, info
from yigai.cli.settle_common import (
    PARAMS_HEADERS,
    PARAMS_SHEET,
    SETTLE_COLUMNS,
    SETTLE_HEADERS,
    SETTLE_SHEET,
    UNGROUPED_HEADERS,
    UNGROUPED_SHEET,
    Bad,
    BandOpt,
    BudgetOpt,
    ExtremeOpt,
    HighOpt,
    HistoryOpt,
    LevelOpt,
    LowOpt,
    OutlierBaseOpt,
    OverrunOpt,
    RatioOpt,
    SurplusOpt,
    TermsOpt,
    XlsxOpt,
    emit,
    exit_for,
    levels,
    load_cases,
    outlier_rule,
    parameter_rows,
    report_unsettled,
    say_parameters,
    settle_params,
    terms_not_settled,
    unsettled_json,
    year_weights,
)
from yigai.payment.export import Sheet
from yigai.payment.settlement import OutlierBase

if TYPE_CHECKING:
    from yigai.payment.cases import Case
    from yigai.payment.drg_settle import DrgSettlement

CASE_SHEET = "病例点数"
CASE_HEADERS = (
    "病例 case",
    "机构 hospital",
    "DRG",
    "RW",
    "基准点数 base points",
    "级别系数 level",
    "费用基准 expected cost",
    "总费用 cost",
    "偏差系数 k",
    "标记 label",
    "点数 points",
)

CurrentFileOpt = Annotated[
    Path,
    typer.Option(
        "--current",
        help="Case file (.csv/.parquet/.xlsx) of the year to "
        "settle: the DIP case columns, plus drg (DRG编码) where grouped.",
        show_default=False,
    ),
]
RegionalOpt = Annotated[
    str | None,
    typer.Option(
        "--weights",
        help="Regional weight list: a shipped one by name "
        "(e.g. 福州2022; `yigai drg weights` lists them) or a CSV/XLSX "
        "file with DRG编码 and RW columns. Default: RW from --history.",
        show_default=False,
    ),
]
BaseCostOpt = Annotated[
    float | None,
    typer.Option(
        "--base-cost",
        min=0,
        help="Cost of RW 1 (例均费用) for the expected cost of a DRG; default: the history's mean cost per case.",
        show_default=False,
    ),
]
ScaleOpt = Annotated[float, typer.Option("--scale", min=0, help="Base points = RW × scale (the region's base).")]
PackOpt = Annotated[
    Path | None,
    typer.Option(
        "--pack", help="Rule pack that groups the cases without a DRG (as yigai drg group).", show_default=False
    ),
]


def _drg_cases(path: Path, what: str) -> tuple[list[Case], list[Bad]]:
    table, bad = load_cases([path], what)
    return table.to_cases(), bad


def _grouped(cases: list[Case], pack: Path | None, what: str) -> tuple[list[Case], dict[str, str]]:
    """Group the cases that come without a DRG, by the grouper's public interface; say how many."""
    if all(c.drg for c in cases):
        return cases, {}
    from yigai.payment.drg import PackError, load_pack
    from yigai.payment.drg_settle import assign_drgs

    try:
        rules = load_pack(pack)
    except PackError as exc:
        raise typer.BadParameter(str(exc), param_hint="--pack") from None
    got = assign_drgs(cases, rules)
    info(
        f"{what}: {got.grouped_here:,} 例没有 DRG 编码，已按规则包 {rules.name} 分组 / cases grouped by the pack"
        + ("（示意规则包，非国家分组方案 / the illustrative demo pack）" if rules.illustrative else "")
    )
    return got.cases, got.reasons


def _parameters(result: DrgSettlement, pack: Path | None) -> dict[str, Any]:
    cat = result.catalogue
    p = cat.params
    return {
        "weights": cat.source,
        "scale": p.scale,
        "base_cost": cat.regional_mean,
        "year_weights": ",".join(f"{w:g}" for w in p.year_weights),
        "outlier_base": str(p.outlier_base),
        "low": p.low,
        "high": p.high,
        "extreme": p.extreme,
        "level_coefficients": ",".join(f"{k}={v:g}" for k, v in cat.level_coefficients.items()),
        "pack": str(pack) if pack is not None else "",
    }


def drg_settle(
    budget: BudgetOpt,
    ratio: RatioOpt,
    current: CurrentFileOpt,
    history: HistoryOpt = None,
    weights: RegionalOpt = None,
    base_cost: BaseCostOpt = None,
    scale: ScaleOpt = 100.0,
    year_weights_: Annotated[
        str, typer.Option("--year-weights", help="Weights of the historical years, oldest first.")
    ] = "1,2,7",
    level: LevelOpt = None,
    low: LowOpt = 0.5,
    high: HighOpt = 2.0,
    extreme: ExtremeOpt = 5.0,
    outlier_base: OutlierBaseOpt = OutlierBase.GROUP,
    pack: PackOpt = None,
    terms: TermsOpt = None,
    band: BandOpt = 0.2,
    surplus_share: SurplusOpt = 1.0,
    overrun_share: OverrunOpt = 0.5,
    xlsx: XlsxOpt = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Settle a year by DRG points per hospital: points, entitlement, fund due, retained or shared, final.

    Base points = RW × --scale; RW from a regional list (--weights 福州2022) or from the history
    (RW_d = mean cost of DRG d / mean cost per case). Each case's points = base × level coefficient ×
    outlier coefficient (低倍率 / 高倍率 / 特例单议, as DIP); point value = (budget / ratio) / Σ points;
    each hospital's clearing (结余留用 / 合理超支分担) as `yigai dip settle`. A case's DRG comes from
    the file's drg (DRG编码) column, or the grouper (--pack) finds it.

    The XLSX file gets four sheets: 年度清算, 病例点数 (per case), 未入组病例 (cases not settled, with
    the reason) and 参数. Cases not settled are counted and listed on stderr and in JSON; refused
    records and cases set aside make the exit code 2.

    Example: yigai drg settle --current 2024.csv --weights 福州2022 --history 2023.csv --budget 5.2e8 --ratio 0.7

    Example: yigai drg settle --current 2024.csv --weights 区域权重.csv --base-cost 10000 --level 三级=1.2
    --budget 118240 --ratio 0.8 --terms 考核与预拨.csv
    """
    from yigai.payment.drg_settle import DrgParams, DrgSettleError, build_catalogue, settle
    from yigai.payment.drg_weights import WeightListError, load_weight_list

    rule = outlier_rule(low, high, extreme)
    sp, sheet = settle_params(budget, ratio, terms, band, surplus_share, overrun_share)
    try:
        regional = load_weight_list(weights) if weights is not None else None
    except WeightListError as exc:
        raise typer.BadParameter(str(exc), param_hint="--weights") from None
    if regional is not None and (regional.conflicts or regional.without_rw):
        info(
            f"权重表 {regional.name}: {len(regional.without_rw)} 个 DRG 无权重, {len(regional.conflicts)} 个重复且权重不同"
            f"，其病例不结算 / DRGs without a usable weight: their cases are not settled"
        )
    cur, bad = _drg_cases(current, "current")
    past: list[Case] = []
    for path in history or []:
        more, more_bad = _drg_cases(path, "history")
        past += more
        bad += more_bad
    cur, reasons = _grouped(cur, pack, "current")
    past, _ = _grouped(past, pack, "history")
    params = DrgParams(
        scale=scale,
        year_weights=year_weights(year_weights_),
        low=rule.low,
        high=rule.high,
        extreme=rule.extreme,
        outlier_base=outlier_base,
        level_coefficients=levels(level),
        base_cost=base_cost,
    )
    try:
        result = settle(build_catalogue(past, params, regional), cur, sp, reasons)
    except DrgSettleError as exc:
        raise typer.BadParameter(str(exc)) from None
    _show(result, sheet, bad, pack, xlsx, fmt)


def _show(
    result: DrgSettlement, sheet: Any, bad: list[Bad], pack: Path | None, xlsx: Path | None, fmt: OutputFormat
) -> None:
    hospitals = [result.hospitals[h] for h in sorted(result.hospitals)]
    terms_not_settled(sheet, list(result.hospitals))
    parameters = _parameters(result, pack)
    say_parameters(parameters)
    info(f"结算点值 settlement point value {result.point_value:,.4f}；总点数 total points {result.total_points:,.2f}")
    unsettled = [(n.case.case_id, n.case.hospital, n.reason) for n in result.scoring.not_settled]
    special = [s.case.case_id for s in result.scoring.special_review]
    if special:
        info(f"特例单议 special review ({len(special)}): {'、'.join(special)}")
    case_rows = [
        (
            s.case.case_id,
            s.case.hospital,
            s.drg,
            s.rw,
            s.base_points,
            s.level_coefficient,
            s.expected_cost,
            s.case.total_cost,
            s.k_dev,
            s.label,
            s.points,
        )
        for s in result.scoring.scored
    ]
    rows = [
        (
            h.hospital,
            h.cases,
            h.points,
            h.entitlement,
            h.fund_due,
            h.assessment,
            h.retained,
            h.shared_overrun,
            h.payment,
            h.advances,
            h.final,
        )
        for h in hospitals
    ]
    more = [
        Sheet(CASE_SHEET, CASE_HEADERS, case_rows),
        Sheet(UNGROUPED_SHEET, UNGROUPED_HEADERS, unsettled),
        Sheet(PARAMS_SHEET, PARAMS_HEADERS, parameter_rows(parameters)),
    ]
    emit(
        "DRG 年度清算 settlement",
        SETTLE_COLUMNS,
        rows,
        fmt,
        None,
        {
            "point_value": result.point_value,
            "total_points": result.total_points,
            "parameters": parameters,
            "hospitals": [dataclasses.asdict(h) for h in hospitals],
            "cases": [
                dict(
                    zip(
                        (
                            "case_id",
                            "hospital",
                            "drg",
                            "rw",
                            "base_points",
                            "level_coefficient",
                            "expected_cost",
                            "cost",
                            "k_dev",
                            "label",
                            "points",
                        ),
                        r,
                        strict=True,
                    )
                )
                for r in case_rows
            ],
            "special_review": special,
            "unsettled": unsettled_json(unsettled),
            "bad": [b.as_json() for b in bad],
        },
    )
    if xlsx is not None:
        from yigai.cli.settle_common import write_workbook

        write_workbook(xlsx, [Sheet(SETTLE_SHEET, SETTLE_HEADERS, [dataclasses.astuple(h) for h in hospitals]), *more])
    report_unsettled(unsettled)
    exit_for(bad, unsettled)


def drg_weights_cmd(fmt: FormatOpt = OutputFormat.TABLE) -> None:
    """List the shipped regional DRG weight lists (name, DRGs with a weight, without one).

    Example: yigai drg weights

    Provenance and licence: yigai/data/drg_weights/NOTICE.md (OpenDRG, Apache-2.0).
    """
    from yigai.payment.drg_weights import load_weight_list, shipped_lists

    rows = []
    for name in shipped_lists():
        w = load_weight_list(name)
        rows.append((name, len(w.weights), len(w.without_rw) + len(w.conflicts)))
    emit(
        "区域DRG权重表 regional DRG weight lists",
        ("名称 name", "有权重 with RW", "无权重 without RW"),
        rows,
        fmt,
        None,
        [{"name": n, "with_rw": a, "without_rw": b} for n, a, b in rows],
    )


def register(drg_app: typer.Typer) -> None:
    drg_app.command("settle")(drg_settle)
    drg_app.command("weights")(drg_weights_cmd)
