"""Administration (office admins only): users, passwords, aliases, renames, org units, schedules, scoring weights."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from yigai.domain.errors import YigaiError
from yigai.domain.users import Role, User
from yigai.services.auth import set_password
from yigai.services.departments import add_alias, rename_department
from yigai.services.errors import ImportFileError, InvalidInputError
from yigai.services.orgunits import load_orgunits
from yigai.services.schedules import set_schedule
from yigai.services.scoring import label_of, reset_office_scheme, set_office_scheme, tree
from yigai.services.users import create_user, set_user_active, update_user
from yigai.web.deps import AppDep, DbInt, UowDep, require_role, verify_csrf
from yigai.web.errors import status_for
from yigai.web.pages.files import saved_upload
from yigai.web.pages.render import render
from yigai.web.viewmodels.admin import admin_page, scheme_view, user_page

OfficeAdmin = Annotated[User, Depends(require_role(Role.OFFICE_ADMIN, page=True))]
router = APIRouter()
write = APIRouter(dependencies=[Depends(verify_csrf)])
MAX_ORGUNIT_BYTES = 5 * 1024 * 1024
DONE = {
    "user": "已创建用户。",
    "password": "已设置密码，该用户的登录会话已全部结束。",
    "alias": "已添加部门别名。",
    "rename": "已重命名部门，原名称保留为别名。",
    "orgunits": "已导入机构层级。",
    "schedule": "已设置报送周期。",
    "scoring": "已保存考核评分方案（新版本），此后的评估均按此方案计分。",
    "scoring_reset": "已恢复默认评分方案。",
    "updated": "已保存角色与权限范围，该用户下次操作时即生效。",
    "disabled": "已停用该用户，其登录会话已全部结束。",
    "enabled": "已启用该用户。",
}


def _names(text: str) -> list[str]:
    return [n.strip() for n in text.replace("，", ",").replace("、", ",").replace("\n", ",").split(",") if n.strip()]


def _run(
    request: Request,
    app: AppDep,
    action: Callable[[], object],
    done: str,
    anchor: str,
    *,
    user_page_of: tuple[User, str] | None = None,
    typed: Mapping[str, Any] | None = None,
) -> Response:
    """Do one write; back to the page with a message, or the page again with the error and what was typed.

    The page is the admin page, or with ``user_page_of`` (admin, username) that user's page.
    """
    back = (
        f"/admin?done={done}#{anchor}" if user_page_of is None else f"/admin/users/{quote(user_page_of[1])}?done={done}"
    )
    try:
        action()
    except YigaiError as exc:
        problems = (
            [f"第{e.row}行 {e.column}：{e.message_zh}" for e in exc.errors] if isinstance(exc, ImportFileError) else []
        )
        context = {
            "message": exc.message_zh,
            "problems": problems,
            "ok": False,
            "anchor": anchor,
            "typed": dict(typed or {}),
        }
        if user_page_of is not None:
            return render(
                request,
                "user.html",
                {"view": user_page(app.uow(), *user_page_of), **context},
                status_code=status_for(exc),
            )
        return render(request, "admin.html", {"view": admin_page(app.uow()), **context}, status_code=status_for(exc))
    return RedirectResponse(back, status_code=303)


@router.get("/admin")
def admin(request: Request, user: OfficeAdmin, uow: UowDep, done: str = "") -> Response:
    return render(request, "admin.html", {"view": admin_page(uow), "message": DONE.get(done, ""), "ok": True})


@write.post("/admin/users")
def add_user(
    request: Request,
    user: OfficeAdmin,
    app: AppDep,
    username: Annotated[str, Form(max_length=64)],
    role: Annotated[str, Form()],
    display_name: Annotated[str, Form(max_length=100)] = "",
    departments: Annotated[str, Form(max_length=2000)] = "",
    org_units: Annotated[str, Form(max_length=2000)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    def action() -> None:
        create_user(
            app.uow(),
            user,
            username.strip(),
            display_name.strip(),
            role,
            departments=_names(departments),
            org_units=_names(org_units),
        )
        if password:
            set_password(app.uow(), user, username.strip(), password)

    return _run(request, app, action, "user", "users")


@router.get("/admin/users/{username}")
def user_detail(request: Request, user: OfficeAdmin, uow: UowDep, username: str, done: str = "") -> Response:
    return render(
        request, "user.html", {"view": user_page(uow, user, username), "message": DONE.get(done, ""), "ok": True}
    )


@write.post("/admin/users/{username}/password")
def password(
    request: Request, user: OfficeAdmin, app: AppDep, username: str, password: Annotated[str, Form(max_length=256)]
) -> Response:
    return _run(
        request,
        app,
        lambda: set_password(app.uow(), user, username, password),
        "password",
        "password",
        user_page_of=(user, username),
    )


@write.post("/admin/users/{username}/update")
def change_user(
    request: Request,
    user: OfficeAdmin,
    app: AppDep,
    username: str,
    role: Annotated[str, Form()],
    display_name: Annotated[str, Form(max_length=100)] = "",
    departments: Annotated[str, Form(max_length=2000)] = "",
    org_units: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    return _run(
        request,
        app,
        lambda: update_user(
            app.uow(),
            user,
            username,
            role=role,
            display_name=display_name,
            departments=_names(departments),
            org_units=_names(org_units),
        ),
        "updated",
        "role",
        user_page_of=(user, username),
        typed={"role": role, "display_name": display_name, "departments": departments, "org_units": org_units},
    )


@write.post("/admin/users/{username}/active")
def user_active(
    request: Request, user: OfficeAdmin, app: AppDep, username: str, active: Annotated[bool, Form()]
) -> Response:
    return _run(
        request,
        app,
        lambda: set_user_active(app.uow(), user, username, active),
        "enabled" if active else "disabled",
        "active",
        user_page_of=(user, username),
    )


def _scheme_changes(form: Mapping[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """The form's fields (named ``parts.tasks`` …) as a scheme; numbers are read as numbers."""
    values: dict[str, Any] = {}
    for name, kind in names.items():
        raw = form.get(name)
        if kind == "bool":
            values[name] = raw is not None
            continue
        text = str(raw if raw is not None else "").strip()
        if kind != "number":
            values[name] = text
            continue
        try:
            number = float(text)
        except ValueError:
            raise InvalidInputError(
                f"{name} is not a number", where=name, message_zh=f"「{label_of(name)}」应为数字，实为「{text}」"
            ) from None
        values[name] = int(number) if number.is_integer() else number
    return tree(values)


