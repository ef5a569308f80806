"""Plan import and review: upload a document as a draft, correct it, publish it (or discard it).

Everything here is the office's: the services refuse writes by anyone else, and drafts are
read only by the office (they are not plans until published). ``POST /plans/import``
uploads and, with ``publish=true``, publishes in one call, for systems that trust the parser.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, UploadFile
from pydantic import BaseModel, Field

from yigai.domain.serialize import meta_dict, plan_to_dict
from yigai.domain.users import Role, User
from yigai.services import plan_review
from yigai.services.assignment import Assignment, AssignMode, unassigned_tasks
from yigai.storage.audit import jsonable
from yigai.web.deps import AppDep, CurrentUser, DbInt, UowDep, require_role
from yigai.web.files import check_extension, read_upload, saved_upload

router = APIRouter(tags=["plan review"])
DOCUMENT_TYPES = (".txt", ".md", ".docx", ".pdf")
Office = Annotated[User, Depends(require_role(Role.OFFICE_ADMIN))]  # drafts are not public until published


class Departments(BaseModel):
    lead: list[str] = Field(default_factory=list, max_length=50)
    cooperating: list[str] = Field(default_factory=list, max_length=100)


class Assign(BaseModel):
    """Departments for many tasks or measures at once; names from the registry (aliases resolved)."""

    items: list[str] = Field(min_length=1, max_length=2000, description="task or measure ids: T3, T4.M2 …")
    lead: list[str] = Field(default_factory=list, max_length=50)
    cooperating: list[str] = Field(default_factory=list, max_length=50)
    mode: AssignMode = Field(
        default=AssignMode.ADD,
        description="add: keep the departments already there; "
        "replace: the chosen ones replace them (a lead is then required)",
    )


def assignment_view(result: Assignment) -> dict[str, Any]:
    return {
        "items": result.items,
        "changed": result.changed,
        "lead": result.lead,
        "cooperating": result.cooperating,
        "mode": result.mode.value,
        "version": result.version,
    }


class FieldValue(BaseModel):
    value: Any = None


class Publish(BaseModel):
    replace: bool = False


async def _upload(app: Any, user: Any, file: UploadFile) -> int:
    name = file.filename or "upload.txt"
    check_extension(name, DOCUMENT_TYPES)
    data = await read_upload(file, app.settings.max_document_bytes)
    with saved_upload(data, name) as path:
        return plan_review.upload_plan(
            app.uow(), user, path, source_name=name, max_bytes=app.settings.max_document_bytes
        )


def review_view(review: plan_review.DraftReview) -> dict[str, Any]:
    return {
        "info": jsonable(review.info),
        "plan": plan_to_dict(review.draft),
        "counts": jsonable(review.counts),
        "spans": jsonable(review.spans),
        "corrections": jsonable(review.corrections),
        "duplicate": jsonable(review.duplicate),
        "unknown_departments": review.unknown_departments,
        "without_lead": unassigned_tasks(review.draft),
    }


@router.post(
    "/plans/import",
    status_code=201,
    summary="Upload a document (.txt .md .docx .pdf) as a draft; publish=true publishes it at once",
)
async def import_plan(
    app: AppDep,
    user: CurrentUser,
    file: UploadFile,
    publish: Annotated[bool, Form()] = False,
    replace: Annotated[bool, Form()] = False,
) -> dict[str, Any]:
    draft_id = await _upload(app, user, file)
    plan_id = plan_review.publish(app.uow(), user, draft_id, replace=replace) if publish else None
    return {"draft_id": draft_id, "plan_id": plan_id}


@router.get("/drafts", summary="Drafts under review (all=true: published and discarded ones too)")
def drafts(uow: UowDep, _: Office, all: bool = False) -> list[dict[str, Any]]:  # noqa: A002
    return [jsonable(d) for d in plan_review.list_drafts(uow, include_closed=all)]


@router.post("/drafts", status_code=201, summary="Upload a document as a new draft")
async def upload(app: AppDep, user: CurrentUser, file: UploadFile) -> dict[str, Any]:
    return {"draft_id": await _upload(app, user, file)}


@router.get("/drafts/{draft_id}", summary="The draft, its source text, every field's span, corrections so far")
def draft(draft_id: DbInt, uow: UowDep, _: Office) -> dict[str, Any]:
    return review_view(plan_review.get_review(uow, draft_id))


@router.put("/drafts/{draft_id}/items/{item_id}/departments", summary="Set lead and cooperating departments")
def set_departments(draft_id: DbInt, item_id: str, body: Departments, uow: UowDep, user: CurrentUser) -> Any:
    return jsonable(plan_review.set_task_departments(uow, user, draft_id, item_id, body.lead, body.cooperating))


@router.post(
    "/drafts/{draft_id}/assignments",
    summary="Assign lead and cooperating departments to many tasks at once "
    "(add to or replace those there; names from the registry)",
)
def assign(draft_id: DbInt, body: Assign, uow: UowDep, user: CurrentUser) -> dict[str, Any]:
    return assignment_view(
        plan_review.assign_departments(uow, user, draft_id, body.items, body.lead, body.cooperating, mode=body.mode)
    )


@router.put("/drafts/{draft_id}/items/{item_id}/{field}", summary="Correct title, deadline or category")
def set_field(draft_id: DbInt, item_id: str, field: str, body: FieldValue, uow: UowDep, user: CurrentUser) -> Any:
    return {"value": jsonable(plan_review.set_task_field(uow, user, draft_id, item_id, field, body.value))}


@router.delete("/drafts/{draft_id}/items/{item_id}", summary="Delete a task or measure that is not one")
def delete_item(draft_id: DbInt, item_id: str, uow: UowDep, user: CurrentUser) -> dict[str, bool]:
    plan_review.delete_task(uow, user, draft_id, item_id)
    return {"ok": True}


@router.patch("/drafts/{draft_id}/meta", summary="Correct metadata: title, issuer, doc_number, date, region …")
def set_meta(draft_id: DbInt, body: dict[str, Any], uow: UowDep, user: CurrentUser) -> dict[str, Any]:
    return meta_dict(plan_review.set_meta(uow, user, draft_id, **body))


@router.post("/drafts/{draft_id}/publish", summary="Publish the draft as a plan (replace: over the same document)")
def publish(draft_id: DbInt, uow: UowDep, user: CurrentUser, body: Publish | None = None) -> dict[str, int]:
    return {"plan_id": plan_review.publish(uow, user, draft_id, replace=body.replace if body else False)}


@router.post("/drafts/{draft_id}/discard", summary="Discard the draft (it stays readable)")
def discard(draft_id: DbInt, uow: UowDep, user: CurrentUser) -> dict[str, bool]:
    plan_review.discard_draft(uow, user, draft_id)
    return {"ok": True}
