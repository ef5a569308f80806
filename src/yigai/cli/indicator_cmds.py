"""``yigai indicators``, ``yigai values``, ``yigai targets``, ``yigai evaluate``: measuring the plan.

The shipped indicator catalogue is loaded the first time a command needs it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from yigai.cli.common import AtOpt, FormatOpt, OutputFormat, PlanArg, UserOpt, info, office_day, opened, who
from yigai.cli.edge import EdgeGroup, stdout
from yigai.cli.render import print_json
from yigai.cli.render_supervision import (
    evaluation_tables,
    indicators_table,
    suggestions_table,
    values_table,
    violations_table,
)
from yigai.domain.errors import ConfigurationError
from yigai.domain.periods import period_label
from yigai.domain.users import User

if TYPE_CHECKING:  # the heavy modules load when a command runs (yigai --help stays fast)
    from yigai.bootstrap import App

indicators_app = typer.Typer(
    cls=EdgeGroup,
    invoke_without_command=True,
    help=(
        "指标目录 indicators. Without a command: the standard catalogue of indicators computed from records "
        "(definitions, sources, levels; docs/indicators.md). `list`: the indicators in this installation's "
        "store (entered and computed); `load`: load a catalogue file into the store.\n\n"
        "Example: yigai indicators --format json && yigai indicators load && yigai indicators list"
    ),
)
values_app = typer.Typer(
    cls=EdgeGroup,
    no_args_is_help=True,
    help=(
        "指标数据 data values per indicator (or data element) × org unit × period, versioned.\n\n"
        "Example: yigai values enter REFERRAL_BOOKED_SHARE 350104 2023Q4 31.5"
    ),
)
targets_app = typer.Typer(
    cls=EdgeGroup,
    no_args_is_help=True,
    help=(
        "目标关联 plan targets ↔ indicators: suggested by name and unit, confirmed by a person.\n\n"
        "Example: yigai targets suggest 5 && yigai targets link 5 25 REFERRAL_BOOKED_SHARE"
    ),
)

PlanOpt = Annotated[
    str | None, typer.Option("--plan", help="Refuse periods outside this plan's schedule.", show_default=False)
]


def _actor(built: App, user: str | None) -> User:
    from yigai.services.indicators import ensure_catalogue

    actor = who(built, user)
    ensure_catalogue(built.uow(), actor)
    return actor


@indicators_app.callback()
def indicators_catalogue(ctx: typer.Context, fmt: FormatOpt = OutputFormat.TABLE) -> None:
    from yigai.cli.analytics_cmds import print_catalogue

    if ctx.invoked_subcommand is None:
        print_catalogue(fmt)


@indicators_app.command("load")
def indicators_load(
    file: Annotated[
        Path | None, typer.Argument(help="A catalogue YAML (default: the shipped one).", show_default=False)
    ] = None,
    user: UserOpt = None,
) -> None:
    """Load an indicator catalogue with its validation rules and outlier bounds (insert or update by code).

    Example: yigai indicators load 本地指标目录.yaml
    """
    from yigai.services.indicators import load_catalogue

    with opened() as built:
        r = load_catalogue(built.uow(), who(built, user), file)
    info(
        f"{r.source}: 新增 created {r.created}，更新 updated {r.updated}，规则 rules {r.rules}，范围 bounds {r.bounds}"
    )


@indicators_app.command("list")
def indicators_list(fmt: FormatOpt = OutputFormat.TABLE) -> None:
    """List the indicator catalogue.

    Example: yigai indicators list --format json
    """
    from yigai.services.indicators import ensure_catalogue, list_indicators
    from yigai.storage.audit import jsonable

    with opened() as built:
        ensure_catalogue(built.uow(), who(built, None))
        defs = list_indicators(built.uow())
    if fmt is OutputFormat.JSON:
        print_json(jsonable(defs))
    else:
        stdout().print(indicators_table(defs))


@values_app.command("enter")
def values_enter(
    key: Annotated[
        str, typer.Argument(help="Indicator or data-element code, or an indicator name.", show_default=False)
    ],
    org_unit: Annotated[str, typer.Argument(help="Org-unit code (or unique name).", show_default=False)],
    period: Annotated[
        str,
        typer.Argument(
            help="A period that has ended: 2023年第4季度, 2023年四季度, 2023年下半年, "
            "2023年12月, 2023年, or an id (2023Q4, 2023S2, 202312, 2023).",
            show_default=False,
        ),
    ],
    value: Annotated[str, typer.Argument(help="The value, e.g. 31.5 or 31.5%.", show_default=False)],
    comment: Annotated[str, typer.Option("--comment", help="Note kept with the value.")] = "",
    confirm: Annotated[
        bool,
        typer.Option(
            "--confirm",
            help="Save a suspicious value (a tenfold jump, outside the "
            "expected range) after checking it; it is flagged.",
        ),
    ] = False,
    plan: PlanOpt = None,
    user: UserOpt = None,
) -> None:
    """Enter one value (a new version when it differs from the current one).

    Refused (exit 2, nothing saved): a value its unit cannot take (a share over 100 %), a period
    that has not ended yet in Beijing time. Held (exit 2, nothing saved) unless --confirm: a value
    ten times (or a tenth of) the previous period's, or outside the expected or historical range.

    Example: yigai values enter 预约转诊占公立医院门诊就诊量比例 350104 2023年第4季度 31.5 --plan 5
    """
    from yigai.services.values import enter_value

    with opened() as built:
        saved = enter_value(
            built.uow(),
            _actor(built, user),
            key,
            org_unit,
            period,
            value,
            comment=comment,
            plan_ref=plan,
            confirm=confirm,
        )
    v = saved.value
    state = f"第 {v.version} 版 version" if saved.changed else "未变 unchanged"
    info(f"{v.key} {v.org_unit} {period_label(v.period_id)} = {v.value:g}（{state}）")
    for concern in saved.concerns:
        info(f"已确认并标记 confirmed and flagged: {concern.message_zh} / {concern.message}")


@values_app.command("import")
def values_import(
    file: Annotated[
        Path,
        typer.Argument(
            help=".csv or .xlsx with columns key (指标), org_unit (机构), period "
            "(报告期), value (数值)[, comment (备注)].",
            show_default=False,
        ),
    ],
    plan: PlanOpt = None,
    user: UserOpt = None,
) -> None:
    """Import values from a sheet; any bad row refuses the whole file, every error listed by row and column.

    Periods as people write them (2023年第4季度) or as ids; values of periods not yet ended and values
    their unit cannot take are errors; suspicious values are saved, flagged and listed.

    Example: yigai values import 2023年四季度指标.xlsx --plan 5
    """
    from yigai.services.values import import_values

    with opened() as built:
        saved = import_values(built.uow(), _actor(built, user), file, plan_ref=plan)
    outliers = [s for s in saved if s.changed and s.outlier]
    info(
        f"{file.name}: {len(saved)} 行 rows，{sum(s.changed for s in saved)} 个新版本 new versions，"
        f"{len(outliers)} 个可疑值已标记 suspicious values flagged"
    )
    for s in outliers:
        why = "；".join(c.message_zh for c in s.concerns)
        info(
            f"  可疑 suspicious: {s.value.key} {s.value.org_unit} {period_label(s.value.period_id)} = "
            f"{s.value.value:g}（{why}）"
        )


@values_app.command("list")
def values_list(
    key: Annotated[str | None, typer.Option("--key", help="Indicator code or name.", show_default=False)] = None,
    org_unit: Annotated[str | None, typer.Option("--org-unit", help="Org-unit code.", show_default=False)] = None,
    period: Annotated[
        str | None, typer.Option("--period", "-p", help="Period, e.g. 2023年第4季度 or 2023Q4.", show_default=False)
    ] = None,
    history: Annotated[bool, typer.Option("--history", help="Every version, not only the current one.")] = False,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """List values (current versions unless --history).

    Example: yigai values list --key REFERRAL_BOOKED_SHARE --org-unit 350104 --history
    """
    from yigai.services.values import list_values
    from yigai.storage.audit import jsonable

    with opened() as built:
        records = list_values(built.uow(), key=key, org_unit=org_unit, period_id=period, history=history)
    if fmt is OutputFormat.JSON:
        print_json([{**jsonable(r.value), "outlier": r.outlier} for r in records])
    else:
        stdout().print(values_table(records))


@values_app.command("validate")
def values_validate(
    period: Annotated[str, typer.Argument(help="Period, e.g. 2023年 or 2023.", show_default=False)],
    org_unit: Annotated[str | None, typer.Option("--org-unit", help="Only this org unit.", show_default=False)] = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Run the validation rules over a period's values and list what fails.

    Example: yigai values validate 2023Q4 --org-unit 350104
    """
    from yigai.services.validation import run_validation
    from yigai.storage.audit import jsonable

    with opened() as built:
        violations = run_validation(built.uow(), period, org_unit)
    if fmt is OutputFormat.JSON:
        print_json(jsonable(violations))
    else:
        stdout().print(violations_table(violations, period))


