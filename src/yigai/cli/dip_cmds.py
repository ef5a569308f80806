"""``yigai dip build|score|settle|whatif``: DIP (按病种分值付费) over case files.

Thin over :mod:`yigai.services.payment`: small inputs run the reference engine, large ones (from
``COLUMNAR_FROM`` cases) the columnar engine; both give the same figures.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from yigai.cli.common import FormatOpt, OutputFormat, UserOpt, info, opened, who
from yigai.cli.edge import EdgeGroup
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
    CurrentOpt,
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
    WeightsOpt,
    XlsxOpt,
    emit,
    exit_for,
    levels,
    load_cases,
    outlier_rule,
    parameter_rows,
    report_unsettled,
    require,
    say_parameters,
    settle_params,
    terms_not_settled,
    unsettled_json,
    write_workbook,
    year_weights,
)
from yigai.payment.dip import Catalogue, DipParams
from yigai.payment.engines import COLUMNAR_FROM, Engine
from yigai.payment.export import Sheet
from yigai.payment.indicators import dip_values, inputs_hash
from yigai.payment.settlement import OutlierBase
from yigai.settings import Settings

if TYPE_CHECKING:
    from yigai.payment.case_table import CaseTable
    from yigai.storage.uow import UnitOfWork

# The engines (NumPy, Arrow) and the record store (DuckDB) are imported by the commands that run
# them: `yigai --help`, and every other command, start without them.

dip_app = typer.Typer(
    cls=EdgeGroup,
    no_args_is_help=True,
    help=(
        "DIP 按病种分值付费: catalogue from historical cases, scores, point values, settlement, what-if.\n\n"
        "Example: yigai dip settle --history 2021.csv --history 2022.csv --history 2023.csv --current 2024.csv "
        "--budget 5.2e8 --ratio 0.7"
    ),
)

HistoryYearOpt = Annotated[
    list[int] | None,
    typer.Option(
        "--history-year",
        help="Instead of --history: a year of 出院病案 in the record store (yigai records load), repeat.",
        show_default=False,
    ),
]
CurrentYearOpt = Annotated[
    int | None,
    typer.Option(
        "--current-year",
        help="Instead of --current: the year of 出院病案 in the record store to score or settle.",
        show_default=False,
    ),
]
ThresholdOpt = Annotated[int, typer.Option("--threshold", help="Cases for a core group (核心病种).")]
PrimaryOpt = Annotated[
    list[str] | None,
    typer.Option("--primary", help="A group declared 基层病种, e.g. 'J18.9|-' (repeat).", show_default=False),
]
EngineOpt = Annotated[
    Engine,
    typer.Option(
        "--engine",
        help=f"auto: the columnar engine from {COLUMNAR_FROM:,} cases, else the reference engine (same figures).",
    ),
]


WriteOpt = Annotated[
    bool,
    typer.Option(
        "--write",
        help="Save DIP 覆盖机构数, 核心病种入组率, 结余留用金额 and the "
        "settlement point value in the indicator store (computed values, "
        "versioned): per hospital where the hospital code is an org unit, and for "
        "the district.",
    ),
]
ValuesPeriodOpt = Annotated[
    str | None,
    typer.Option(
        "--period", help="Period of the saved values (default: the year of the current cases).", show_default=False
    ),
]
DistrictOpt = Annotated[
    str | None,
    typer.Option(
        "--district",
        help="District org unit of the district values (default: the only district org unit).",
        show_default=False,
    ),
]

GROUP_SHEET = "病种目录"
GROUP_HEADERS = ("病种 group", "类型 kind", "例数 cases", "均费 mean", "RW", "分值 points", "基层病种 primary")


@dataclasses.dataclass(frozen=True)
class _Inputs:
    """The run's cases, the records refused on the way, and what identifies them for the inputs hash."""

    history: CaseTable
    current: CaseTable | None
    files: list[Path]
    store_digests: list[str]
    bad: list[Bad]

    def hash(self, *parameters: object) -> str:
        extra = [{"record_store": self.store_digests}] if self.store_digests else []
        return inputs_hash(self.files, *parameters, *extra)


