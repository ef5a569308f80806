"""The office's scoring weights, one version per change (``scoring_schemes``); the newest applies."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yigai.clock import aware, to_utc
from yigai.storage.supervision_models import ScoringSchemeRow


@dataclass(frozen=True, slots=True)
class StoredScheme:
    version: int
    overrides: dict[str, Any]  # the keys that differ from scoring.yaml; empty: the default
    note: str
    created_by: str
    created_at: dt.datetime


def _stored(row: ScoringSchemeRow) -> StoredScheme:
    return StoredScheme(
        version=row.version,
        overrides=dict(row.overrides or {}),
        note=row.note,
        created_by=row.created_by,
        created_at=aware(row.created_at) or row.created_at,
    )


class ScoringRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def current(self) -> StoredScheme | None:
        row = self.session.scalar(select(ScoringSchemeRow).order_by(ScoringSchemeRow.version.desc()).limit(1))
        return None if row is None else _stored(row)

    def add(self, overrides: dict[str, Any], *, actor: str, at: dt.datetime, note: str = "") -> StoredScheme:
        """Store a new version (the previous ones stay)."""
        version = int(self.session.scalar(select(func.max(ScoringSchemeRow.version))) or 0) + 1
        row = ScoringSchemeRow(
            version=version, overrides=overrides, note=note[:500], created_by=actor[:64], created_at=to_utc(at)
        )
        self.session.add(row)
        self.session.flush()
        return _stored(row)

    def history(self, limit: int = 20) -> list[StoredScheme]:
        """Newest first."""
        rows = self.session.scalars(select(ScoringSchemeRow).order_by(ScoringSchemeRow.version.desc()).limit(limit))
        return [_stored(r) for r in rows]
