"""/api/auth/second-factor (a staff login's second step) and administrators'
resets of a staff member's second factor, which need a second administrator."""

from __future__ import annotations

from flask import Blueprint, Response, g, request
from pydantic import BaseModel
from sqlmodel import Field, SQLModel

from nattlys import clock
from nattlys.accounts import mfa
from nattlys.accounts.login import logged_in
from nattlys.accounts.models import Role, User
from nattlys.accounts.schemas import SessionPublic
from nattlys.api.endpoints import endpoint
from nattlys.api.errors import not_found, unauthorized
from nattlys.db import get_db

bp = Blueprint("second_factor", __name__)


class CodeBody(SQLModel):
    code: str = Field(min_length=6, max_length=20)


class ResetRequested(BaseModel):
    id: int


def _pending_user() -> User:
    user = g.get("pending_user")
    if user is None:
        raise unauthorized("Log in with your password first.")
    return user


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


@bp.get("/second-factor-resets")
@endpoint(
    "Second-factor resets waiting for a second administrator",
    tag="users",
    response=list[mfa.SecondFactorResetPublic],
    roles=(Role.admin,),
)
def list_resets() -> list[mfa.SecondFactorResetPublic]:
    return mfa.pending_resets(get_db(), admin=g.user, at=clock.now())


@bp.post("/users/<int:user_id>/second-factor/reset")
@endpoint(
    "Ask to reset a staff member's second factor; a second administrator approves",
    tag="users",
    response=ResetRequested,
    status=202,
    roles=(Role.admin,),
)
def request_reset(user_id: int) -> ResetRequested:
    user = get_db().get(User, user_id)
    if user is None:
        raise not_found("No such user.")
    reset = mfa.request_reset(get_db(), admin=g.user, user=user, at=clock.now())
    return ResetRequested(id=reset.id)


@bp.post("/second-factor-resets/<int:reset_id>/approve")
@endpoint(
    "Approve another administrator's second-factor reset",
    tag="users",
    status=204,
    roles=(Role.admin,),
)
def approve_reset(reset_id: int) -> None:
    mfa.approve_reset(get_db(), admin=g.user, reset_id=reset_id, at=clock.now())