def _from_store(years: Sequence[int], what: str) -> tuple[CaseTable, str, list[Bad]]:
    """The 出院病案 of ``years`` from the record store; bad records listed by case id, self-pay counted."""
    from yigai.payment.store_cases import load_store_cases
    from yigai.records.store import open_store

    with open_store(Settings.from_env().analytics_path, read_only=True) as store:
        got = load_store_cases(store.conn, years)
    bad = [Bad(f"记录库 record store {what}", None, b.field, b.case_id or b.value, b.reason) for b in got.load.bad]
    for b in bad:
        info(b.line())
    if got.load.bad:
        info(f"{len(got.load.bad)} 条记录有误，已排除 bad records set aside")
    if got.missing:
        raise typer.BadParameter(
            f"the record store has no insured discharges in {list(got.missing)} / 记录库中没有 "
            f"{'、'.join(map(str, got.missing))} 年的医保出院病案",
            param_hint=f"--{what}-year",
        )
    info(
        f"记录库 record store: {what} {'、'.join(map(str, got.years))} 年 {len(got.load.cases):,} 例 cases"
        + (f"；自费 {got.self_pay:,} 例不属 DIP，未计入 self-pay discharges left out" if got.self_pay else "")
    )
    require(got.load.cases, bad, what, "记录库 record store")
    return got.load.cases, got.digest, bad


def _sync_store_units(uow: UnitOfWork, author: str) -> None:
    """Create the record store's district, towns and institutions the org units lack (as ``compute --write``)."""
    from yigai.records.store import open_store
    from yigai.services.computed_values import sync_record_orgunits

    with open_store(Settings.from_env().analytics_path, read_only=True) as store:
        added = sync_record_orgunits(uow, author, store.conn)
    if added:
        info(
            f"记录库中的 {added} 个区县、街道和机构已加入机构档案 / {added} district, town and institution "
            "units of the record store added to the org units"
        )


def _inputs(
    history: Sequence[Path] | None,
    history_years: Sequence[int] | None,
    current: Path | None = None,
    current_year: int | None = None,
    *,
    needs_current: bool = True,
) -> _Inputs:
    """Cases from files or from the record store: one source for the history, one for the current year."""
    if bool(history) == bool(history_years):
        raise typer.BadParameter(
            "give --history FILE or --history-year YEAR (not both) / 请给出 --history 文件或 "
            "--history-year 年度（二选一）",
            param_hint="--history",
        )
    if needs_current and (current is None) == (current_year is None):
        raise typer.BadParameter(
            "give --current FILE or --current-year YEAR (not both) / 请给出 --current 文件或 "
            "--current-year 年度（二选一）",
            param_hint="--current",
        )
    digests: list[str] = []
    if history:
        past, bad = load_cases(history, "history")
    else:
        past, digest, bad = _from_store(history_years or [], "history")
        digests.append(digest)
    now: CaseTable | None = None
    if needs_current and current is not None:
        now, more = load_cases([current], "current")
        bad += more
    elif needs_current and current_year is not None:
        now, digest, more = _from_store([current_year], "current")
        digests.append(digest)
        bad += more
    files = [*sorted(set(history or [])), *([current] if current is not None else [])]  # as hashed before
    return _Inputs(past, now, files, digests, bad)


def _params(
    threshold: int,
    weights: str,
    level: Sequence[str] | None = None,
    primary: Sequence[str] | None = None,
    low: float = 0.5,
    high: float = 2.0,
    extreme: float = 5.0,
    base: OutlierBase = OutlierBase.GROUP,
) -> DipParams:
    rule = outlier_rule(low, high, extreme)
    return DipParams(
        threshold=threshold,
        year_weights=year_weights(weights),
        level_coefficients=levels(level),
        primary_groups=frozenset(primary or ()),
        low=rule.low,
        high=rule.high,
        extreme=rule.extreme,
        outlier_base=base,
    )


def _parameters(p: DipParams) -> dict[str, Any]:
    """What the figures depend on, recorded with them (console, JSON, XLSX)."""
    return {
        "threshold": p.threshold,
        "year_weights": ",".join(f"{w:g}" for w in p.year_weights),
        "scale": p.scale,
        "outlier_base": str(p.outlier_base),
        "low": p.low,
        "high": p.high,
        "extreme": p.extreme,
        "level_coefficients": ",".join(f"{k}={v:g}" for k, v in (p.level_coefficients or {}).items())
        or "derived / 由历史推算",
        "primary_groups": ",".join(sorted(p.primary_groups)),
    }


