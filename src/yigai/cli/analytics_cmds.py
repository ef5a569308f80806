"""``yigai compute`` and ``yigai explain``: catalogue indicators from the record store.

``compute`` runs the standard catalogue (data/indicators/) for org-unit levels × periods and, with
``--write``, saves the values in the indicator store; ``explain`` shows how one number was made.
"""

from __future__ import annotations

import dataclasses
from contextlib import AbstractContextManager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from yigai.cli.common import FormatOpt, OutputFormat, PeriodOpt, UserOpt, info, opened, who
from yigai.cli.edge import stderr, stdout
from yigai.cli.render import print_json
from yigai.settings import Settings

if TYPE_CHECKING:  # the catalogue and the engine (DuckDB) load when a command runs: yigai --help stays fast
    from yigai.analytics.catalogue import Indicator
    from yigai.analytics.engine import Result
    from yigai.analytics.explain import Explanation

RecordsOpt = Annotated[
    Path | None,
    typer.Option(
        "--records",
        help="Record store (DuckDB file); default: records.duckdb in the data directory.",
        show_default=False,
    ),
]


class Engine(StrEnum):
    DUCKDB = "duckdb"
    SPARK = "spark"


def _store(path: Path | None) -> Path:
    return path or Settings.from_env().analytics_path


def _fmt(value: float | None, decimals: int) -> str:
    return "" if value is None else f"{value:,.{decimals}f}"


def result_dict(r: Result, ind: Indicator) -> dict[str, Any]:
    return {
        "code": r.code,
        "name": ind.name,
        "level": r.level.value,
        "org_unit": r.org_unit,
        "period": r.period_id,
        "numerator": r.numerator,
        "denominator": r.denominator,
        "value": r.value,
        "rounded": None if r.value is None else round(r.value, ind.decimals),
        "unit": ind.unit,
        "reason": r.reason,
        "numerator_records": r.numerator_records,
        "denominator_records": r.denominator_records,
        "definition_version": r.definition_version,
        "inputs_hash": r.inputs_hash,
    }


