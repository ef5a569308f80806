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
from yigai.cli.edge import EXIT_BAD_INPUT, EdgeGroup, stdout
from yigai.cli.render import print_json
from yigai.settings import Settings
from yigai.payment.engines import COLUMNAR_FROM, Engine

if TYPE_CHECKING:  # the heavy modules load when a command runs (yigai --help stays fast)
    from yigai.payment.case_table import CaseTable
    from yigai.payment.dip import Catalogue, DipParams, SettleParams
    from yigai.payment.export import Sheet
    from yigai.payment.settle_terms import SettleTerms
    from yigai.storage.uow import UnitOfWork

# The engines (NumPy, Arrow) and the record store (DuckDB) are imported by the commands that run
# them: `yigai --help`, and every other command, start without them.

dip_app = typer.Typer(cls=EdgeGroup, no_args_is_help=True, help=(
    "DIP 按病种分值付费: catalogue from historical cases, scores, point values, settlement, what-if.\n\n"
    "Example: yigai dip settle --history 2021.csv --history 2022.csv --history 2023.csv --current 2024.csv "
    "--budget 5.2e8 --ratio 0.7"))

HistoryOpt = Annotated[list[Path] | None, typer.Option("--history", help="Historical case file "
                                                       "(.csv/.parquet/.xlsx), repeat for each year, oldest first.",
                                                       show_default=False)]
CurrentOpt = Annotated[Path | None, typer.Option("--current", help="Case file (.csv/.parquet/.xlsx) of the year to "
                                                 "score or settle.", show_default=False)]
HistoryYearOpt = Annotated[list[int] | None, typer.Option("--history-year", help="Instead of --history: a year of "
                                                          "出院病案 in the record store (yigai records load), repeat.",
                                                          show_default=False)]
CurrentYearOpt = Annotated[int | None, typer.Option("--current-year", help="Instead of --current: the year of "
                                                    "出院病案 in the record store to score or settle.",
                                                    show_default=False)]
ThresholdOpt = Annotated[int, typer.Option("--threshold", help="Cases for a core group (核心病种).")]
WeightsOpt = Annotated[str, typer.Option("--year-weights", help="Weights of the historical years, oldest first.")]
BudgetOpt = Annotated[float, typer.Option("--budget", help="The year's DIP fund budget F_DIP (元).",
                                          show_default=False)]
RatioOpt = Annotated[float, typer.Option("--ratio", help="Reimbursement ratio r (0-1).", show_default=False)]
LevelOpt = Annotated[list[str] | None, typer.Option("--level", help="Hospital-level coefficient, e.g. 三级=1.2 (repeat); "
                                                "default: derived from the history.", show_default=False)]
PrimaryOpt = Annotated[list[str] | None, typer.Option("--primary", help="A group declared 基层病种, e.g. 'J18.9|-' "
                                                      "(repeat).", show_default=False)]
XlsxOpt = Annotated[Path | None, typer.Option("--xlsx", help="Also write the tables to this XLSX file (one sheet "
                                              "each).", show_default=False)]
EngineOpt = Annotated[Engine, typer.Option("--engine", help=f"auto: the columnar engine from "
                                           f"{COLUMNAR_FROM:,} cases, else the reference engine (same "
                                           "figures).")]

TermsOpt = Annotated[Path | None, typer.Option("--terms", help="Per-hospital terms (.csv/.xlsx, one row per "
                                               "hospital): 机构, 考核系数 (default 1), 月度预拨 (advances paid, "
                                               "default 0), 医保已记账 (default: the fund paid on its DIP cases).",
                                               show_default=False)]
BandOpt = Annotated[float, typer.Option("--band", min=0, help="Surplus or overrun counted up to this share of the "
                                        "assessed fund due (合理区间).")]
SurplusOpt = Annotated[float, typer.Option("--surplus-share", min=0, max=1, help="Share of the counted surplus the "
                                           "hospital keeps (结余留用比例).")]