def _group_rows(cat: Catalogue) -> list[tuple[Any, ...]]:
    groups = sorted(cat.groups.values(), key=lambda g: (g.kind, -g.n_cases, g.key))
    return [(g.key, g.kind, g.n_cases, g.mean_cost, g.rw, g.points, "是" if g.primary else "") for g in groups]


@dip_app.command("build")
def build(
    history: HistoryOpt = None,
    history_year: HistoryYearOpt = None,
    threshold: ThresholdOpt = 15,
    year_weights: WeightsOpt = "1,2,7",
    level: LevelOpt = None,
    primary: PrimaryOpt = None,
    xlsx: XlsxOpt = None,
    fmt: FormatOpt = OutputFormat.TABLE,
    engine: EngineOpt = Engine.AUTO,
) -> None:
    """Build the DIP catalogue: core and comprehensive groups with mean cost, RW and points.

    Example: yigai dip build --history 2021.csv --history 2022.csv --history 2023.parquet --xlsx 病种目录.xlsx

    Example: yigai dip build --history-year 2022 --history-year 2023 --year-weights 1,3
    """
    from yigai.services import payment

    inputs = _inputs(history, history_year, needs_current=False)
    cat, _ = payment.build(inputs.history, _params(threshold, year_weights, level, primary), engine)
    rows = _group_rows(cat)
    info(
        f"核心病种入组率 core share {cat.core_share:.1%}；区域均值 M {cat.regional_mean:,.2f}；"
        f"预算点值 budget point value {cat.budget_point_value:,.4f}"
    )
    emit(
        f"DIP {GROUP_SHEET} catalogue",
        GROUP_HEADERS[:6],
        [r[:6] for r in rows],
        fmt,
        None,
        [dataclasses.asdict(cat.groups[r[0]]) for r in rows],
    )
    if xlsx is not None:
        write_workbook(xlsx, [Sheet(GROUP_SHEET, GROUP_HEADERS, rows)])
    exit_for(inputs.bad)


@dip_app.command("score")
def score(
    history: HistoryOpt = None,
    current: CurrentOpt = None,
    history_year: HistoryYearOpt = None,
    current_year: CurrentYearOpt = None,
    threshold: ThresholdOpt = 15,
    year_weights: WeightsOpt = "1,2,7",
    level: LevelOpt = None,
    primary: PrimaryOpt = None,
    xlsx: XlsxOpt = None,
    fmt: FormatOpt = OutputFormat.TABLE,
    engine: EngineOpt = Engine.AUTO,
    low: LowOpt = 0.5,
    high: HighOpt = 2.0,
    extreme: ExtremeOpt = 5.0,
    outlier_base: OutlierBaseOpt = OutlierBase.GROUP,
) -> None:
    """Score the cases of a year: group, level coefficient, outlier coefficient, points; ungrouped with reasons.

    Example: yigai dip score --history 2022.csv --history 2023.csv --current 2024.csv --year-weights 1,3

    Example: yigai dip score --history 2023.csv --current 2024.csv --outlier-base level --low 0.4 --high 3 --extreme 6
    """
    from yigai.services import payment

    params = _params(threshold, year_weights, level, primary, low, high, extreme, outlier_base)
    inputs = _inputs(history, history_year, current, current_year)
    assert inputs.current is not None
    result = payment.score(inputs.history, inputs.current, params, engine)
    say_parameters(_parameters(params))
    rows: list[tuple[Any, ...]] = list(result.scored)
    rows += [(cid, h, "—", 0.0, 0.0, 0.0, f"未入组：{why}", 0.0) for cid, h, why in result.ungrouped]
    data = {
        "scored": [
            {
                "case_id": r[0],
                "hospital": r[1],
                "group": r[2],
                "base_points": r[3],
                "level_coefficient": r[4],
                "k_dev": r[5],
                "label": r[6],
                "points": r[7],
            }
            for r in rows
        ],
        "unsettled": unsettled_json(result.ungrouped),
        "bad": [b.as_json() for b in inputs.bad],
        "parameters": _parameters(params),
    }
    emit(
        "DIP 病例分值 case points",
        (
            "病例 case",
            "机构 hospital",
            "病种 group",
            "基准分值 base",
            "级别系数 level",
            "偏差系数 k",
            "标记 label",
            "分值 points",
        ),
        rows,
        fmt,
        xlsx,
        data,
        [
            Sheet(GROUP_SHEET, GROUP_HEADERS, _group_rows(result.catalogue)),
            Sheet(PARAMS_SHEET, PARAMS_HEADERS, parameter_rows(_parameters(params))),
        ],
    )
    report_unsettled(result.ungrouped, "未评分", "scored")
    exit_for(inputs.bad, result.ungrouped)


