"""Server-side sessions: created at login, revocable, with role-specific lifetimes.

Staff: 30 minutes idle, 12 hours absolute. Patients: 30 days sliding, 90 days absolute.
The cookie carries a random token; the database stores only its SHA-256.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from blinker import Namespace
from flask import Flask, Request, Response, current_app, g, request
from flask.sessions import SessionInterface
from sqlalchemy import bindparam
from sqlmodel import Session, col, select, update
from werkzeug.sansio.response import Response as BaseResponse

from nattlys import clock
from nattlys.accounts.models import AuthSession, Role, User
from nattlys.db import after_commit

COOKIE_NAME = "nattlys_session"
SECURE_COOKIE_NAME = "__Host-nattlys_session"
# Sliding sessions touch the row at most this often, not on every request.
TOUCH_INTERVAL = timedelta(seconds=60)
# Time to type the code from the authenticator app after the password.
PENDING_SECOND_FACTOR = timedelta(minutes=10)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Lifetime:
    idle: timedelta
    absolute: timedelta | None


def lifetime_for(role: str) -> Lifetime:
    cfg = current_app.config
    if role == Role.patient:
        return Lifetime(
            idle=timedelta(days=cfg["PATIENT_SLIDING_DAYS"]),
            absolute=timedelta(days=cfg["PATIENT_ABSOLUTE_DAYS"]),
        )
    return Lifetime(
        idle=timedelta(minutes=cfg["STAFF_IDLE_MINUTES"]),
        absolute=timedelta(hours=cfg["STAFF_ABSOLUTE_HOURS"]),
    )


def _expiry(last_seen: datetime, absolute: datetime | None, life: Lifetime) -> datetime:
    idle_end = last_seen + life.idle
    return min(idle_end, absolute) if absolute else idle_end


def start_session(
    db: Session,
    *,
    user: User,
    at: datetime,
    device_label: str | None = None,
    issued_by_id: int | None = None,
    second_factor_pending: bool = False,
) -> tuple[str, AuthSession]:
    """A new session with a new id: any id the client held before is useless.
    A session still waiting for its second factor opens nothing else."""
    token = secrets.token_urlsafe(32)
    life = lifetime_for(user.role)
    absolute = at + life.absolute if life.absolute else None
    if second_factor_pending:
        absolute = at + PENDING_SECOND_FACTOR
    auth_session = AuthSession(
        id=token_digest(token),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=at,
        last_seen_at=at,
        expires_at=_expiry(at, absolute, life),
        absolute_expires_at=absolute,
        device_label=device_label,
        issued_by_id=issued_by_id,
        second_factor_pending=second_factor_pending,
    )
    db.add(auth_session)
    return token, auth_session


# Every request and socket event re-reads its session: built once.
_SESSION_AND_USER = (
    select(AuthSession, User)
    .join(User, col(User.id) == col(AuthSession.user_id))
    .where(AuthSession.id == bindparam("digest"))
)


def resolve_session(
    db: Session, token: str, *, at: datetime, allow_pending: bool = False
) -> tuple[AuthSession, User] | None:
    """The live session and active user for a cookie token, sliding it forward.
    A session still waiting for its second factor counts only where asked."""
    if not token or len(token) > 200:
        return None
    row = db.exec(_SESSION_AND_USER, params={"digest": token_digest(token)}).first()
    if row is None:
        return None
    auth_session, user = row
    if auth_session.revoked_at is not None or auth_session.expires_at <= at or not user.is_active:
        return None
    if auth_session.second_factor_pending and not allow_pending:
        return None
    if at - auth_session.last_seen_at >= TOUCH_INTERVAL and not auth_session.second_factor_pending:
        life = lifetime_for(user.role)
        auth_session.last_seen_at = at
        auth_session.expires_at = _expiry(at, auth_session.absolute_expires_at, life)
        db.add(auth_session)
        g.session_touched = True
    return auth_session, user


def live_session_ids(db: Session, session_ids: list[str], *, at: datetime) -> set[str]:
    """Which of these sessions are still live now: not revoked, not expired,
    their user still active."""
    live: set[str] = set()
    for start in range(0, len(session_ids), 500):
        chunk = session_ids[start : start + 500]
        live.update(
            db.exec(
                select(AuthSession.id)
                .join(User, col(User.id) == col(AuthSession.user_id))
                .where(
                    col(AuthSession.id).in_(chunk),
                    col(AuthSession.revoked_at).is_(None),
                    col(AuthSession.expires_at) > at,
                    col(User.is_active).is_(True),
                )
            ).all()
        )
    return live


# Sent once an ending is committed, with the user id as sender and the session id
# (None: all of the user's). Live connections listen (nattlys.realtime): sockets
# opened with an ended session must not keep receiving events.
sessions_ended = Namespace().signal("sessions-ended")


def _announce_ended(user_id: int, session_id: str | None) -> None:
    def announce() -> None:
        sessions_ended.send(user_id, session_id=session_id)

    after_commit(announce)


def end_session(db: Session, auth_session: AuthSession, *, at: datetime) -> None:
    auth_session.revoked_at = at
    db.add(auth_session)
    _announce_ended(auth_session.user_id, auth_session.id)


def end_all_sessions(db: Session, *, user_id: int, at: datetime) -> int:
    result = db.exec(
        update(AuthSession)
        .where(col(AuthSession.user_id) == user_id, col(AuthSession.revoked_at).is_(None))
        .values(revoked_at=at)
    )
    # A disabled supporter must not go on seeing patients' messages.
    _announce_ended(user_id, None)
    return int(result.rowcount or 0)


def session_handle(auth_session: AuthSession) -> str:
    """What "my devices" calls a session: not its id, which is a credential's digest."""
    return hashlib.sha256(b"handle:" + auth_session.id.encode()).hexdigest()[:24]