OverrunOpt = Annotated[float, typer.Option("--overrun-share", min=0, max=1, help="Share of the counted overrun the "
                                           "fund bears (超支分担比例).")]

WriteOpt = Annotated[bool, typer.Option("--write", help="Save DIP 覆盖机构数, 核心病种入组率, 结余留用金额 and the "
                                        "settlement point value in the indicator store (computed values, "
                                        "versioned): per hospital where the hospital code is an org unit, and for "
                                        "the district.")]
ValuesPeriodOpt = Annotated[str | None, typer.Option("--period", help="Period of the saved values (default: the "
                                                     "year of the current cases).", show_default=False)]
DistrictOpt = Annotated[str | None, typer.Option("--district", help="District org unit of the district values "
                                                 "(default: the only district org unit).", show_default=False)]

GROUP_SHEET = "病种目录"
GROUP_HEADERS = ("病种 group", "类型 kind", "例数 cases", "均费 mean", "RW", "分值 points", "基层病种 primary")
UNGROUPED_SHEET = "未入组病例"
UNGROUPED_HEADERS = ("病例 case", "机构 hospital", "原因 reason")
SETTLE_SHEET = "年度清算"
SETTLE_HEADERS = ("机构 hospital", "例数 cases", "分值 points", "应得 entitlement", "个人支付 patient paid",
                  "医保应付 fund due", "考核系数 assessment", "考核后应付 assessed due", "医保已记账 booked fund",
                  "结余留用 retained", "超支分担 shared", "清算支付 payment", "月度预拨 advances", "清算结果 final")


def _cases(paths: Sequence[Path]) -> CaseTable:
    """Load case files; bad records are listed on stderr (file, row, field and reason) and left out."""
    from yigai.services import payment

    loaded = payment.load(paths)
    for fb in loaded.bad:
        info(f"{fb.path.name} 第{fb.bad.row}行 row {fb.bad.row} {fb.bad.field}: {fb.bad.reason}")
    if loaded.bad:
        info(f"{len(loaded.bad)} 条记录有误，已排除 bad records set aside")
    return loaded.cases


@dataclasses.dataclass(frozen=True)
class _Inputs:
    """The run's cases and what identifies them for the inputs hash of saved values."""

    history: CaseTable
    current: CaseTable | None
    files: list[Path]
    store_digests: list[str]

    def hash(self, *parameters: object) -> str:
        from yigai.payment.indicators import inputs_hash
        extra = [{"record_store": self.store_digests}] if self.store_digests else []
        return inputs_hash(self.files, *parameters, *extra)


def _from_store(years: Sequence[int], what: str) -> tuple[CaseTable, str]:
    """The 出院病案 of ``years`` from the record store; bad records listed by case id, self-pay counted."""
    from yigai.payment.store_cases import load_store_cases
    from yigai.records.store import open_store

    with open_store(Settings.from_env().analytics_path, read_only=True) as store:
        got = load_store_cases(store.conn, years)
    for bad in got.load.bad:
        info(f"记录库 record store {what} 病案 case {bad.case_id or bad.value} {bad.field}: {bad.reason}")
    if got.load.bad:
        info(f"{len(got.load.bad)} 条记录有误，已排除 bad records set aside")
    if got.missing:
        raise typer.BadParameter(f"the record store has no insured discharges in {list(got.missing)} / 记录库中没有 "
                                 f"{'、'.join(map(str, got.missing))} 年的医保出院病案", param_hint=f"--{what}-year")
    info(f"记录库 record store: {what} {'、'.join(map(str, got.years))} 年 {len(got.load.cases):,} 例 cases"
         + (f"；自费 {got.self_pay:,} 例不属 DIP，未计入 self-pay discharges left out" if got.self_pay else ""))
    return got.load.cases, got.digest