@values_app.command("bounds")
def values_bounds(
    key: Annotated[str, typer.Argument(help="Indicator or data-element code.", show_default=False)],
    minimum: Annotated[float | None, typer.Option("--min", show_default=False)] = None,
    maximum: Annotated[float | None, typer.Option("--max", show_default=False)] = None,
    user: UserOpt = None,
) -> None:
    """Set the min-max range outside which entered values are flagged.

    Example: yigai values bounds FD_COVERAGE --min 20 --max 100
    """
    from yigai.services.values import set_bounds

    with opened() as built:
        b = set_bounds(built.uow(), _actor(built, user), key, minimum, maximum)
    info(f"{b.key}: [{b.minimum}, {b.maximum}]")


@targets_app.command("suggest")
def targets_suggest(plan: PlanArg, user: UserOpt = None, fmt: FormatOpt = OutputFormat.TABLE) -> None:
    """Suggest an indicator for each target of a plan (stored unconfirmed).

    Example: yigai targets suggest 仓医改组〔2021〕1号
    """
    from yigai.services.targets import suggest_links
    from yigai.storage.audit import jsonable

    with opened() as built:
        rows = suggest_links(built.uow(), _actor(built, user), plan)
    if fmt is OutputFormat.JSON:
        print_json(jsonable(rows))
    else:
        stdout().print(suggestions_table(rows, f"建议关联 suggestions ({len(rows)})"))
        info("确认 confirm: yigai targets link PLAN INDEX CODE")