def live_sessions_of(db: Session, user_id: int, *, at: datetime) -> list[AuthSession]:
    return list(
        db.exec(
            select(AuthSession)
            .where(
                AuthSession.user_id == user_id,
                col(AuthSession.revoked_at).is_(None),
                col(AuthSession.expires_at) > at,
                col(AuthSession.second_factor_pending).is_(False),
            )
            .order_by(col(AuthSession.last_seen_at).desc())
        ).all()
    )


def end_other_sessions(db: Session, *, keep: AuthSession, at: datetime) -> None:
    for other in live_sessions_of(db, keep.user_id, at=at):
        if other.id != keep.id:
            end_session(db, other, at=at)


def csrf_matches(auth_session: AuthSession, presented: str | None) -> bool:
    return bool(presented) and hmac.compare_digest(auth_session.csrf_token, presented or "")


def cookie_name() -> str:
    return SECURE_COOKIE_NAME if request.is_secure else COOKIE_NAME


def set_session_cookie(response: BaseResponse, token: str, auth_session: AuthSession, *, role: str) -> None:
    # Staff get a browser-session cookie; patients stay logged in on their own
    # phone for the sliding period and the server decides when it ends.
    max_age = int(lifetime_for(Role.patient).idle.total_seconds()) if role == Role.patient else None
    response.set_cookie(
        cookie_name(),
        token,
        max_age=max_age,
        path="/",
        secure=request.is_secure,
        httponly=True,
        samesite="Lax",
    )
    g.session_cookie_set = True


def clear_session_cookie(response: BaseResponse) -> None:
    response.delete_cookie(cookie_name(), path="/", secure=request.is_secure, httponly=True, samesite="Lax")


def presented_token() -> str | None:
    return request.cookies.get(cookie_name())


def load_current_user(db: Session) -> None:
    """Resolve the cookie once per request into g.user and g.auth_session.
    A session waiting for its second factor sets g.pending_user instead of
    g.user, so every endpoint but the second-factor ones answers 401."""
    g.user = None
    g.pending_user = None
    g.auth_session = None
    token = presented_token()
    if not token:
        return
    found = resolve_session(db, token, at=clock.now(), allow_pending=True)
    if g.get("session_touched"):
        # The sliding expiry is kept even if the request itself fails.
        db.commit()
    # Otherwise the look-up stays in the request's own transaction: one
    # transaction per request, not two.
    if found is None:
        g.stale_session_cookie = True
        return
    g.auth_session, user = found
    if g.auth_session.second_factor_pending:
        g.pending_user = user
    else:
        g.user = user


class NoFlaskSession(SessionInterface):
    """Logins are the server-side sessions of this module; Flask's signed
    cookie session is never used. Not opening it saves verifying a cookie on
    every request and every Socket.IO event, and any use of `flask.session`
    fails loudly instead of keeping data in a cookie."""

    def open_session(self, app: Flask, request: Request) -> None:
        return None

    def save_session(self, app: Flask, session: Any, response: Response) -> None:
        return None


def init_app(app: Flask) -> None:
    app.session_interface = NoFlaskSession()

    @app.after_request
    def _refresh_cookie(response: Response) -> Response:
        if g.get("session_cookie_set"):
            return response
        auth_session = g.get("auth_session")
        if g.get("stale_session_cookie"):
            clear_session_cookie(response)
        elif g.get("session_touched") and auth_session is not None:
            token = presented_token()
            user = g.get("user") or g.get("pending_user")
            if token and user is not None:
                set_session_cookie(response, token, auth_session, role=user.role)
        return response
