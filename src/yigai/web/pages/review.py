"""Plan import and review (office admins only): upload → the text beside the structure → correct → publish."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from yigai.domain.errors import YigaiError
from yigai.domain.users import Role, User
from yigai.services import plan_review
from yigai.web.deps import AppDep, DbInt, UowDep, require_role, verify_csrf
from yigai.web.errors import status_for
from yigai.web.pages.files import saved_upload
from yigai.web.pages.render import is_htmx, render
from yigai.web.viewmodels.review import assign_form, find_item, review_page

OfficeAdmin = Annotated[User, Depends(require_role(Role.OFFICE_ADMIN, page=True))]
router = APIRouter()
write = APIRouter(dependencies=[Depends(verify_csrf)])
DOCUMENT_TYPES = (".txt", ".md", ".docx", ".pdf")
DONE = {
    "saved": "已保存修改。",
    "deleted": "已删除该事项。",
    "meta": "已保存文件信息。",
    "assigned": "已为所选事项指定部门。",
}


def _review(
    request: Request,
    app: AppDep,
    draft_id: int,
    *,
    error: str = "",
    status_code: int = 200,
    edit: str = "",
    done: str = "",
    assigning: dict[str, Any] | None = None,
) -> Response:
    view = review_page(app.uow(), draft_id, edit)
    typed = assigning or {}
    view.selected = set(typed.get("items", ()))
    form = assign_form(
        f"/plans/review/{draft_id}/assign",
        len(view.unassigned),
        view.departments,
        typed.get("lead", ""),
        typed.get("cooperating", ""),
        typed.get("mode", "add"),
    )
    form["error"] = error if assigning else ""
    form["done"] = DONE[done] if done == "assigned" else ""
    return render(
        request,
        "review.html",
        {"view": view, "error": error, "assign": form, "done": "" if done == "assigned" else DONE.get(done, "")},
        status_code=status_code,
    )


@router.get("/plans/import")
def import_page(request: Request, user: OfficeAdmin, uow: UowDep) -> Response:
    return render(
        request,
        "import.html",
        {"drafts": plan_review.list_drafts(uow, include_closed=True), "types": DOCUMENT_TYPES, "error": ""},
    )


@write.post("/plans/import")
def upload(request: Request, user: OfficeAdmin, app: AppDep, file: Annotated[UploadFile, File()]) -> Response:
    try:
        with saved_upload(file, DOCUMENT_TYPES, app.settings.max_document_bytes, "计划文件") as path:
            draft_id = plan_review.upload_plan(
                app.uow(), user, path, source_name=file.filename, max_bytes=app.settings.max_document_bytes
            )
    except YigaiError as exc:
        return render(
            request,
            "import.html",
            {
                "drafts": plan_review.list_drafts(app.uow(), include_closed=True),
                "types": DOCUMENT_TYPES,
                "error": exc.message_zh,
            },
            status_code=status_for(exc),
        )
    return RedirectResponse(f"/plans/review/{draft_id}", status_code=303)


@router.get("/plans/review/{draft_id:int}")
def review(
    request: Request, user: OfficeAdmin, app: AppDep, draft_id: DbInt, edit: str = "", done: str = ""
) -> Response:
    return _review(request, app, draft_id, edit=edit, done=done)


@router.get("/plans/review/{draft_id:int}/items/{item_id}/edit")
def edit_form(request: Request, user: OfficeAdmin, app: AppDep, draft_id: DbInt, item_id: str) -> Response:
    """The edit form of one item (HTMX loads it in place; without JavaScript the page opens with it)."""
    if not is_htmx(request):
        return RedirectResponse(f"/plans/review/{draft_id}?edit={item_id}#f-{item_id}", status_code=303)
    view = review_page(app.uow(), draft_id, item_id)
    return render(request, "_review_edit.html", {"view": view, "item": find_item(view, item_id)})


@write.post("/plans/review/{draft_id:int}/items/{item_id}/departments")
def departments(
    request: Request,
    user: OfficeAdmin,
    app: AppDep,
    draft_id: DbInt,
    item_id: str,
    lead: Annotated[str, Form(max_length=2000)] = "",
    cooperating: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Replace the lead and cooperating departments (names as typed, 、-separated; aliases resolved)."""
    try:
        plan_review.set_task_departments(app.uow(), user, draft_id, item_id, lead, cooperating)
    except YigaiError as exc:
        return _review(request, app, draft_id, error=f"{item_id}：{exc.message_zh}", status_code=status_for(exc))
    return RedirectResponse(f"/plans/review/{draft_id}?done=saved#f-{item_id}", status_code=303)


