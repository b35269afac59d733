"""Disabling a patient's account takes two administrators (README, "No
account takeover").

A disabled patient is logged out everywhere and loses the app and the crisis
chat, so no administrator can do it alone: one asks, with a reason, and
nothing changes for her; a second administrator, not the one who asked,
approves or declines. Each step is in her "who has seen my data", and every
device where she is logged in is told of the request and of a no. A request
nobody decides stops counting after REQUEST_DAYS.

Re-enabling a patient, and disabling a staff member, stay one administrator's
step (nattlys/accounts/services.py): a staff account that may be in the wrong
hands must close at once, to protect the patients.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, SQLModel, col, select
from sqlmodel.sql.expression import Select

from nattlys.accounts import auth_events
from nattlys.accounts.models import PatientDisableRequest, Role, User
from nattlys.accounts.sessions import end_all_sessions
from nattlys.api.errors import ApiError, conflict, not_found
from nattlys.audit import writer as audit
from nattlys.rosters.generation import bump_generation

REQUEST_DAYS = 7
REASON_MAX = 300


class DisableRequestPublic(SQLModel):
    id: int
    user_id: int
    user_display_name: str
    requested_by_name: str | None
    reason: str
    created_at: datetime
    expires_at: datetime
    # False for the administrator who asked: someone else decides.
    may_decide: bool


def _waiting(at: datetime) -> Select[PatientDisableRequest, User]:
    return (
        select(PatientDisableRequest, User)
        .join(User, col(User.id) == col(PatientDisableRequest.user_id))
        .where(col(PatientDisableRequest.decided_at).is_(None), col(PatientDisableRequest.expires_at) > at)
        .order_by(col(PatientDisableRequest.id))
    )


def _record(
    db: Session, *, actor: User, request: PatientDisableRequest, action: str, reason: str | None = None
) -> None:
    audit.record(
        db,
        actor=actor,
        action=action,
        object_type="disable_request",
        object_id=request.id,
        patient_id=request.user_id,
        reason=reason,
    )


def ask(db: Session, *, admin: User, user: User, reason: str, at: datetime) -> PatientDisableRequest:
    if user.role != Role.patient:
        raise not_found("No such patient.")
    if not user.is_active:
        raise conflict("already_disabled", "This account is already disabled.")
    if db.exec(_waiting(at).where(PatientDisableRequest.user_id == user.id)).first() is not None:
        raise conflict("already_requested", "This is already waiting for a second administrator.")
    request = PatientDisableRequest(
        user_id=user.id,
        requested_by_id=admin.id,
        reason=reason,
        created_at=at,
        expires_at=at + timedelta(days=REQUEST_DAYS),
    )
    db.add(request)
    db.flush()
    _record(db, actor=admin, request=request, action="user.disable_request", reason=reason)
    auth_events.notify(user.id, "user.disable_request")
    return request


def waiting(db: Session, *, admin: User, at: datetime) -> list[DisableRequestPublic]:
    out = []
    for request, user in db.exec(_waiting(at)).all():
        requester = db.get(User, request.requested_by_id) if request.requested_by_id else None
        out.append(
            DisableRequestPublic(
                id=request.id,
                user_id=user.id,
                user_display_name=user.display_name,
                requested_by_name=requester.display_name if requester else None,
                reason=request.reason,
                created_at=request.created_at,
                expires_at=request.expires_at,
                may_decide=request.requested_by_id != admin.id,
            )
        )
    return out


def _decide(
    db: Session, *, admin: User, request_id: int, approved: bool, at: datetime
) -> tuple[PatientDisableRequest, User]:
    row = db.exec(_waiting(at).where(PatientDisableRequest.id == request_id)).first()
    if row is None:
        raise not_found("There is no request waiting for a decision here.")
    request, user = row
    if request.requested_by_id == admin.id:
        raise ApiError(403, "second_person_required", "A different administrator must decide this.")
    request.decided_at = at
    request.decided_by_id = admin.id
    request.approved = approved
    db.add(request)
    _record(
        db,
        actor=admin,
        request=request,
        action="user.disable_approve" if approved else "user.disable_decline",
    )
    return request, user


def approve(db: Session, *, admin: User, request_id: int, at: datetime) -> None:
    """The second administrator's yes: she is disabled and logged out everywhere."""
    _request, user = _decide(db, admin=admin, request_id=request_id, approved=True, at=at)
    user.is_active = False
    db.add(user)
    end_all_sessions(db, user_id=user.id, at=at)
    bump_generation(db)  # who is active feeds the on-duty snapshot


def decline(db: Session, *, admin: User, request_id: int, at: datetime) -> None:
    _request, user = _decide(db, admin=admin, request_id=request_id, approved=False, at=at)
    auth_events.notify(user.id, "user.disable_decline")
