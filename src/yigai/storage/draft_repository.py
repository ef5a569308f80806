"""Plan drafts under review: stored whole, read back as domain objects.

A draft is the parser's ``PlanDraft`` serialised to JSON beside its source text;
``save`` writes a corrected draft back and bumps the version. Drafts live in
their own table, so nothing that lists or supervises plans ever sees one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from yigai.clock import aware, now, to_utc
from yigai.domain.plan import PlanDraft
from yigai.domain.serialize import plan_from_dict, plan_to_stored_dict
from yigai.storage.models import PlanDraftRow


class DraftStatus(StrEnum):
    DRAFT = "draft"  # uploaded and parsed, under review
    PUBLISHED = "published"  # became (or replaced) a plan
    DISCARDED = "discarded"  # dropped by the office


@dataclass(frozen=True, slots=True)
class DraftInfo:
    """What lists show about a draft, without its content."""

    id: int
    status: DraftStatus
    version: int
    title: str
    doc_number: str
    source_name: str
    created_by: str
    created_at: dt.datetime
    updated_by: str
    updated_at: dt.datetime
    published_plan_id: int | None


@dataclass(frozen=True, slots=True)
class DraftRecord:
    info: DraftInfo
    draft: PlanDraft


def _info(row: PlanDraftRow) -> DraftInfo:
    return DraftInfo(
        id=row.id,
        status=DraftStatus(row.status),
        version=row.version,
        title=row.title,
        doc_number=row.doc_number,
        source_name=row.source_name,
        created_by=row.created_by,
        created_at=aware(row.created_at) or row.created_at,
        updated_by=row.updated_by,
        updated_at=aware(row.updated_at) or row.updated_at,
        published_plan_id=row.published_plan_id,
    )


class DraftRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, draft: PlanDraft, *, actor: str, at: dt.datetime | None = None) -> int:
        when = to_utc(at or now())
        row = PlanDraftRow(
            status=DraftStatus.DRAFT.value,
            version=1,
            sha256=draft.sha256,
            title=draft.meta.title,
            doc_number=draft.meta.doc_number,
            source_name=draft.source_name,
            source_format=draft.source_format,
            source_text=draft.source_text,
            content=plan_to_stored_dict(draft),
            created_by=actor,
            created_at=when,
            updated_by=actor,
            updated_at=when,
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    def get(self, draft_id: int) -> DraftRecord | None:
        row = self.session.get(PlanDraftRow, draft_id)
        if row is None:
            return None
        return DraftRecord(_info(row), plan_from_dict(row.content, row.source_text))

    def save(self, draft_id: int, draft: PlanDraft, *, actor: str, at: dt.datetime | None = None) -> int:
        """Store the corrected draft; returns the new version."""
        row = self._row(draft_id)
        row.content = plan_to_stored_dict(draft)
        row.title, row.doc_number = draft.meta.title, draft.meta.doc_number
        row.version += 1
        row.updated_by, row.updated_at = actor, to_utc(at or now())
        self.session.flush()
        return row.version

    def set_status(
        self,
        draft_id: int,
        status: DraftStatus,
        *,
        actor: str,
        at: dt.datetime | None = None,
        plan_id: int | None = None,
    ) -> None:
        row = self._row(draft_id)
        row.status = status.value
        row.published_plan_id = plan_id if plan_id is not None else row.published_plan_id
        row.updated_by, row.updated_at = actor, to_utc(at or now())
        self.session.flush()

    def list(self, statuses: tuple[DraftStatus, ...] = (DraftStatus.DRAFT,)) -> list[DraftInfo]:
        """Newest first."""
        stmt = (
            select(PlanDraftRow)
            .where(PlanDraftRow.status.in_([s.value for s in statuses]))
            .options(defer(PlanDraftRow.content), defer(PlanDraftRow.source_text))
            .order_by(PlanDraftRow.id.desc())
        )
        return [_info(r) for r in self.session.scalars(stmt)]

    def _row(self, draft_id: int) -> PlanDraftRow:
        row = self.session.get(PlanDraftRow, draft_id)
        if row is None:
            raise KeyError(draft_id)
        return row