@write.post("/admin/scoring")
async def scoring(request: Request, user: OfficeAdmin, app: AppDep) -> Response:
    form = await request.form()
    names = {f.name: f.kind for s in scheme_view(app.uow()).sections for f in s.fields}
    note = str(form.get("note") or "")[:500]
    typed = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    return _run(
        request,
        app,
        lambda: set_office_scheme(app.uow(), user, _scheme_changes(form, names), note=note),
        "scoring",
        "scoring",
        typed=typed,
    )


@write.post("/admin/scoring/reset")
def scoring_reset(request: Request, user: OfficeAdmin, app: AppDep) -> Response:
    return _run(request, app, lambda: reset_office_scheme(app.uow(), user), "scoring_reset", "scoring")


@write.post("/admin/aliases")
def alias(
    request: Request,
    user: OfficeAdmin,
    app: AppDep,
    alias: Annotated[str, Form(max_length=100)],
    canonical: Annotated[str, Form(max_length=100)],
    region: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    return _run(
        request,
        app,
        lambda: add_alias(app.uow(), user, alias, canonical, region=region.strip()),
        "alias",
        "departments",
    )


@write.post("/admin/departments/rename")
def rename(
    request: Request,
    user: OfficeAdmin,
    app: AppDep,
    old: Annotated[str, Form(max_length=100)],
    new: Annotated[str, Form(max_length=100)],
) -> Response:
    return _run(request, app, lambda: rename_department(app.uow(), user, old, new), "rename", "departments")


@write.post("/admin/orgunits")
def orgunits(
    request: Request, user: OfficeAdmin, app: AppDep, file: Annotated[UploadFile | None, File()] = None
) -> Response:
    def action() -> None:
        if file is None or not file.filename:
            load_orgunits(app.uow(), user)
            return
        with saved_upload(file, (".yaml", ".yml", ".csv"), MAX_ORGUNIT_BYTES, "机构层级文件") as path:
            load_orgunits(app.uow(), user, path)

    return _run(request, app, action, "orgunits", "orgunits")


@write.post("/admin/schedules/{plan_id:int}")
def schedule(
    request: Request,
    user: OfficeAdmin,
    app: AppDep,
    plan_id: DbInt,
    period_type: Annotated[str, Form()],
    first: Annotated[str, Form(max_length=10)],
    last: Annotated[str, Form(max_length=10)],
    due_days: Annotated[DbInt, Form()] = 15,
) -> Response:
    return _run(
        request,
        app,
        lambda: set_schedule(app.uow(), user, plan_id, period_type, first.strip(), last.strip(), due_days),
        "schedule",
        "schedules",
    )
