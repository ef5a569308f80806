"""``yigai orgunits``, ``yigai departments-alias``, ``yigai users``, ``yigai schedule``: who and where, and when.

Each command opens the app, takes the acting user (``--user``) and calls one service.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from yigai.cli.common import FormatOpt, OutputFormat, PlanArg, UserOpt, info, opened, who
from yigai.cli.edge import EdgeGroup, stdout
from yigai.cli.render import print_json
from yigai.cli.render_supervision import departments_table, orgunits_table, users_table
from yigai.domain.periods import span_label
from yigai.domain.reports import due_date
from yigai.domain.users import Role

orgunits_app = typer.Typer(
    cls=EdgeGroup,
    no_args_is_help=True,
    help=(
        "机构层级 org units: province → city → district → street/town → institution.\n\n"
        "Example: yigai orgunits load && yigai orgunits list --under 350104"
    ),
)
alias_app = typer.Typer(
    cls=EdgeGroup,
    no_args_is_help=True,
    help=(
        "部门别名 department aliases: one canonical name, every spelling the documents use.\n\n"
        "Example: yigai departments-alias add 仓山区卫健局 区卫生健康委"
    ),
)
users_app = typer.Typer(
    cls=EdgeGroup,
    no_args_is_help=True,
    help=(
        "用户 users, roles and scopes (office_admin, department_reporter, institution_reporter, viewer).\n\n"
        "Example: yigai users add wjw --name 卫健委填报员 --role department_reporter --dept 区卫健委"
    ),
)


@orgunits_app.command("load")
def orgunits_load(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="A .yaml (nested) or .csv (one row per unit) hierarchy; default: the built-in 仓山区 demo hierarchy.",
            show_default=False,
        ),
    ] = None,
    user: UserOpt = None,
) -> None:
    """Load (insert or update) an org-unit hierarchy; a file with any error loads nothing.

    Example: yigai orgunits load units.csv
    """
    from yigai.services.orgunits import load_orgunits

    with opened() as built:
        result = load_orgunits(built.uow(), who(built, user), file)
    info(f"{result.source}: 新增 created {result.created}，更新 updated {result.updated}")


@orgunits_app.command("list")
def orgunits_list(
    under: Annotated[
        str | None, typer.Option("--under", help="Only this unit (code) and what is below it.", show_default=False)
    ] = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """List org units in tree order.

    Example: yigai orgunits list --under 350104 --format json
    """
    from yigai.services.orgunits import list_orgunits
    from yigai.storage.audit import jsonable

    with opened() as built:
        units = list_orgunits(built.uow(), under)
    if fmt is OutputFormat.JSON:
        print_json(jsonable(units))
    else:
        stdout().print(orgunits_table(units))


@alias_app.command("add")
def alias_add(
    alias: Annotated[str, typer.Argument(help="The other spelling, e.g. 仓山区卫健局.", show_default=False)],
    canonical: Annotated[
        str, typer.Argument(help="The department (canonical name or a known alias).", show_default=False)
    ],
    region: Annotated[str, typer.Option("--region", help="Only in this region, e.g. 仓山区.")] = "",
    user: UserOpt = None,
) -> None:
    """Make ALIAS another name of the department CANONICAL.

    Example: yigai departments-alias add 仓山医保 区医保局 --region 仓山区
    """
    from yigai.services.departments import add_alias

    with opened() as built:
        record = add_alias(built.uow(), who(built, user), alias, canonical, region=region)
    info(f"别名 alias: {record.alias} → {record.department}" + (f"（{record.region}）" if record.region else ""))


@alias_app.command("list")
def alias_list(
    region: Annotated[str, typer.Option("--region", help="Include this region's own aliases.")] = "",
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """List departments with their aliases (departments named in imported plans first).

    Example: yigai departments-alias list --region 仓山区
    """
    from yigai.services.departments import list_departments
    from yigai.storage.audit import jsonable

    with opened() as built:
        entries = list_departments(built.uow(), region)
    if fmt is OutputFormat.JSON:
        print_json(jsonable(entries))
    else:
        stdout().print(departments_table(entries))


@alias_app.command("rename")
def alias_rename(
    old: Annotated[str, typer.Argument(help="Current name (or an alias of it).", show_default=False)],
    new: Annotated[str, typer.Argument(help="New canonical name.", show_default=False)],
    user: UserOpt = None,
) -> None:
    """Rename a department everywhere (plans, reports, user scopes); the old name stays an alias.

    Example: yigai departments-alias rename 区卫生健康委 区卫生健康局
    """
    from yigai.services.departments import rename_department

    with opened() as built:
        touched = rename_department(built.uow(), who(built, user), old, new)
    info(f"已重命名 renamed: {old} → {new}（{touched} 行 rows）")


@alias_app.command("class")
def alias_class(
    name: Annotated[str, typer.Argument(help="The department (canonical name or a known alias).", show_default=False)],
    value: Annotated[
        str,
        typer.Argument(
            help="member (成员单位, ranked), leading (领导机构), group (泛指单位), "
            "place (属地镇街（园区）), or auto (by its name).",
            show_default=False,
        ),
    ],
    user: UserOpt = None,
) -> None:
    """Set whether a department is ranked in bulletins: only member departments are.

    By default the class follows the name (区委, 区政府, 领导小组 lead; 各镇街 is a group); this sets it explicitly.

    Example: yigai departments-alias class 区政府办 member
    """
    from yigai.services.departments import set_department_class

    with opened() as built:
        entry = set_department_class(built.uow(), who(built, user), name, value)
    info(f"排名类别 class: {entry.name} → {entry.class_label}（{entry.ranking_class.value}）")


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="Login name: letters, digits, . - _ @.", show_default=False)],
    name: Annotated[str, typer.Option("--name", help="Display name.")] = "",
    role: Annotated[
        Role, typer.Option("--role", help="office_admin, department_reporter, institution_reporter or viewer.")
    ] = Role.VIEWER,
    dept: Annotated[
        list[str] | None, typer.Option("--dept", help="Department the user reports for (repeat).", show_default=False)
    ] = None,
    org_unit: Annotated[
        list[str] | None,
        typer.Option(
            "--org-unit",
            help="Org-unit code the user enters data for (repeat; covers the units below it).",
            show_default=False,
        ),
    ] = None,
    user: UserOpt = None,
) -> None:
    """Create a user with a role and scopes.

    Example: yigai users add cmz --name 城门镇卫生院 --role institution_reporter --org-unit 350104101-01
    """
    from yigai.services.users import create_user

    with opened() as built:
        created = create_user(
            built.uow(), who(built, user), username, name, role, departments=dept or [], org_units=org_unit or []
        )
    info(f"已创建用户 created: {created.username}（{created.role.value}）")


@users_app.command("list")
def users_list(fmt: FormatOpt = OutputFormat.TABLE) -> None:
    """List users with their roles and scopes.

    Example: yigai users list --format json
    """
    from yigai.services.users import list_users
    from yigai.storage.audit import jsonable

    with opened() as built:
        users = list_users(built.uow())
    if fmt is OutputFormat.JSON:
        print_json(jsonable(users))
    else:
        stdout().print(users_table(users))


@users_app.command("password")
def users_password(
    username: Annotated[str, typer.Argument(help="The user whose password is set.", show_default=False)],
    stdin: Annotated[bool, typer.Option("--stdin", help="Read the password from the first line of stdin.")] = False,
    user: UserOpt = None,
) -> None:
    """Set (reset) a user's web sign-in password (asked twice, not echoed).

    The password policy applies: at least 8 characters of two kinds (letters, digits, symbols),
    not a common password, a run (12345678), a repetition (11111111) or the user name.
    Every session of the user ends. Nobody has a password until one is set here.

    Example: yigai users password wjw
    """
    from yigai.services.auth import set_password

    if stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("新密码 new password", hide_input=True, confirmation_prompt=True)
    with opened() as built:
        set_password(built.uow(), who(built, user), username, password)
    info(f"已设置密码 password set: {username}")


@users_app.command("set")
def users_set(
    username: Annotated[str, typer.Argument(help="The user to change.", show_default=False)],
    role: Annotated[Role | None, typer.Option("--role", help="New role.", show_default=False)] = None,
    dept: Annotated[
        list[str] | None,
        typer.Option(
            "--dept", help="Departments the user reports for (repeat; replaces the current ones).", show_default=False
        ),
    ] = None,
    org_unit: Annotated[
        list[str] | None,
        typer.Option("--org-unit", help="Org-unit codes (repeat; replaces the current ones).", show_default=False),
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="New display name.", show_default=False)] = None,
    user: UserOpt = None,
) -> None:
    """Change a user's role, scope or display name (what is not given stays); audited.

    Example: yigai users set wjw --role department_reporter --dept 区卫健委 --dept 区医保局
    """
    from yigai.services.users import update_user

    with opened() as built:
        changed = update_user(
            built.uow(), who(built, user), username, role=role, departments=dept, org_units=org_unit, display_name=name
        )
    info(f"已修改用户 changed: {changed.username}（{changed.role.value}）")


@users_app.command("disable")
def users_disable(
    username: Annotated[str, typer.Argument(help="The user to disable.", show_default=False)],
    user: UserOpt = None,
) -> None:
    """Disable a user: sign-in is refused and every open session ends.

    Users are never deleted (their reports keep their author); enable them again any time.
    Nobody can disable themself or the last active office admin.

    Example: yigai users disable wjw
    """
    from yigai.services.users import set_user_active

    with opened() as built:
        set_user_active(built.uow(), who(built, user), username, False)
    info(f"已停用用户 disabled: {username}")


@users_app.command("enable")
def users_enable(
    username: Annotated[str, typer.Argument(help="The user to enable.", show_default=False)],
    user: UserOpt = None,
) -> None:
    """Enable a disabled user again (with the password they had).

    Example: yigai users enable wjw
    """
    from yigai.services.users import set_user_active

    with opened() as built:
        set_user_active(built.uow(), who(built, user), username, True)
    info(f"已启用用户 enabled: {username}")


def schedule(
    plan: PlanArg,
    type_: Annotated[str, typer.Option("--type", help="yearly, six_monthly, quarterly or monthly.")] = "quarterly",
    first: Annotated[
        str, typer.Option("--from", help="First period, e.g. 2021年第3季度 or 2021Q3.", show_default=False)
    ] = "",
    last: Annotated[
        str, typer.Option("--to", help="Last period, e.g. 2025年第4季度 or 2025Q4.", show_default=False)
    ] = "",
    due_days: Annotated[
        int, typer.Option("--due-days", help="Days after a period ends that a report is on time.")
    ] = 15,
    user: UserOpt = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Set a plan's reporting schedule and list its periods with their due dates.

    Example: yigai schedule 5 --type quarterly --from 2021年第3季度 --to 2023年第4季度 --due-days 15
    """
    from yigai.services.schedules import set_schedule
    from yigai.storage.audit import jsonable

    if not first or not last:
        raise typer.BadParameter("give --from and --to / 请指定 --from 和 --to")
    with opened() as built:
        result = set_schedule(built.uow(), who(built, user), plan, type_, first, last, due_days)
    periods = result.periods
    if fmt is OutputFormat.JSON:
        print_json(
            {
                **jsonable(result),
                "periods": [
                    {"id": p.id, "label": p.label, "start": p.start.isoformat(), "end": p.end.isoformat()}
                    for p in periods
                ],
            }
        )
        return
    for p in periods:
        stdout().print(f"{p.id}\t{p.label}\t{p.start} – {p.end}\t截止 due {due_date(p, result.due_days)}")
    info(
        f"计划 {result.plan_id}：{len(periods)} 个报告期 periods, {span_label(result.first, result.last)}，"
        f"期末后 {result.due_days} 天内报送 due {result.due_days} days after period end"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(orgunits_app, name="orgunits")
    app.add_typer(alias_app, name="departments-alias")
    app.add_typer(users_app, name="users")
    app.command("schedule")(schedule)
