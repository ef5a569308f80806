"""Administration (office admins only): users, passwords, aliases, renames, org units, schedules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from yigai.domain.errors import YigaiError
from yigai.domain.users import Role, User
from yigai.services.auth import set_password
from yigai.services.departments import add_alias, rename_department
from yigai.services.errors import ImportFileError
from yigai.services.orgunits import load_orgunits
from yigai.services.schedules import set_schedule
from yigai.services.users import create_user
from yigai.web.deps import AppDep, UowDep, require_role, verify_csrf
from yigai.web.errors import status_for
from yigai.web.pages.files import saved_upload
from yigai.web.pages.render import render
from yigai.web.viewmodels.admin import admin_page

OfficeAdmin = Annotated[User, Depends(require_role(Role.OFFICE_ADMIN, page=True))]
router = APIRouter()
write = APIRouter(dependencies=[Depends(verify_csrf)])
MAX_ORGUNIT_BYTES = 5 * 1024 * 1024
DONE = {"user": "已创建用户。", "password": "已设置密码，该用户的登录会话已全部结束。", "alias": "已添加部门别名。",
        "rename": "已重命名部门，原名称保留为别名。", "orgunits": "已导入机构层级。", "schedule": "已设置报送周期。"}


def _names(text: str) -> list[str]:
    return [n.strip() for n in text.replace("，", ",").replace("、", ",").replace("\n", ",").split(",") if n.strip()]


def _run(request: Request, app: AppDep, action: Callable[[], object], done: str, anchor: str) -> Response:
    """Do one write; back to the admin page with a message, or the page again with the error."""
    try:
        action()
    except YigaiError as exc:
        problems = [f"第{e.row}行 {e.column}：{e.message_zh}" for e in exc.errors] \
            if isinstance(exc, ImportFileError) else []
        return render(request, "admin.html", {"view": admin_page(app.uow()), "message": exc.message_zh,
                                              "problems": problems, "ok": False, "anchor": anchor},
                      status_code=status_for(exc))
    return RedirectResponse(f"/admin?done={done}#{anchor}", status_code=303)


@router.get("/admin")
def admin(request: Request, user: OfficeAdmin, uow: UowDep, done: str = "") -> Response:
    return render(request, "admin.html", {"view": admin_page(uow), "message": DONE.get(done, ""), "ok": True})


@write.post("/admin/users")
def add_user(request: Request, user: OfficeAdmin, app: AppDep, username: Annotated[str, Form(max_length=64)],
             role: Annotated[str, Form()], display_name: Annotated[str, Form(max_length=100)] = "",
             departments: Annotated[str, Form(max_length=2000)] = "", org_units: Annotated[str, Form(max_length=2000)] = "",
             password: Annotated[str, Form(max_length=256)] = "") -> Response:
    def action() -> None:
        create_user(app.uow(), user, username.strip(), display_name.strip(), role, departments=_names(departments),
                    org_units=_names(org_units))
        if password:
            set_password(app.uow(), user, username.strip(), password)

    return _run(request, app, action, "user", "users")


@write.post("/admin/users/{username}/password")
def password(request: Request, user: OfficeAdmin, app: AppDep, username: str,
             password: Annotated[str, Form(max_length=256)]) -> Response:
    return _run(request, app, lambda: set_password(app.uow(), user, username, password), "password", "users")


@write.post("/admin/aliases")
def alias(request: Request, user: OfficeAdmin, app: AppDep, alias: Annotated[str, Form(max_length=100)],
          canonical: Annotated[str, Form(max_length=100)], region: Annotated[str, Form(max_length=100)] = "") -> Response:
    return _run(request, app, lambda: add_alias(app.uow(), user, alias, canonical, region=region.strip()),
                "alias", "departments")


@write.post("/admin/departments/rename")
def rename(request: Request, user: OfficeAdmin, app: AppDep, old: Annotated[str, Form(max_length=100)],
           new: Annotated[str, Form(max_length=100)]) -> Response:
    return _run(request, app, lambda: rename_department(app.uow(), user, old, new), "rename", "departments")


@write.post("/admin/orgunits")
def orgunits(request: Request, user: OfficeAdmin, app: AppDep,
             file: Annotated[UploadFile | None, File()] = None) -> Response:
    def action() -> None:
        if file is None or not file.filename:
            load_orgunits(app.uow(), user)
            return
        with saved_upload(file, (".yaml", ".yml", ".csv"), MAX_ORGUNIT_BYTES, "机构层级文件") as path:
            load_orgunits(app.uow(), user, path)

    return _run(request, app, action, "orgunits", "orgunits")


@write.post("/admin/schedules/{plan_id:int}")
def schedule(request: Request, user: OfficeAdmin, app: AppDep, plan_id: int, period_type: Annotated[str, Form()],
             first: Annotated[str, Form(max_length=10)], last: Annotated[str, Form(max_length=10)],
             due_days: Annotated[int, Form()] = 15) -> Response:
    return _run(request, app, lambda: set_schedule(app.uow(), user, plan_id, period_type, first.strip(), last.strip(),
                                                   due_days), "schedule", "schedules")
