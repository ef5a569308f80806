"""The ``yigai`` command line: thin commands over the services.

Each command turns its flags into arguments and calls one service; results go
to stdout, progress and messages to stderr, errors are handled at the edge
(``yigai.cli.edge``). Settings come from YIGAI_* environment variables.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from yigai.cli import (  # each registers its commands; heavy modules load when a command runs
    analytics_cmds,
    backup_cmds,
    dip_cmds,
    indicator_cmds,
    output_cmds,
    payment_cmds,
    records_cmds,
    registry_cmds,
    report_cmds,
    serve_cmds,
    synth_cmds,
)
from yigai.cli.edge import EXIT_BAD_INPUT, EdgeGroup, report, stderr, stdout
from yigai.cli.render import (
    departments_table,
    import_table,
    load_dict,
    meta_table,
    outline,
    plans_table,
    print_json,
    result_dict,
    summary_dict,
    targets_table,
    tasks_table,
)
from yigai.data import seed_paths
from yigai.domain.errors import DocumentError
from yigai.domain.serialize import meta_dict, plan_to_dict, target_dict, task_dict
from yigai.settings import Settings

if TYPE_CHECKING:  # the heavy modules load when a command runs (yigai --help stays fast)
    from yigai.bootstrap import App
    from yigai.services.plans import ImportResult

app = typer.Typer(
    cls=EdgeGroup,
    name="yigai",
    help=(
        "医改监测评价平台 yigai: health-reform plans as structured, measurable data.\n\n"
        "Example: yigai import --builtin && yigai plans\n\n"
        "Settings: YIGAI_DATA_DIR (default ./var), YIGAI_DATABASE_URL (default SQLite under the data dir)."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class ParseFormat(StrEnum):
    JSON = "json"
    YAML = "yaml"
    TEXT = "text"


class ListFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


FormatOption = Annotated[ListFormat, typer.Option("--format", "-f", help="table (Rich) or json.")]
PlanArgument = Annotated[
    str, typer.Argument(help="Plan id or 文号, e.g. 1 or 青卫健医政〔2022〕14号.", show_default=False)
]


@contextmanager
def _opened(settings: Settings | None = None) -> Iterator[App]:
    from yigai.bootstrap import build

    with build(settings or Settings.from_env()) as built:
        yield built


def _info(message: str) -> None:
    stderr().print(escape(message), highlight=False, soft_wrap=True)


@app.command()
def parse(
    file: Annotated[Path, typer.Argument(help="A .txt, .md, .docx or .pdf document.", show_default=False)],
    fmt: Annotated[ParseFormat, typer.Option("--format", "-f", help="json, yaml or text.")] = ParseFormat.JSON,
) -> None:
    """Parse a plan document and print the structured plan; nothing is stored.

    Example: yigai parse 仓山区医改实施方案.docx --format text
    """
    import yaml

    from yigai.parsing import parse_file

    draft = parse_file(file, max_bytes=Settings.from_env().max_document_bytes)
    if fmt is ParseFormat.TEXT:
        typer.echo(outline(draft), nl=False)
    elif fmt is ParseFormat.YAML:
        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml when present: 10x faster
        typer.echo(yaml.dump(plan_to_dict(draft), Dumper=dumper, allow_unicode=True, sort_keys=False), nl=False)
    else:
        print_json(plan_to_dict(draft))
    _info(
        f"{draft.source_name}: {len(draft.tasks)} 任务 tasks, {len(draft.measures())} 措施 measures, "
        f"{len(draft.targets)} 指标 targets, {len(draft.warnings)} 警告 warnings"
    )


def _import_all(built: App, paths: Sequence[Path], replace: bool) -> tuple[list[ImportResult], int]:
    """Import each file in its own transaction; a bad document is reported and skipped."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from yigai.services.plans import import_file

    results: list[ImportResult] = []
    failed = 0
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=stderr(), transient=True, disable=len(paths) < 2) as progress:
        bar = progress.add_task("导入 importing", total=len(paths))
        for path in paths:
            progress.update(bar, description=f"导入 importing {path.name}")
            try:
                results.append(
                    import_file(built.uow(), path, replace=replace, max_bytes=built.settings.max_document_bytes)
                )
            except DocumentError as exc:
                exc.where = exc.where or str(path)
                report(exc)
                failed += 1
            progress.advance(bar)
    return results, failed