def _sync_store_units(uow: UnitOfWork, author: str) -> None:
    """Create the record store's district, towns and institutions the org units lack (as ``compute --write``)."""
    from yigai.records.store import open_store
    from yigai.services.computed_values import sync_record_orgunits

    with open_store(Settings.from_env().analytics_path, read_only=True) as store:
        added = sync_record_orgunits(uow, author, store.conn)
    if added:
        info(f"记录库中的 {added} 个区县、街道和机构已加入机构档案 / {added} district, town and institution "
             "units of the record store added to the org units")


def _inputs(history: Sequence[Path] | None, history_years: Sequence[int] | None, current: Path | None = None,
            current_year: int | None = None, *, needs_current: bool = True) -> _Inputs:
    """Cases from files or from the record store: one source for the history, one for the current year."""
    if bool(history) == bool(history_years):
        raise typer.BadParameter("give --history FILE or --history-year YEAR (not both) / 请给出 --history 文件或 "
                                 "--history-year 年度（二选一）", param_hint="--history")
    if needs_current and (current is None) == (current_year is None):
        raise typer.BadParameter("give --current FILE or --current-year YEAR (not both) / 请给出 --current 文件或 "
                                 "--current-year 年度（二选一）", param_hint="--current")
    digests: list[str] = []
    if history:
        past = _cases(history)
    else:
        past, digest = _from_store(history_years or [], "history")
        digests.append(digest)
    now: CaseTable | None = None
    if needs_current and current is not None:
        now = _cases([current])
    elif needs_current and current_year is not None:
        now, digest = _from_store([current_year], "current")
        digests.append(digest)
    files = [*sorted(set(history or [])), *([current] if current is not None else [])]  # as hashed before
    return _Inputs(past, now, files, digests)


def _params(threshold: int, weights: str, levels: Sequence[str] | None = None,
            primary: Sequence[str] | None = None) -> DipParams:
    from yigai.payment.dip import DipParams
    try:
        year_weights = tuple(float(w) for w in weights.replace("：", ":").replace(":", ",").split(",") if w.strip())
        pairs = [item.replace("＝", "=").split("=", 1) for item in levels or []]
        coefficients = {name.strip(): float(value) for name, value in pairs} if pairs else None
    except ValueError:
        raise typer.BadParameter("--year-weights must be numbers such as 1,2,7 and --level NAME=number "
                                 "/ 年度权重与级别系数应为数字") from None
    return DipParams(threshold=threshold, year_weights=year_weights or (1.0,), level_coefficients=coefficients,
                     primary_groups=frozenset(primary or ()))


def _settle_params(budget: float, ratio: float, terms: Path | None, band: float, surplus_share: float,
                   overrun_share: float) -> tuple[SettleParams, SettleTerms | None]:
    """The clearing's parameters; every problem in the terms sheet is listed on stderr before the error."""
    from yigai.payment.dip import SettleParams
    from yigai.payment.settle_terms import SettleTermsError, load_terms
    sheet = None
    if terms is not None:
        try:
            sheet = load_terms(terms)
        except SettleTermsError as err:
            for line in err.lines():
                info(line)
            raise
    sp = SettleParams(fund_budget=budget, reimbursement_ratio=ratio,
                      assessment=sheet.assessment() if sheet else {}, advances=sheet.advances() if sheet else {},
                      booked_fund=sheet.booked_fund() if sheet else None, band=band, surplus_share=surplus_share,
                      overrun_share=overrun_share)
    return sp, sheet


def _unsettled(sheet: SettleTerms | None, settled: Sequence[str]) -> None:
    """Say which hospitals of the terms sheet have no DIP case this year: their advances are not cleared here."""
    done = set(settled)
    missing = [name for name in (sheet.names() if sheet else []) if name not in done]
    if missing:
        info(f"注意：结算参数表中以下机构本年没有入组病例，未参与清算（其预拨款需另行处理）/ no grouped cases this "
             f"year, not settled (their advances need separate handling): {'、'.join(missing)}")


