"""/api/auth/second-factor (a staff login's second step) and administrators'
requests to reset a staff member's second factor, which a second
administrator approves (server/accounts/approval_routes.py)."""

from __future__ import annotations

from flask import Blueprint, Response, g, request
from sqlmodel import Field, SQLModel

from server import clock
from server.accounts import approvals, mfa
from server.accounts.login import logged_in
from server.accounts.models import ApprovalKind, Role, SessionPublic, User
from server.api.endpoints import endpoint
from server.api.errors import not_found, unauthorized
from server.db import get_db

bp = Blueprint("second_factor", __name__)


class CodeBody(SQLModel):
    code: str = Field(min_length=6, max_length=20)


def _pending_user() -> User:
    user = g.get("pending_user")
    if user is None:
        raise unauthorized("Log in with your password first.")
    return user  # type: ignore[no-any-return]


@bp.post("/auth/second-factor/enrol")
@endpoint(
    "Start setting up an authenticator app (staff, after the password)",
    tag="auth",
    response=mfa.TotpEnrolment,
    public=True,
    errors=(401, 409),
)
def enrol() -> mfa.TotpEnrolment:
    return mfa.start_enrolment(get_db(), user=_pending_user(), at=clock.now())


@bp.post("/auth/second-factor/verify")
@endpoint(
    "The code from the authenticator app, or a recovery code: completes a staff login",
    tag="auth",
    body=CodeBody,
    response=SessionPublic,
    public=True,
    errors=(401, 409),
)
def verify(body: CodeBody) -> Response:
    user = _pending_user()
    codes = mfa.verify(
        get_db(), user=user, code=body.code, ip=request.remote_addr or "unknown", at=clock.now()
    )
    return logged_in(user, recovery_codes=codes)


@bp.post("/users/<int:user_id>/second-factor/reset")
@endpoint(
    "Ask to reset a staff member's second factor; a second administrator approves",
    tag="users",
    response=approvals.ApprovalRequested,
    status=202,
    roles=(Role.admin,),
    errors=(409,),
)
def request_reset(user_id: int) -> approvals.ApprovalRequested:
    user = get_db().get(User, user_id)
    if user is None:
        raise not_found("No such user.")
    return approvals.request(
        get_db(), kind=ApprovalKind.second_factor_reset, admin=g.user, user=user, reason=None, at=clock.now()
    )