@dip_app.command("settle")
def settle_cmd(
    budget: BudgetOpt,
    ratio: RatioOpt,
    history: HistoryOpt = None,
    current: CurrentOpt = None,
    history_year: HistoryYearOpt = None,
    current_year: CurrentYearOpt = None,
    threshold: ThresholdOpt = 15,
    year_weights: WeightsOpt = "1,2,7",
    level: LevelOpt = None,
    primary: PrimaryOpt = None,
    xlsx: XlsxOpt = None,
    fmt: FormatOpt = OutputFormat.TABLE,
    terms: TermsOpt = None,
    band: BandOpt = 0.2,
    surplus_share: SurplusOpt = 1.0,
    overrun_share: OverrunOpt = 0.5,
    engine: EngineOpt = Engine.AUTO,
    write: WriteOpt = False,
    period: ValuesPeriodOpt = None,
    district: DistrictOpt = None,
    user: UserOpt = None,
    low: LowOpt = 0.5,
    high: HighOpt = 2.0,
    extreme: ExtremeOpt = 5.0,
    outlier_base: OutlierBaseOpt = OutlierBase.GROUP,
) -> None:
    """Settle a year per hospital: points, entitlement, fund due, retained surplus or shared overrun, final.

    The XLSX file gets four sheets: 年度清算 (per hospital, every figure), 病种目录 (per group),
    未入组病例 (cases that could not be grouped or scored, with the reason) and 参数 (the parameters).
    Cases not settled are also counted and listed on stderr and in JSON (``unsettled``), refused
    records in ``bad``; either makes the exit code 2.

    Example: yigai dip settle --history 2022.csv --history 2023.csv --current 2024.csv --budget 107600 --ratio 0.8

    Example: yigai dip settle --history 2023.parquet --current 2024.parquet --budget 5.2e8 --ratio 0.7 --write

    Example: yigai dip settle --history 2023.csv --current 2024.csv --budget 5.2e8 --ratio 0.7 --terms 考核与预拨.xlsx

    Example: yigai dip settle --history-year 2022 --history-year 2023 --current-year 2024 --budget 5.2e8 --ratio 0.7

    Example: yigai dip settle --history 2023.csv --current 2024.csv --budget 5.2e8 --ratio 0.7 --outlier-base level
    """
    from yigai.services import payment

    params = _params(threshold, year_weights, level, primary, low, high, extreme, outlier_base)
    sp, sheet = settle_params(budget, ratio, terms, band, surplus_share, overrun_share)
    inputs = _inputs(history, history_year, current, current_year)
    cur = inputs.current
    assert cur is not None
    if write and period is None:
        years = payment.settle_years(cur)
        if len(years) != 1:
            raise typer.BadParameter(
                f"the current cases span {years}: give --period / 当年病例跨多个年度，请指定 --period",
                param_hint="--period",
            )
        period = str(years[0])
    result = payment.settle(inputs.history, cur, params, sp, engine)
    hospitals = [result.hospitals[h] for h in sorted(result.hospitals)]
    terms_not_settled(sheet, list(result.hospitals))
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
    parameters = _parameters(params)
    say_parameters(parameters)
    info(f"结算点值 settlement point value {result.point_value:,.4f}；总分值 total points {result.total_points:,.2f}")
    if xlsx is not None:
        write_workbook(
            xlsx,
            [
                Sheet(SETTLE_SHEET, SETTLE_HEADERS, [tuple(dataclasses.astuple(h)) for h in hospitals]),
                Sheet(GROUP_SHEET, GROUP_HEADERS, _group_rows(result.catalogue)),
                Sheet(UNGROUPED_SHEET, UNGROUPED_HEADERS, result.ungrouped),
                Sheet(PARAMS_SHEET, PARAMS_HEADERS, parameter_rows(parameters)),
            ],
        )
    emit(
        "DIP 年度清算 settlement",
        SETTLE_COLUMNS,
        rows,
        fmt,
        None,
        {
            "point_value": result.point_value,
            "hospitals": [dataclasses.asdict(h) for h in hospitals],
            "unsettled": unsettled_json(result.ungrouped),
            "bad": [b.as_json() for b in inputs.bad],
            "parameters": parameters,
        },
    )
    report_unsettled(result.ungrouped)
    if write:
        assert period is not None
        values = dip_values(result.hospitals, result.point_value, result.core_cases, result.all_cases)
        with opened() as built:
            author = who(built, user).username
            if inputs.store_digests:  # the hospitals are the record store's institutions: make them org units
                _sync_store_units(built.uow(), author)
            saved = payment.write_indicators(
                built.uow(),
                author,
                {period: values},
                inputs.hash(params, sp),
                district,
                comment=f"yigai dip settle {current.name if current else f'--current-year {current_year}'}",
            )
        info(
            f"已保存指标 saved to the indicator store ({period}, 区县 district {saved.district}): 新版本 new versions "
            f"{saved.created}, 未变 unchanged {saved.unchanged}; 机构 hospitals {len(saved.hospitals_saved)}"
        )
        if saved.hospitals_not_units:
            info(
                f"不是机构档案中的机构，仅计入区县值 not org units, counted in the district only: "
                f"{'、'.join(saved.hospitals_not_units)}"
            )
    exit_for(inputs.bad, result.ungrouped)