def compute_cmd(
    period: PeriodOpt,
    indicators: Annotated[
        str, typer.Option("--indicators", "-i", help="all, or codes: DRUG_SHARE,FD_COVERAGE")
    ] = "all",
    level: Annotated[
        str, typer.Option("--level", "-l", help="district, town, institution, institution_type, a comma list, or all.")
    ] = "all",
    within: Annotated[bool, typer.Option("--within", help="Also every month and quarter within the period.")] = False,
    write_values: Annotated[
        bool, typer.Option("--write", help="Save the values in the indicator store (computed values, versioned).")
    ] = False,
    records_path: RecordsOpt = None,
    engine: Annotated[
        Engine,
        typer.Option(
            "--engine",
            help="duckdb: the record store on this machine; spark: the record lake (--lake) on Apache Spark.",
        ),
    ] = Engine.DUCKDB,
    lake: Annotated[
        str | None,
        typer.Option(
            "--lake",
            help="Spark: the record lake, a folder or a URI Spark reads (hdfs://…, s3a://…); see yigai records export.",
            show_default=False,
        ),
    ] = None,
    spark_master: Annotated[
        str,
        typer.Option(
            "--spark-master",
            help="Spark: local[N], spark://HOST:7077, sc://HOST:15002 (Spark Connect), yarn or k8s://….",
        ),
    ] = "local[2]",
    spark_conf: Annotated[
        list[str] | None,
        typer.Option(
            "--spark-conf",
            help="Spark: a setting KEY=VALUE (repeatable), e.g. spark.executor.memory=8g.",
            show_default=False,
        ),
    ] = None,
    rows: Annotated[
        int,
        typer.Option("--rows", min=0, help="Table format: show at most this many results (0: all); json lists all."),
    ] = 200,
    user: UserOpt = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Compute catalogue indicators from the record store for every org unit of the levels asked.

    Ratios roll up as Σnumerator ÷ Σdenominator at each level; growths compare with the previous
    period of the same length. Values with a zero denominator are listed with the reason, not saved.

    Example: yigai compute --indicators all --period 2023 --level town --within

    Example: yigai compute -i DRUG_SHARE,CONSUMABLES_SHARE -p 2023Q4 -l institution --write

    Example: yigai compute -p 2023 --within --engine spark --spark-master spark://10.0.0.5:7077 --lake hdfs://nn/yigai/lake --write
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from yigai.services.analytics import lake_records, parse_levels, records, run, write

    levels = parse_levels(level)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    source: AbstractContextManager[Any] = (
        lake_records(lake, spark_master, spark_conf or ()) if engine is Engine.SPARK else records(_store(records_path))
    )
    with source as con:
        with Progress(*columns, console=stderr(), transient=True) as progress:
            bar = progress.add_task("计算 computing", total=None)

            def tick(step: str, done: int, total: int) -> None:
                progress.update(bar, description=f"计算 computing {step}", completed=done, total=total)

            chosen, comp = run(con, indicators, period, levels, within=within, progress=tick)
        summary = None
        if write_values:
            with opened() as built:
                summary = write(built.uow(), who(built, user).username, con, chosen, comp)
    by_code = {i.code: i for i in chosen}
    if fmt is OutputFormat.JSON:
        print_json(
            {
                "results": [result_dict(r, by_code[r.code]) for r in comp.results],
                "unattributed": comp.unattributed,
                "written": None if summary is None else dataclasses.asdict(summary),
            }
        )
    else:
        table = Table(title=f"指标计算 computed indicators — {escape(period)}")
        for col in (
            "指标 indicator",
            "名称 name",
            "层级 level",
            "机构 org unit",
            "报告期 period",
            "分子 numerator",
            "分母 denominator",
            "值 value",
            "单位 unit",
            "说明 note",
        ):
            table.add_column(col, justify="right" if col[:2] in ("分子", "分母", "值 ") else "left")
        shown = comp.results if rows == 0 else comp.results[:rows]
        for r in shown:
            ind = by_code[r.code]
            table.add_row(
                r.code,
                ind.name,
                r.level.value,
                escape(r.org_unit),
                r.period_id,
                _fmt(r.numerator, 2),
                _fmt(r.denominator, 2),
                _fmt(r.value, ind.decimals),
                ind.unit,
                escape(r.reason),
            )
        stdout().print(table)
        if len(shown) < len(comp.results):
            info(
                f"表中显示前 {len(shown):,} 个，另有 {len(comp.results) - len(shown):,} 个 / showing the first "
                f"{len(shown):,}; {len(comp.results) - len(shown):,} more (--rows 0 or --format json for all)"
            )
    for measure, lost in comp.unattributed.items():
        info(
            f"{measure}: {lost:,.2f} 的记录不属于任何已知机构或街道（乡镇），未计入 / "
            f"of records belong to no known institution or town and are left out"
        )
    info(f"已计算 computed {len(comp.results):,} 个值 values ({len(chosen)} 个指标 indicators)")
    if summary is not None:
        info(
            f"已保存 saved: 新版本 new versions {summary.created:,}, 未变 unchanged {summary.unchanged:,}, "
            f"无值未存 without value {summary.without_value:,}, 机构类别未存 institution types not stored "
            f"{summary.not_stored_level:,}; 新增指标 indicators added {summary.indicators_added}, "
            f"新增机构 org units added {summary.orgunits_added}"
        )


def explanation_dict(e: Explanation) -> dict[str, Any]:
    from yigai.analytics.explain import recomputed

    num, den, value = recomputed(e)
    return {
        "indicator": e.indicator.code,
        "name": e.indicator.name,
        "level": e.level.value,
        "org_unit": e.org_unit,
        "org_unit_name": e.org_unit_name,
        "period": e.period_id,
        "factor": e.indicator.factor,
        "terms": [
            {
                "part": t.part,
                "period": t.period_id,
                "measure": t.measure,
                "meaning": t.meaning,
                "sql": t.sql,
                "params": {k: str(v) for k, v in t.params.items()},
                "value": t.value,
                "records": t.records,
            }
            for t in e.terms
        ],
        "numerator": num,
        "denominator": den,
        "value": value,
        "engine": result_dict(e.result, e.indicator),
    }


def explain_cmd(
    indicator: Annotated[str, typer.Argument(help="Indicator code, e.g. DRUG_SHARE.", show_default=False)],
    orgunit: Annotated[
        str,
        typer.Option(
            "--orgunit",
            "-o",
            help="District, town or institution code, or an institution type (chc, general_hospital …).",
            show_default=False,
        ),
    ],
    period: PeriodOpt,
    records_path: RecordsOpt = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Show how one value is made: the SQL run for each measure, its parameters, value and record count.

    Example: yigai explain DRUG_SHARE --orgunit 350104001 --period 2023Q4
    """
    from yigai.analytics.explain import explain
    from yigai.services.analytics import records, select_indicators

    ind = select_indicators([indicator])[0]
    with records(_store(records_path)) as con:
        e = explain(con, ind, orgunit, period)
    data = explanation_dict(e)
    if fmt is OutputFormat.JSON:
        print_json(data)
        return
    out = stdout()
    out.print(
        f"[bold]{escape(ind.code)} {escape(ind.name)}[/] — {escape(e.org_unit_name)} ({escape(e.org_unit)}, "
        f"{e.level.value}), {e.period_id}",
        highlight=False,
    )
    out.print(escape(ind.definition), highlight=False)
    for t in e.terms:
        out.print(f"\n[bold]{t.part} · {t.period_id} · {escape(t.measure)}[/] {escape(t.meaning)}", highlight=False)
        out.print(escape(t.sql), highlight=False, soft_wrap=True)
        out.print(f"参数 params: {escape(', '.join(f'{k}={v}' for k, v in t.params.items()))}", highlight=False)
        out.print(f"值 value {t.value:,.4f}   记录数 records {t.records:,}", highlight=False)
    label = "本期/比较期基数 base now / then" if ind.compare else "分子/分母 numerator / denominator"
    out.print(
        f"\n{label}: {data['numerator']:,.4f} / "
        f"{'' if data['denominator'] is None else format(data['denominator'], ',.4f')}",
        highlight=False,
    )
    out.print(
        f"值 value: {_fmt(data['value'], ind.decimals)} {escape(ind.unit)}   "
        f"(引擎 engine: {_fmt(e.result.value, ind.decimals) or escape(e.result.reason)}; "
        f"{e.result.definition_version}, inputs {e.result.inputs_hash[:16]}…)",
        highlight=False,
    )


def print_catalogue(fmt: OutputFormat = OutputFormat.TABLE) -> None:
    """The standard catalogue: for ``yigai indicators --format json`` (and a table)."""
    from rich.table import Table

    from yigai.services.analytics import catalogue_rows

    rows = catalogue_rows()
    if fmt is OutputFormat.JSON:
        print_json(rows)
        return
    table = Table(title=f"标准指标目录 standard indicator catalogue ({len(rows)})")
    for col in ("指标 code", "名称 name", "领域 area", "单位 unit", "层级 levels", "汇总 aggregation", "来源 source"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r["code"],
            r["name"],
            r["area_name"],
            r["unit"],
            ", ".join(r["levels"]),
            r["aggregation"],
            escape(f"{r['source']}（{r['edition']}）"),
        )
    stdout().print(table)


def register(app: typer.Typer) -> None:
    app.command("compute")(compute_cmd)
    app.command("explain")(explain_cmd)
