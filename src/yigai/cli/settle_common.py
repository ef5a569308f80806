"""What ``yigai dip settle`` and ``yigai drg settle`` share: options, reading case files, the
clearing's parameters, the outlier rule, reporting what was refused or set aside, one exit rule.

The exit rule of every payment importer: 0 when every record was read and every case settled,
2 (``EXIT_BAD_INPUT``) when any record was refused or any case set aside, each listed with its
reason on stderr and in JSON.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from yigai.cli.common import OutputFormat, info
from yigai.cli.edge import EXIT_BAD_INPUT, stdout
from yigai.cli.render import print_json
from yigai.payment.export import Sheet, write_sheets
from yigai.payment.settle_terms import SettleTerms, SettleTermsError, load_terms
from yigai.payment.settlement import OutlierBase, OutlierRule, SettleParams, check_thresholds
from yigai.services.errors import EmptyInputError, InvalidInputError

if TYPE_CHECKING:
    from yigai.payment.case_table import CaseTable

HistoryOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--history",
        help="Historical case file (.csv/.parquet/.xlsx), repeat for each year, oldest first.",
        show_default=False,
    ),
]
CurrentOpt = Annotated[
    Path | None,
    typer.Option(
        "--current", help="Case file (.csv/.parquet/.xlsx) of the year to score or settle.", show_default=False
    ),
]
WeightsOpt = Annotated[str, typer.Option("--year-weights", help="Weights of the historical years, oldest first.")]
BudgetOpt = Annotated[
    float, typer.Option("--budget", help="The year's fund budget F for these cases (元).", show_default=False)
]
RatioOpt = Annotated[float, typer.Option("--ratio", help="Reimbursement ratio r (0-1).", show_default=False)]
LevelOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--level",
        help="Hospital-level coefficient, e.g. 三级=1.2 (repeat); default: derived from the history.",
        show_default=False,
    ),
]
XlsxOpt = Annotated[
    Path | None,
    typer.Option("--xlsx", help="Also write the tables to this XLSX file (one sheet each).", show_default=False),
]
TermsOpt = Annotated[
    Path | None,
    typer.Option(
        "--terms",
        help="Per-hospital terms (.csv/.xlsx, one row per "
        "hospital): 机构, 考核系数 (default 1), 月度预拨 (advances paid, "
        "default 0), 医保已记账 (default: the fund paid on its settled "
        "cases).",
        show_default=False,
    ),
]
BandOpt = Annotated[
    float,
    typer.Option(
        "--band", min=0, help="Surplus or overrun counted up to this share of the assessed fund due (合理区间)."
    ),
]
SurplusOpt = Annotated[
    float,
    typer.Option(
        "--surplus-share", min=0, max=1, help="Share of the counted surplus the hospital keeps (结余留用比例)."
    ),
]
OverrunOpt = Annotated[
    float,
    typer.Option("--overrun-share", min=0, max=1, help="Share of the counted overrun the fund bears (超支分担比例)."),
]
LowOpt = Annotated[
    float, typer.Option("--low", help="低倍率: cost below this multiple of the expected cost A (k = C/A).")
]
HighOpt = Annotated[float, typer.Option("--high", help="高倍率: cost above this multiple of A (k = C/A − (high − 1)).")]
ExtremeOpt = Annotated[
    float,
    typer.Option(
        "--extreme", help="特例单议: cost at or above this multiple of A (scored as 高倍率 and listed for review)."
    ),
]
OutlierBaseOpt = Annotated[
    OutlierBase,
    typer.Option(
        "--outlier-base",
        help="Expected cost A of a case: 'group' = "
        "the group's mean × the level coefficient; 'level' = the "
        "group's mean at hospitals of the same level in the history "
        "(the national DIP specification's wording; m × k where the "
        "level has no history case of the group).",
    ),
]

UNGROUPED_SHEET = "未入组病例"
UNGROUPED_HEADERS = ("病例 case", "机构 hospital", "原因 reason")
SETTLE_SHEET = "年度清算"
SETTLE_HEADERS = (
    "机构 hospital",
    "例数 cases",
    "分值 points",
    "应得 entitlement",
    "个人支付 patient paid",
    "医保应付 fund due",
    "考核系数 assessment",
    "考核后应付 assessed due",
    "医保已记账 booked fund",
    "结余留用 retained",
    "超支分担 shared",
    "清算支付 payment",
    "月度预拨 advances",
    "清算结果 final",
)
SETTLE_COLUMNS = (
    "机构 hospital",
    "例数 cases",
    "分值 points",
    "应得 entitlement",
    "医保应付 fund due",
    "考核系数 assessment",
    "结余留用 retained",
    "超支分担 shared",
    "清算支付 payment",
    "月度预拨 advances",
    "清算结果 final",
)
PARAMS_SHEET = "参数"
PARAMS_HEADERS = ("参数 parameter", "值 value")
UNSETTLED_SHOWN = 200  # cases not settled listed one a line on the console; all of them in JSON and XLSX


@dataclasses.dataclass(frozen=True)
class Bad:
    """A record refused on input: where it came from (a file or the record store) and why."""

    source: str
    row: int | None
    field: str
    case_id: str
    reason: str

    def line(self) -> str:
        at = f"{self.source} 第{self.row}行 row {self.row}" if self.row is not None else self.source
        return f"{at} 病案 case {self.case_id or '—'} {self.field}: {self.reason}"

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.source,
            "row": self.row,
            "field": self.field,
            "case_id": self.case_id,
            "reason": self.reason,
        }


def require(cases: CaseTable, bad: Sequence[Bad], what: str, where: str) -> None:
    """No usable case at all is an error, not a settlement of nothing (the bad records were listed)."""
    if not len(cases):
        raise EmptyInputError(
            f"no usable case records in the {what} ({len(bad)} bad records)",
            message_zh=f"{what}没有可用病例（{len(bad)} 条记录有误）",
            where=where,
        )


def load_cases(paths: Sequence[Path], what: str) -> tuple[CaseTable, list[Bad]]:
    """Load case files; bad records are listed on stderr (file, row, field and reason) and set aside."""
    from yigai.services import payment

    loaded = payment.load(paths)
    bad = [Bad(fb.path.name, fb.bad.row, fb.bad.field, fb.bad.case_id, fb.bad.reason) for fb in loaded.bad]
    for b in bad:
        info(b.line())
    if bad:
        info(f"{len(bad)} 条记录有误，已排除 bad records set aside")
    require(loaded.cases, bad, what, "、".join(p.name for p in paths))
    return loaded.cases, bad


def year_weights(weights: str) -> tuple[float, ...]:
    try:
        parsed = tuple(float(w) for w in weights.replace("：", ":").replace(":", ",").split(",") if w.strip())
    except ValueError:
        raise typer.BadParameter("numbers such as 1,2,7 / 年度权重应为数字", param_hint="--year-weights") from None
    return parsed or (1.0,)


def levels(items: Sequence[str] | None) -> dict[str, float] | None:
    """``三级=1.2`` … as a mapping; None when none is given (derive them from the history)."""
    if not items:
        return None
    try:
        pairs = [item.replace("＝", "=").split("=", 1) for item in items]
        return {name.strip(): float(value) for name, value in pairs}
    except ValueError:
        raise typer.BadParameter("NAME=number, e.g. 三级=1.2 / 级别系数应为 名称=数字", param_hint="--level") from None


def outlier_rule(low: float, high: float, extreme: float) -> OutlierRule:
    rule = OutlierRule(low, high, extreme)
    try:
        check_thresholds(rule)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--low/--high/--extreme") from None
    return rule


def settle_params(
    budget: float, ratio: float, terms: Path | None, band: float, surplus_share: float, overrun_share: float
) -> tuple[SettleParams, SettleTerms | None]:
    """The clearing's parameters; every problem in the terms sheet is listed on stderr before the error."""
    if ratio <= 0:
        raise InvalidInputError(
            "the reimbursement ratio must be positive", message_zh="报销比例 r 必须为正", where="--ratio"
        )
    sheet = None
    if terms is not None:
        try:
            sheet = load_terms(terms)
        except SettleTermsError as err:
            for line in err.lines():
                info(line)
            raise
    sp = SettleParams(
        fund_budget=budget,
        reimbursement_ratio=ratio,
        assessment=sheet.assessment() if sheet else {},
        advances=sheet.advances() if sheet else {},
        booked_fund=sheet.booked_fund() if sheet else None,
        band=band,
        surplus_share=surplus_share,
        overrun_share=overrun_share,
    )
    return sp, sheet