@targets_app.command("link")
def targets_link(
    plan: PlanArg,
    index: Annotated[
        int, typer.Argument(help="Target number, as `yigai targets list` / suggest show it.", show_default=False)
    ],
    code: Annotated[str, typer.Argument(help="Indicator code (or name).", show_default=False)],
    user: UserOpt = None,
) -> None:
    """Confirm that a plan target is measured by an indicator.

    Example: yigai targets link 5 25 REFERRAL_BOOKED_SHARE
    """
    from yigai.services.targets import link_target

    with opened() as built:
        view = link_target(built.uow(), _actor(built, user), plan, index, code)
    info(f"已关联 linked: [{view.index}] {view.metric} → {view.indicator_code} {view.indicator_name}")


@targets_app.command("list")
def targets_list(plan: PlanArg, fmt: FormatOpt = OutputFormat.TABLE) -> None:
    """List a plan's target links, confirmed or suggested.

    Example: yigai targets list 5 --format json
    """
    from yigai.services.targets import list_links
    from yigai.storage.audit import jsonable

    with opened() as built:
        rows = list_links(built.uow(), plan)
    if fmt is OutputFormat.JSON:
        print_json(jsonable(rows))
    else:
        stdout().print(suggestions_table(rows, f"目标关联 target links ({len(rows)})"))


def _weights(path: Path | None) -> dict[str, Any] | None:
    import yaml

    if path is None:
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigurationError(
            f"cannot read the weights file: {exc}", message_zh="无法读取评分方案文件", where=str(path)
        ) from exc
    if not isinstance(data, dict):
        raise ConfigurationError(
            "the weights file must be a YAML mapping", message_zh="评分方案须为 YAML 映射", where=str(path)
        )
    return data


def evaluate(
    plan: PlanArg,
    at: AtOpt = None,
    weights: Annotated[
        Path | None, typer.Option("--weights", help="Scoring scheme YAML overriding the default.", show_default=False)
    ] = None,
    org_unit: Annotated[
        str | None,
        typer.Option(
            "--org-unit",
            help="Take indicator values of this org unit (default: the plan's region).",
            show_default=False,
        ),
    ] = None,
    all_items: Annotated[bool, typer.Option("--all-items", help="List every item, not only those off track.")] = False,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Evaluate a plan at a date: item statuses, targets and projections, scores, department ranking.

    Example: yigai evaluate 5 --at 2023-12-31 --format json
    """
    from yigai.services.evaluate import evaluate_plan
    from yigai.storage.audit import jsonable

    day = office_day(at)
    with opened() as built:
        ev = evaluate_plan(built.uow(), plan, day, _weights(weights), org_unit=org_unit)
    if fmt is OutputFormat.JSON:
        print_json(jsonable(ev))
        return
    for table in evaluation_tables(ev, all_items=all_items):
        stdout().print(table)


def compare_cmd(
    indicator: Annotated[str, typer.Argument(help="Indicator code or name.", show_default=False)],
    at: AtOpt = None,
    plan: Annotated[
        str | None,
        typer.Option("--plan", help="Compare regions on this plan's target instead of plans.", show_default=False),
    ] = None,
    org_unit: Annotated[
        list[str] | None,
        typer.Option("--org-unit", help="With --plan: a region or institution code (repeat).", show_default=False),
    ] = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Rank plans (or, with --plan, regions) on one indicator: latest value, target, attainment, projection.

    Example: yigai compare REFERRAL_BOOKED_SHARE --at 2023-12-31 --plan 5 --org-unit 350104001 --org-unit 350104002
    """
    from rich.table import Table

    from yigai.services.compare import compare_plans, compare_regions
    from yigai.storage.audit import jsonable

    day = office_day(at)
    with opened() as built:
        if plan is not None:
            rows = compare_regions(built.uow(), plan, indicator, org_unit or [], day)
        else:
            rows = compare_plans(built.uow(), indicator, day)
    if fmt is OutputFormat.JSON:
        print_json(jsonable(rows))
        return
    table = Table(title=f"指标对比 comparison — {indicator}")
    for col in ("名次 rank", "对象 plan/region", "最新值 latest", "目标 target", "达成 score", "研判 projection"):
        table.add_column(col)
    for r in rows:
        latest = f"{r.latest.value:g}（{r.latest.period.id}）" if r.latest else "—"
        table.add_row(str(r.rank), r.label, latest, r.target, f"{r.score:.2f}", r.projection)
    stdout().print(table)


def register(app: typer.Typer) -> None:
    app.command("compare")(compare_cmd)
    app.add_typer(indicators_app, name="indicators")
    app.add_typer(values_app, name="values")
    app.add_typer(targets_app, name="targets")
    app.command("evaluate")(evaluate)