@write.post("/plans/review/{draft_id:int}/assign")
def assign(
    request: Request,
    user: OfficeAdmin,
    app: AppDep,
    draft_id: DbInt,
    items: Annotated[list[str] | None, Form()] = None,
    lead: Annotated[str, Form(max_length=2000)] = "",
    cooperating: Annotated[str, Form(max_length=2000)] = "",
    mode: Annotated[str, Form()] = "add",
) -> Response:
    """Assign departments to every ticked task or measure (names from the registry; add to or replace those there)."""
    try:
        plan_review.assign_departments(app.uow(), user, draft_id, items or [], lead, cooperating, mode=mode)
    except YigaiError as exc:
        typed = {"items": items or [], "lead": lead, "cooperating": cooperating, "mode": mode}
        return _review(
            request,
            app,
            draft_id,
            error=f"批量指定部门：{exc.message_zh}",
            status_code=status_for(exc),
            assigning=typed,
        )
    return RedirectResponse(f"/plans/review/{draft_id}?done=assigned#tasks", status_code=303)


@write.post("/plans/review/{draft_id:int}/items/{item_id}")
def correct(
    request: Request,
    user: OfficeAdmin,
    app: AppDep,
    draft_id: DbInt,
    item_id: str,
    title: Annotated[str, Form(max_length=1000)] = "",
    deadline: Annotated[str, Form(max_length=200)] = "",
    category: Annotated[list[str] | None, Form()] = None,
    action: Annotated[str, Form()] = "save",
) -> Response:
    """Save what changed of title, deadline and categories (each change is one correction), or delete the item."""
    try:
        if action == "delete":
            plan_review.delete_task(app.uow(), user, draft_id, item_id)
            return RedirectResponse(f"/plans/review/{draft_id}?done=deleted", status_code=303)
        current = find_item(review_page(app.uow(), draft_id), item_id)
        if current is None:
            plan_review.delete_task(app.uow(), user, draft_id, item_id)  # raises: no such item
            return RedirectResponse(f"/plans/review/{draft_id}", status_code=303)
        if title.strip() and title.strip() != current.title:
            plan_review.set_task_field(app.uow(), user, draft_id, item_id, "title", title)
        if deadline.strip() != current.deadline_value:
            plan_review.set_task_field(app.uow(), user, draft_id, item_id, "deadline", deadline)
        if category is not None and sorted(category) != sorted(current.categories):
            plan_review.set_task_field(app.uow(), user, draft_id, item_id, "category", category)
    except YigaiError as exc:
        return _review(
            request, app, draft_id, error=f"{item_id}：{exc.message_zh}", status_code=status_for(exc), edit=item_id
        )
    return RedirectResponse(f"/plans/review/{draft_id}?done=saved#f-{item_id}", status_code=303)


@write.post("/plans/review/{draft_id:int}/meta")
async def meta(request: Request, user: OfficeAdmin, app: AppDep, draft_id: DbInt) -> Response:
    form = await request.form()
    view = review_page(app.uow(), draft_id)
    changes: dict[str, Any] = {
        f.name: str(form[f.name]).strip() for f in view.meta if f.name in form and str(form[f.name]).strip() != f.value
    }
    try:
        if changes:
            plan_review.set_meta(app.uow(), user, draft_id, **changes)
    except YigaiError as exc:
        return _review(request, app, draft_id, error=exc.message_zh, status_code=status_for(exc))
    return RedirectResponse(f"/plans/review/{draft_id}?done=meta", status_code=303)


@write.post("/plans/review/{draft_id:int}/publish")
def publish(
    request: Request, user: OfficeAdmin, app: AppDep, draft_id: DbInt, replace: Annotated[str, Form()] = ""
) -> Response:
    try:
        plan_id = plan_review.publish(app.uow(), user, draft_id, replace=bool(replace))
    except YigaiError as exc:
        return _review(request, app, draft_id, error=exc.message_zh, status_code=status_for(exc))
    return RedirectResponse(f"/plans/{plan_id}", status_code=303)


@write.post("/plans/review/{draft_id:int}/discard")
def discard(request: Request, user: OfficeAdmin, app: AppDep, draft_id: DbInt) -> Response:
    try:
        plan_review.discard_draft(app.uow(), user, draft_id)
    except YigaiError as exc:
        return _review(request, app, draft_id, error=exc.message_zh, status_code=status_for(exc))
    return RedirectResponse("/plans/import", status_code=303)