def terms_not_settled(sheet: SettleTerms | None, settled: Sequence[str]) -> None:
    """Say which hospitals of the terms sheet have no settled case this year: their advances are not cleared here."""
    done = set(settled)
    missing = [name for name in (sheet.names() if sheet else []) if name not in done]
    if missing:
        info(
            f"注意：结算参数表中以下机构本年没有入组病例，未参与清算（其预拨款需另行处理）/ no grouped cases this "
            f"year, not settled (their advances need separate handling): {'、'.join(missing)}"
        )


def report_unsettled(unsettled: Sequence[tuple[str, str, str]], verb: str = "未结算", verb_en: str = "settled") -> None:
    """Count and list, on stderr, the cases set aside (case, hospital, reason), with a count per reason kind."""
    if not unsettled:
        return
    kinds: dict[str, int] = {}
    for _, _, why in unsettled:
        kind = why.split(" ", 1)[0]
        kinds[kind] = kinds.get(kind, 0) + 1
    info(
        f"{len(unsettled)} 例{verb} {len(unsettled)} cases not {verb_en}: "
        + "；".join(f"{k} {n} 例" for k, n in sorted(kinds.items()))
    )
    for cid, hospital, why in unsettled[:UNSETTLED_SHOWN]:
        info(f"  病案 case {cid} ({hospital}): {why}")
    if len(unsettled) > UNSETTLED_SHOWN:
        info(
            f"  … 另有 {len(unsettled) - UNSETTLED_SHOWN} 例，见 --format json 或 --xlsx / "
            f"{len(unsettled) - UNSETTLED_SHOWN} more in --format json or --xlsx"
        )


