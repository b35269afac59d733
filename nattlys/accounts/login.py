"""The one way a login becomes a session: the session row, its cookie, the
device cookie and the authentication event."""

from __future__ import annotations

from flask import Response, g, jsonify
from werkzeug.sansio.response import Response as BaseResponse

from nattlys import clock
from nattlys.accounts import auth_events, devices, mfa, service, sessions
from nattlys.accounts.models import AuthSession, User
from nattlys.accounts.schemas import SessionPublic
from nattlys.db import get_db


def logged_in(
    user: User,
    *,
    issued_by_id: int | None = None,
    second_factor_pending: bool = False,
    recovery_codes: list[str] | None = None,
) -> Response:
    """Start a fresh session for `user` and answer with it and its cookie;
    every way of logging in (password, invitation, second factor, eID,
    passkey) ends here. A staff password login gets a session that waits for
    the second factor; eID and passkey logins are strong enough alone."""
    db = get_db()
    at = clock.now()
    token, auth_session = begin_session(
        user, issued_by_id=issued_by_id, second_factor_pending=second_factor_pending
    )
    db.commit()
    body = SessionPublic(
        user=service.public_user(user),
        csrf_token=auth_session.csrf_token,
        server_time=at,
        second_factor=mfa.step_needed(db, user) if second_factor_pending else None,
        recovery_codes=recovery_codes,
    )
    response = jsonify(body.model_dump(mode="json"))
    set_cookies(response, user, token, auth_session)
    return response


def begin_session(
    user: User, *, issued_by_id: int | None = None, second_factor_pending: bool = False
) -> tuple[str, AuthSession]:
    """End the browser's old session, start one for `user` and record the
    account event, in the request's unit of work (the caller commits)."""
    db = get_db()
    at = clock.now()
    old = g.get("auth_session")
    if old is not None:
        sessions.end_session(db, old, at=at)
    token, auth_session = sessions.start_session(
        db,
        user=user,
        at=at,
        device_label=devices.current_label(),
        issued_by_id=issued_by_id,
        second_factor_pending=second_factor_pending,
    )
    if not second_factor_pending:
        known = devices.known_device(user.username) is not None
        event = auth_events.AuthEvent.login if known else auth_events.AuthEvent.new_device
        auth_events.record(
            db, user=user, event=event, details={"device": auth_session.device_label}, tell=not known
        )
    return token, auth_session


def set_cookies(response: BaseResponse, user: User, token: str, auth_session: AuthSession) -> None:
    sessions.set_session_cookie(response, token, auth_session, role=user.role)
    if not auth_session.second_factor_pending:
        devices.remember_device(response, user.username)