def _write(path: Path, sheets: Sequence[Sheet]) -> None:
    from yigai.payment.export import write_sheets
    write_sheets(path, sheets)
    info(f"已写入 written: {path}")


def _group_rows(cat: Catalogue) -> list[tuple[Any, ...]]:
    groups = sorted(cat.groups.values(), key=lambda g: (g.kind, -g.n_cases, g.key))
    return [(g.key, g.kind, g.n_cases, g.mean_cost, g.rw, g.points, "是" if g.primary else "") for g in groups]


def _emit(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]], fmt: OutputFormat,
          xlsx: Path | None, data: Any, more: Sequence[Sheet] = ()) -> None:
    from rich.table import Table

    from yigai.payment.export import Sheet
    if xlsx is not None:
        _write(xlsx, [Sheet(title.split(" ")[1] if " " in title else title, headers, rows), *more])
    if fmt is OutputFormat.JSON:
        print_json(data)
        return
    table = Table(title=title)
    for i, h in enumerate(headers):  # a narrow terminal folds a figure onto two lines, never cuts it short
        numeric = bool(rows) and all(isinstance(r[i], int | float) for r in rows)
        table.add_column(h, overflow="fold", justify="right" if numeric else "left")
    for row in rows:
        table.add_row(*(f"{v:,.2f}" if isinstance(v, float) else str(v) for v in row))
    stdout().print(table)


@dip_app.command("build")
def build(history: HistoryOpt = None, history_year: HistoryYearOpt = None, threshold: ThresholdOpt = 15,
          year_weights: WeightsOpt = "1,2,7", level: LevelOpt = None, primary: PrimaryOpt = None, xlsx: XlsxOpt = None,
          fmt: FormatOpt = OutputFormat.TABLE, engine: EngineOpt = Engine.AUTO) -> None:
    """Build the DIP catalogue: core and comprehensive groups with mean cost, RW and points.

    Example: yigai dip build --history 2021.csv --history 2022.csv --history 2023.parquet --xlsx 病种目录.xlsx

    Example: yigai dip build --history-year 2022 --history-year 2023 --year-weights 1,3
    """
    from yigai.payment.export import Sheet
    from yigai.services import payment

    inputs = _inputs(history, history_year, needs_current=False)
    cat, _ = payment.build(inputs.history, _params(threshold, year_weights, level, primary), engine)
    rows = _group_rows(cat)
    info(f"核心病种入组率 core share {cat.core_share:.1%}；区域均值 M {cat.regional_mean:,.2f}；"
         f"预算点值 budget point value {cat.budget_point_value:,.4f}")
    _emit(f"DIP {GROUP_SHEET} catalogue", GROUP_HEADERS[:6], [r[:6] for r in rows], fmt, None,
          [dataclasses.asdict(cat.groups[r[0]]) for r in rows])
    if xlsx is not None:
        _write(xlsx, [Sheet(GROUP_SHEET, GROUP_HEADERS, rows)])


@dip_app.command("score")
def score(history: HistoryOpt = None, current: CurrentOpt = None, history_year: HistoryYearOpt = None,
          current_year: CurrentYearOpt = None, threshold: ThresholdOpt = 15, year_weights: WeightsOpt = "1,2,7",
          level: LevelOpt = None, primary: PrimaryOpt = None, xlsx: XlsxOpt = None,
          fmt: FormatOpt = OutputFormat.TABLE, engine: EngineOpt = Engine.AUTO) -> None:
    """Score the cases of a year: group, level coefficient, outlier coefficient, points; ungrouped with reasons.

    Example: yigai dip score --history 2022.csv --history 2023.csv --current 2024.csv --year-weights 1,3
    """
    from yigai.payment.export import Sheet
    from yigai.services import payment

    inputs = _inputs(history, history_year, current, current_year)
    assert inputs.current is not None
    result = payment.score(inputs.history, inputs.current, _params(threshold, year_weights, level, primary), engine)
    rows: list[tuple[Any, ...]] = list(result.scored)
    rows += [(cid, h, "—", 0.0, 0.0, 0.0, f"未入组：{why}", 0.0) for cid, h, why in result.ungrouped]
    data = {"scored": [{"case_id": r[0], "hospital": r[1], "group": r[2], "base_points": r[3],
                        "level_coefficient": r[4], "k_dev": r[5], "label": r[6], "points": r[7]} for r in rows]}
    _emit("DIP 病例分值 case points", ("病例 case", "机构 hospital", "病种 group", "基准分值 base", "级别系数 level",
                                     "偏差系数 k", "标记 label", "分值 points"), rows, fmt, xlsx, data,
          [Sheet(GROUP_SHEET, GROUP_HEADERS, _group_rows(result.catalogue))])


