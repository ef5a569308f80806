"""Passwords, sign-in and server-side sessions.

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106); a hash made
with weaker parameters is upgraded at the next successful sign-in. Nobody has a
password until an office admin sets one (``yigai users password``); the demo sets
its own. Sign-in is throttled two ways within ``FAILURE_WINDOW`` (``TooManyAttemptsError``,
HTTP 429): after ``MAX_FAILURES_PER_USER`` failures for one user name from any address (one
account guessed from many machines), and after ``MAX_FAILURES_PER_ADDRESS`` failures from one
client address for any user names (one common password tried on many accounts). A success
clears only that user name's failures from that address, so signing in to one's own account
between guesses resets nothing. A failure takes as long for an unknown user as for a known one.

A session is a random token: the cookie carries it, the database only its SHA-256.
Every sign-in creates a new token (no session fixation); each session has its own
CSRF token. Sessions end after ``IDLE_TIMEOUT`` without use or ``MAX_AGE`` after sign-in.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import math
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from yigai.clock import now as clock_now
from yigai.domain.errors import NotFoundError
from yigai.domain.users import User
from yigai.services.errors import AuthenticationError, PermissionDeniedError, TooManyAttemptsError
from yigai.services.passwords import check_password
from yigai.storage.session_repository import WebSession
from yigai.storage.uow import UnitOfWork

MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_ADDRESS = 10  # higher: colleagues behind one NAT address share it
FAILURE_WINDOW = dt.timedelta(minutes=5)
IDLE_TIMEOUT = dt.timedelta(hours=2)
MAX_AGE = dt.timedelta(hours=12)
TOUCH_EVERY = dt.timedelta(minutes=1)  # last_seen is written at most this often


@functools.cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the user does not exist, so that both cases take as long."""
    return _hasher().hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def set_password(
    uow: UnitOfWork,
    actor: User,
    username: str,
    password: str,
    *,
    current_password: str | None = None,
    now: dt.datetime | None = None,
) -> None:
    """An office admin sets (resets) anyone's password; another user changes their own with the current one.

    The password policy (``services.passwords``) applies. Every session of that user ends
    (a changed password signs out everywhere).
    """
    if actor.username != username and not actor.can_review:
        raise PermissionDeniedError(
            f"{actor.username} may not set the password of {username}",
            message_zh=f"无权设置用户「{username}」的密码",
            where="user",
        )
    check_password(username, password)
    with uow:
        user_id = uow.users.user_id(username)
        if user_id is None:
            raise NotFoundError(
                f"no active user {username!r}", message_zh=f"用户「{username}」不存在或已停用", where="username"
            )
        own_change = actor.username == username and (current_password is not None or not actor.can_review)
        if own_change:
            _check_current(uow, username, current_password)
        uow.users.set_password_hash(username, hash_password(password))
        uow.web_sessions.delete_for_user(user_id)
        uow.audit.record(
            actor.username, "user.password_change" if own_change else "user.password", "user", username, at=now
        )
        uow.commit()


def change_own_password(
    uow: UnitOfWork, user: User, current_password: str, password: str, *, now: dt.datetime | None = None
) -> None:
    """Any signed-in user changes their own password; the current one is always required."""
    if not current_password:
        raise AuthenticationError("give the current password", message_zh="请输入当前密码", where="current_password")
    set_password(uow, user, user.username, password, current_password=current_password, now=now)


def _check_current(uow: UnitOfWork, username: str, current_password: str | None) -> None:
    stored = uow.users.password_hash(username)
    if stored is None or current_password is None or not _verify(stored, current_password):
        raise AuthenticationError("the current password is wrong", message_zh="当前密码错误", where="current_password")


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True, slots=True)
class SignIn:
    user: User
    token: str  # goes into the cookie, never stored
    csrf_token: str