@app.command("import")
def import_(
    files: Annotated[list[Path] | None, typer.Argument(help="Documents to import.", show_default=False)] = None,
    builtin: Annotated[bool, typer.Option("--builtin", help="Also import the five built-in seed plans.")] = False,
    replace: Annotated[bool, typer.Option("--replace", help="Replace a plan already imported.")] = False,
    fmt: FormatOption = ListFormat.TABLE,
) -> None:
    """Parse documents and store them as plans; the same document twice is one plan.

    Example: yigai import 青浦区医改工作方案.docx 杨浦区医改工作方案.pdf --replace
    """
    from yigai.services.plans import ImportStatus

    paths = [*(files or []), *(seed_paths() if builtin else [])]
    if not paths:
        raise typer.BadParameter("give at least one FILE or --builtin / 请指定文件或 --builtin")
    with _opened() as built:
        results, failed = _import_all(built, paths, replace)
    if fmt is ListFormat.JSON:
        print_json([result_dict(r) for r in results])
    elif results:
        stdout().print(import_table(results))
    unchanged = sum(r.status is ImportStatus.ALREADY_IMPORTED for r in results)
    if unchanged and not replace:
        _info(
            f"{unchanged} 个计划已导入过，未改动（用 --replace 替换） / "
            f"{unchanged} plan(s) already imported, left unchanged (use --replace to replace)"
        )
    if failed:
        _info(f"{failed} 个文件未能导入 / {failed} file(s) not imported")
        raise typer.Exit(EXIT_BAD_INPUT)


@app.command()
def plans(fmt: FormatOption = ListFormat.TABLE) -> None:
    """List the imported plans with their task, measure, department and target counts.

    Example: yigai plans --format json
    """
    from yigai.services.plans import list_plans

    with _opened() as built:
        summaries = list_plans(built.uow())
    if fmt is ListFormat.JSON:
        print_json([summary_dict(s) for s in summaries])
        return
    stdout().print(plans_table(summaries))
    if not summaries:
        _info("尚未导入计划 / no plans yet: yigai import --builtin")


@app.command()
def show(
    plan: PlanArgument,
    tasks: Annotated[bool, typer.Option("--tasks", help="List tasks and their measures.")] = False,
    dept: Annotated[
        str | None, typer.Option("--dept", help="Only tasks this department leads or supports.", show_default=False)
    ] = None,
    targets: Annotated[bool, typer.Option("--targets", help="List the quantitative targets.")] = False,
    fmt: FormatOption = ListFormat.TABLE,
) -> None:
    """Show one plan: metadata and counts, optionally its tasks and targets.

    Example: yigai show 仓医改组〔2021〕1号 --dept 区卫健局
    """
    from yigai.services.plans import get_plan, get_summary, tasks_for_department

    with _opened() as built:
        record = get_plan(built.uow(), plan)
        summary = get_summary(built.uow(), record.id)
    draft = record.draft
    selected = tasks_for_department(draft, dept) if dept else draft.tasks if tasks else None
    if fmt is ListFormat.JSON:
        data: dict[str, object] = {
            "id": record.id,
            "meta": meta_dict(draft.meta),
            "counts": dataclasses.asdict(summary.counts),
        }
        if selected is not None:
            data["tasks"] = [task_dict(t) for t in selected]
        if targets:
            data["targets"] = [target_dict(t) for t in draft.targets]
        print_json(data)
        return
    out = stdout()
    out.print(meta_table(record.id, draft, summary))
    if selected is not None:
        title = f"任务 tasks ({len(selected)})" + (f" — {dept}" if dept else "")
        out.print(tasks_table(selected, title))
    if targets:
        out.print(targets_table(draft))


@app.command()
def departments(plan: PlanArgument, fmt: FormatOption = ListFormat.TABLE) -> None:
    """Responsibility matrix of a plan: how often each department leads or cooperates.

    Example: yigai departments 1 --format json
    """
    from yigai.services.plans import department_matrix, get_plan

    with _opened() as built:
        record = get_plan(built.uow(), plan)
    loads = department_matrix(record.draft)
    if fmt is ListFormat.JSON:
        print_json([load_dict(d) for d in loads])
    else:
        stdout().print(departments_table(loads, f"部门 departments — {record.draft.meta.title}"))


@app.command()
def export(
    plan: PlanArgument,
    xlsx: Annotated[Path, typer.Option("--xlsx", help="Workbook to write.", show_default=False)],
) -> None:
    """Export a plan to Excel: 任务清单, 指标目标 and 项目清单 sheets.

    Example: yigai export 青府发〔2021〕47号 --xlsx 青浦十四五任务清单.xlsx
    """
    from yigai.reports.xlsx_export import write_plan_xlsx
    from yigai.services.plans import get_plan

    with _opened() as built:
        record = get_plan(built.uow(), plan)
    write_plan_xlsx(record.draft, xlsx)
    _info(f"已导出 exported: {xlsx}")


# The supervision loop's commands live in their own modules and register here.
registry_cmds.register(app)
report_cmds.register(app)
indicator_cmds.register(app)
output_cmds.register(app)
serve_cmds.register(app)
payment_cmds.register(app)
dip_cmds.register(app)
backup_cmds.register(app)
synth_cmds.register(app)
analytics_cmds.register(app)
records_cmds.register(app)