@dip_app.command("settle")
def settle_cmd(budget: BudgetOpt, ratio: RatioOpt, history: HistoryOpt = None, current: CurrentOpt = None,
               history_year: HistoryYearOpt = None, current_year: CurrentYearOpt = None, threshold: ThresholdOpt = 15,
               year_weights: WeightsOpt = "1,2,7", level: LevelOpt = None,
               primary: PrimaryOpt = None, xlsx: XlsxOpt = None, fmt: FormatOpt = OutputFormat.TABLE,
               terms: TermsOpt = None, band: BandOpt = 0.2, surplus_share: SurplusOpt = 1.0,
               overrun_share: OverrunOpt = 0.5, engine: EngineOpt = Engine.AUTO, write: WriteOpt = False,
               period: ValuesPeriodOpt = None, district: DistrictOpt = None, user: UserOpt = None) -> None:
    """Settle a year per hospital: points, entitlement, fund due, retained surplus or shared overrun, final.

    The XLSX file gets three sheets: 年度清算 (per hospital, every figure), 病种目录 (per group) and
    未入组病例 (cases that could not be grouped, with the reason).

    Example: yigai dip settle --history 2022.csv --history 2023.csv --current 2024.csv --budget 107600 --ratio 0.8

    Example: yigai dip settle --history 2023.parquet --current 2024.parquet --budget 5.2e8 --ratio 0.7 --write

    Example: yigai dip settle --history 2023.csv --current 2024.csv --budget 5.2e8 --ratio 0.7 --terms 考核与预拨.xlsx

    Example: yigai dip settle --history-year 2022 --history-year 2023 --current-year 2024 --budget 5.2e8 --ratio 0.7
    """
    from yigai.payment.export import Sheet
    from yigai.payment.indicators import dip_values
    from yigai.services import payment

    params = _params(threshold, year_weights, level, primary)
    sp, sheet = _settle_params(budget, ratio, terms, band, surplus_share, overrun_share)
    inputs = _inputs(history, history_year, current, current_year)
    cur = inputs.current
    assert cur is not None
    if write and period is None:
        years = payment.settle_years(cur)
        if len(years) != 1:
            raise typer.BadParameter(f"the current cases span {years}: give --period / 当年病例跨多个年度，请指定 --period",
                                     param_hint="--period")
        period = str(years[0])
    result = payment.settle(inputs.history, cur, params, sp, engine)
    hospitals = [result.hospitals[h] for h in sorted(result.hospitals)]
    _unsettled(sheet, list(result.hospitals))
    rows = [(h.hospital, h.cases, h.points, h.entitlement, h.fund_due, h.assessment, h.retained, h.shared_overrun,
             h.payment, h.advances, h.final) for h in hospitals]
    info(f"结算点值 settlement point value {result.point_value:,.4f}；总分值 total points {result.total_points:,.2f}")
    if xlsx is not None:
        _write(xlsx, [Sheet(SETTLE_SHEET, SETTLE_HEADERS, [tuple(dataclasses.astuple(h)) for h in hospitals]),
                      Sheet(GROUP_SHEET, GROUP_HEADERS, _group_rows(result.catalogue)),
                      Sheet(UNGROUPED_SHEET, UNGROUPED_HEADERS, result.ungrouped)])
    _emit("DIP 年度清算 settlement", ("机构 hospital", "例数 cases", "分值 points", "应得 entitlement", "医保应付 fund due",
                                    "考核系数 assessment", "结余留用 retained", "超支分担 shared", "清算支付 payment",
                                    "月度预拨 advances", "清算结果 final"),
          rows, fmt, None, {"point_value": result.point_value, "hospitals": [dataclasses.asdict(h) for h in hospitals]})
    if write:
        assert period is not None
        values = dip_values(result.hospitals, result.point_value, result.core_cases, result.all_cases)
        with opened() as built:
            author = who(built, user).username
            if inputs.store_digests:  # the hospitals are the record store's institutions: make them org units
                _sync_store_units(built.uow(), author)
            saved = payment.write_indicators(
                built.uow(), author, {period: values},
                inputs.hash(params, sp), district,
                comment=f"yigai dip settle {current.name if current else f'--current-year {current_year}'}")
        info(f"已保存指标 saved to the indicator store ({period}, 区县 district {saved.district}): 新版本 new versions "
             f"{saved.created}, 未变 unchanged {saved.unchanged}; 机构 hospitals {len(saved.hospitals_saved)}")
        if saved.hospitals_not_units:
            info(f"不是机构档案中的机构，仅计入区县值 not org units, counted in the district only: "
                 f"{'、'.join(saved.hospitals_not_units)}")
    if result.ungrouped:
        raise typer.Exit(EXIT_BAD_INPUT)