@dip_app.command("whatif")
def whatif_cmd(
    budget: BudgetOpt,
    ratio: RatioOpt,
    history: HistoryOpt = None,
    current: CurrentOpt = None,
    history_year: HistoryYearOpt = None,
    current_year: CurrentYearOpt = None,
    threshold: ThresholdOpt = 15,
    year_weights: WeightsOpt = "1,2,7",
    level: LevelOpt = None,
    primary: PrimaryOpt = None,
    terms: TermsOpt = None,
    band: BandOpt = 0.2,
    surplus_share: SurplusOpt = 1.0,
    overrun_share: OverrunOpt = 0.5,
    alt_budget: Annotated[
        float | None, typer.Option("--alt-budget", help="Budget of the alternative run.", show_default=False)
    ] = None,
    alt_threshold: Annotated[
        int | None,
        typer.Option("--alt-threshold", help="Core-group threshold of the alternative run.", show_default=False),
    ] = None,
    fmt: FormatOpt = OutputFormat.TABLE,
    engine: EngineOpt = Engine.AUTO,
    low: LowOpt = 0.5,
    high: HighOpt = 2.0,
    extreme: ExtremeOpt = 5.0,
    outlier_base: OutlierBaseOpt = OutlierBase.GROUP,
) -> None:
    """Rerun the settlement with a changed budget or threshold and show each hospital's difference.

    Example: yigai dip whatif --history 2023.csv --current 2024.csv --budget 107600 --ratio 0.8 --alt-budget 121050
    """
    from yigai.services import payment

    params = _params(threshold, year_weights, level, primary, low, high, extreme, outlier_base)
    sp, _ = settle_params(budget, ratio, terms, band, surplus_share, overrun_share)
    base = (params, sp)
    alt_params = dataclasses.replace(params, threshold=alt_threshold) if alt_threshold is not None else None
    alt_settle = dataclasses.replace(sp, fund_budget=alt_budget) if alt_budget is not None else None
    inputs = _inputs(history, history_year, current, current_year)
    assert inputs.current is not None
    diffs = payment.whatif(inputs.history, inputs.current, base, (alt_params, alt_settle), engine)
    rows = [(h, d.delta("points"), d.delta("entitlement"), d.delta("final")) for h, d in diffs.items()]
    say_parameters(_parameters(params))
    emit(
        "DIP 测算差异 what-if",
        ("机构 hospital", "分值差 Δpoints", "应得差 Δentitlement", "清算差 Δfinal"),
        rows,
        fmt,
        None,
        [{"hospital": r[0], "points": r[1], "entitlement": r[2], "final": r[3]} for r in rows],
    )
    exit_for(inputs.bad)


def register(app: typer.Typer) -> None:
    app.add_typer(dip_app, name="dip")