def _check_throttle(uow: UnitOfWork, username: str, client: str, window_start: dt.datetime, at: dt.datetime) -> None:
    """Refuse a sign-in while the user name or the address has too many recent failures."""
    by_user = uow.login_failures.since(window_start, username=username)
    by_address = uow.login_failures.since(window_start, client=client)
    limits = [
        (by_user, MAX_FAILURES_PER_USER, f"user name {username!r}"),
        (by_address, MAX_FAILURES_PER_ADDRESS, f"address {client or '?'}"),
    ]
    hit = [(failures, limit, what) for failures, limit, what in limits if len(failures) >= limit]
    if not hit:
        return
    # the sign-in opens again when enough of the failures have left the window
    reopen = max(failures[len(failures) - limit] + FAILURE_WINDOW for failures, limit, _ in hit)
    retry = max(1, math.ceil((reopen - at).total_seconds()))
    raise TooManyAttemptsError(
        f"too many failed sign-ins for {' and '.join(w for _, _, w in hit)}; try again in {retry} s",
        retry_after=retry,
        message_zh=f"登录失败次数过多，请 {(retry + 59) // 60} 分钟后再试",
        where="username",
    )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def login(
    uow: UnitOfWork,
    username: str,
    password: str,
    *,
    client: str = "",
    user_agent: str = "",
    now: dt.datetime | None = None,
) -> SignIn:
    """Check the password and open a new session, or raise AuthenticationError / TooManyAttemptsError."""
    at = now or clock_now()
    username = username.strip()[:64]
    window_start = at - FAILURE_WINDOW
    with uow:
        _check_throttle(uow, username, client, window_start, at)
        stored = uow.users.password_hash(username) if username else None
        ok = _verify(stored or _dummy_hash(), password) and stored is not None
        user_id = uow.users.user_id(username) if ok else None
        user = uow.users.by_id(user_id) if user_id is not None else None
        if user is None or user_id is None or stored is None:
            uow.login_failures.add(username, client, at)
            uow.login_failures.purge(at - FAILURE_WINDOW * 2)
            uow.audit.record(username or "-", "auth.login_failed", "user", username, after={"client": client}, at=at)
            uow.commit()
            raise AuthenticationError("wrong username or password", where="password")
        if _hasher().check_needs_rehash(stored):
            uow.users.set_password_hash(username, hash_password(password))
        uow.login_failures.clear(username, client)
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        uow.web_sessions.purge(at)
        uow.web_sessions.add(
            token_hash(token), user_id, csrf, at=at, expires_at=at + IDLE_TIMEOUT, client=client, user_agent=user_agent
        )
        uow.audit.record(username, "auth.login", "user", username, after={"client": client}, at=at)
        uow.commit()
    return SignIn(user, token, csrf)


def open_session(uow: UnitOfWork, user: User, *, client: str = "", now: dt.datetime | None = None) -> SignIn:
    """A session for a user without a password check: for the demo, tests and trusted tooling."""
    at = now or clock_now()
    with uow:
        user_id = uow.users.user_id(user.username)
        if user_id is None:
            raise NotFoundError(
                f"no user {user.username!r}", message_zh=f"用户「{user.username}」不存在", where="username"
            )
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        uow.web_sessions.add(token_hash(token), user_id, csrf, at=at, expires_at=at + IDLE_TIMEOUT, client=client)
        uow.commit()
    return SignIn(user, token, csrf)


@dataclass(frozen=True, slots=True)
class ActiveSession:
    user: User
    session: WebSession


def session_user(uow: UnitOfWork, token: str, *, now: dt.datetime | None = None) -> ActiveSession | None:
    """The user of a live session, sliding its idle expiry; None for an unknown or expired token."""
    if not token or len(token) > 128:
        return None
    at = now or clock_now()
    with uow:
        found = uow.web_sessions.find(token_hash(token))
        if found is None:
            return None
        if found.expires_at <= at or found.created_at + MAX_AGE <= at:
            uow.web_sessions.delete(token_hash(token))
            uow.commit()
            return None
        user = uow.users.by_id(found.user_id)
        if user is None:
            return None
        if at - found.last_seen >= TOUCH_EVERY:
            uow.web_sessions.touch(found.id, at, min(at + IDLE_TIMEOUT, found.created_at + MAX_AGE))
            uow.commit()
        return ActiveSession(user, found)


def logout(uow: UnitOfWork, token: str, username: str = "", *, now: dt.datetime | None = None) -> None:
    with uow:
        if uow.web_sessions.delete(token_hash(token)) and username:
            uow.audit.record(username, "auth.logout", "user", username, at=now)
        uow.commit()