@dip_app.command("whatif")
def whatif_cmd(budget: BudgetOpt, ratio: RatioOpt, history: HistoryOpt = None, current: CurrentOpt = None,
               history_year: HistoryYearOpt = None, current_year: CurrentYearOpt = None, threshold: ThresholdOpt = 15,
               year_weights: WeightsOpt = "1,2,7", level: LevelOpt = None,
               primary: PrimaryOpt = None, terms: TermsOpt = None, band: BandOpt = 0.2,
               surplus_share: SurplusOpt = 1.0, overrun_share: OverrunOpt = 0.5,
               alt_budget: Annotated[float | None, typer.Option("--alt-budget", help="Budget of the alternative run.",
                                                                show_default=False)] = None,
               alt_threshold: Annotated[int | None, typer.Option("--alt-threshold", help="Core-group threshold of the "
                                                                 "alternative run.", show_default=False)] = None,
               fmt: FormatOpt = OutputFormat.TABLE, engine: EngineOpt = Engine.AUTO) -> None:
    """Rerun the settlement with a changed budget or threshold and show each hospital's difference.

    Example: yigai dip whatif --history 2023.csv --current 2024.csv --budget 107600 --ratio 0.8 --alt-budget 121050
    """
    from yigai.services import payment

    params = _params(threshold, year_weights, level, primary)
    sp, _ = _settle_params(budget, ratio, terms, band, surplus_share, overrun_share)
    base = (params, sp)
    alt_params = dataclasses.replace(params, threshold=alt_threshold) if alt_threshold is not None else None
    alt_settle = dataclasses.replace(sp, fund_budget=alt_budget) if alt_budget is not None else None
    inputs = _inputs(history, history_year, current, current_year)
    assert inputs.current is not None
    diffs = payment.whatif(inputs.history, inputs.current, base, (alt_params, alt_settle), engine)
    rows = [(h, d.delta("points"), d.delta("entitlement"), d.delta("final")) for h, d in diffs.items()]
    _emit("DIP 测算差异 what-if", ("机构 hospital", "分值差 Δpoints", "应得差 Δentitlement", "清算差 Δfinal"), rows, fmt,
          None, [{"hospital": r[0], "points": r[1], "entitlement": r[2], "final": r[3]} for r in rows])


def register(app: typer.Typer) -> None:
    app.add_typer(dip_app, name="dip")
