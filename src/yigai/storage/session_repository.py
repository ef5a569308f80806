"""Server-side web sessions and failed sign-ins.

A session is found by the SHA-256 of the token its cookie carries; the token
itself is never stored. Failed sign-ins are kept per username and client
address so that guessing is slowed down (see ``yigai.web.security``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import delete, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from yigai.clock import aware, to_utc
from yigai.storage.web_models import LoginFailureRow, WebSessionRow


@dataclass(frozen=True, slots=True)
class WebSession:
    id: int
    user_id: int
    csrf_token: str
    created_at: dt.datetime
    last_seen: dt.datetime
    expires_at: dt.datetime


def _session(row: WebSessionRow) -> WebSession:
    return WebSession(
        id=row.id,
        user_id=row.user_id,
        csrf_token=row.csrf_token,
        created_at=aware(row.created_at) or row.created_at,
        last_seen=aware(row.last_seen) or row.last_seen,
        expires_at=aware(row.expires_at) or row.expires_at,
    )


class WebSessionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(
        self,
        token_hash: str,
        user_id: int,
        csrf_token: str,
        *,
        at: dt.datetime,
        expires_at: dt.datetime,
        client: str = "",
        user_agent: str = "",
    ) -> None:
        self.session.add(
            WebSessionRow(
                token_hash=token_hash,
                user_id=user_id,
                csrf_token=csrf_token,
                created_at=to_utc(at),
                last_seen=to_utc(at),
                expires_at=to_utc(expires_at),
                client=client[:64],
                user_agent=user_agent[:255],
            )
        )
        self.session.flush()

    def find(self, token_hash: str) -> WebSession | None:
        row = self.session.scalar(select(WebSessionRow).where(WebSessionRow.token_hash == token_hash))
        return None if row is None else _session(row)

    def touch(self, session_id: int, at: dt.datetime, expires_at: dt.datetime) -> None:
        self.session.execute(
            update(WebSessionRow)
            .where(WebSessionRow.id == session_id)
            .values(last_seen=to_utc(at), expires_at=to_utc(expires_at))
        )

    def delete(self, token_hash: str) -> int:
        result = self.session.execute(delete(WebSessionRow).where(WebSessionRow.token_hash == token_hash))
        return cast(CursorResult[Any], result).rowcount

    def delete_for_user(self, user_id: int) -> int:
        result = self.session.execute(delete(WebSessionRow).where(WebSessionRow.user_id == user_id))
        return cast(CursorResult[Any], result).rowcount

    def purge(self, before: dt.datetime) -> int:
        """Drop sessions that expired before ``before``."""
        result = self.session.execute(delete(WebSessionRow).where(WebSessionRow.expires_at < to_utc(before)))
        return cast(CursorResult[Any], result).rowcount


class LoginFailureRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, username: str, client: str, at: dt.datetime) -> None:
        self.session.add(LoginFailureRow(username=username[:64], client=client[:64], at=to_utc(at)))
        self.session.flush()

    def since(self, since: dt.datetime, *, username: str | None = None, client: str | None = None) -> list[dt.datetime]:
        """When each failure since ``since`` happened, oldest first: for one user name, one address, or both."""
        query = select(LoginFailureRow.at).where(LoginFailureRow.at >= to_utc(since))
        if username is not None:
            query = query.where(LoginFailureRow.username == username[:64])
        if client is not None:
            query = query.where(LoginFailureRow.client == client[:64])
        return [at for at in (aware(v) for v in self.session.scalars(query.order_by(LoginFailureRow.at))) if at]

    def clear(self, username: str, client: str) -> None:
        self.session.execute(
            delete(LoginFailureRow).where(
                LoginFailureRow.username == username[:64], LoginFailureRow.client == client[:64]
            )
        )

    def purge(self, before: dt.datetime) -> None:
        self.session.execute(delete(LoginFailureRow).where(LoginFailureRow.at < to_utc(before)))