def unsettled_json(unsettled: Sequence[tuple[str, str, str]]) -> list[dict[str, str]]:
    return [{"case_id": cid, "hospital": hospital, "reason": why} for cid, hospital, why in unsettled]


def exit_for(bad: Sequence[Bad], unsettled: Sequence[object] = ()) -> None:
    """One rule for every payment importer: exit 2 when any record was refused or any case set aside."""
    if bad or unsettled:
        raise typer.Exit(EXIT_BAD_INPUT)


def write_workbook(path: Path, sheets: Sequence[Sheet]) -> None:
    write_sheets(path, sheets)
    info(f"已写入 written: {path}")


def emit(
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    fmt: OutputFormat,
    xlsx: Path | None,
    data: Any,
    more: Sequence[Sheet] = (),
) -> None:
    """The result as a table on stdout, or JSON; and, with ``xlsx``, as a workbook (this table first)."""
    if xlsx is not None:
        write_workbook(xlsx, [Sheet(title.split(" ")[1] if " " in title else title, headers, rows), *more])
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


def parameter_rows(parameters: dict[str, Any]) -> list[tuple[str, Any]]:
    """The run's parameters as sheet rows (the XLSX records what produced the figures)."""
    return [(k, v if isinstance(v, int | float | str) else str(v)) for k, v in parameters.items()]


def say_parameters(parameters: dict[str, Any]) -> None:
    info("参数 parameters: " + "；".join(f"{k}={v}" for k, v in parameters.items()))
