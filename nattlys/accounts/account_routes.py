"""/api/me: one's own account, for every role: password, devices, what has
happened to the account, and re-enrolment links waiting for approval."""

from __future__ import annotations

from flask import Blueprint, g, request

from nattlys import access, clock
from nattlys.accounts import auth_events, reenrolment, service, sessions
from nattlys.accounts.models import Role, User
from nattlys.accounts.schemas import DevicePublic, PasswordChange, ReenrolmentPublic
from nattlys.api.endpoints import endpoint
from nattlys.api.errors import not_found
from nattlys.audit import service as audit_views
from nattlys.audit.schemas import AuditEntryPublic
from nattlys.db import get_db

bp = Blueprint("account", __name__)
STAFF = (Role.supporter, Role.admin)


@bp.post("/me/password")
@endpoint(
    "Change my password; my other devices are logged out", tag="account", body=PasswordChange, status=204
)
def change_password(body: PasswordChange) -> None:
    service.change_password(
        get_db(),
        user=g.user,
        current=body.current_password,
        new=body.new_password,
        keep=g.auth_session,
        ip=request.remote_addr or "unknown",
        at=clock.now(),
    )


@bp.get("/me/sessions")
@endpoint("My devices: where I am logged in", tag="account", response=list[DevicePublic])
def my_sessions() -> list[DevicePublic]:
    return [
        DevicePublic(
            id=sessions.session_handle(s),
            device_label=s.device_label,
            created_at=s.created_at,
            last_seen_at=s.last_seen_at,
            expires_at=s.expires_at,
            current=s.id == g.auth_session.id,
        )
        for s in sessions.live_sessions_of(get_db(), g.user.id, at=clock.now())
    ]


@bp.delete("/me/sessions/<handle>")
@endpoint("Log out one of my devices", tag="account", status=204)
def end_my_session(handle: str) -> None:
    db = get_db()
    at = clock.now()
    doomed = next(
        (s for s in sessions.live_sessions_of(db, g.user.id, at=at) if sessions.session_handle(s) == handle),
        None,
    )
    if doomed is None:
        raise not_found("No such device.")
    sessions.end_session(db, doomed, at=at)
    auth_events.record(
        db, user=g.user, event=auth_events.AuthEvent.session_revoked, details={"device": doomed.device_label}
    )


@bp.get("/me/account-events")
@endpoint(
    "What has happened to my account: logins, new devices, password and factor changes",
    tag="account",
    response=list[AuditEntryPublic],
)
def my_account_events() -> list[AuditEntryPublic]:
    return audit_views.account_events(get_db(), user_id=g.user.id)


@bp.get("/me/reenrolments")
@endpoint(
    "New login links for my account waiting for my confirmation",
    tag="account",
    response=list[ReenrolmentPublic],
)
def my_reenrolments() -> list[ReenrolmentPublic]:
    return reenrolment.pending_for_holder(get_db(), g.user, at=clock.now())


@bp.post("/me/reenrolments/<int:invitation_id>/confirm")
@endpoint("Yes, I asked for this new login link", tag="account", status=204)
def confirm_reenrolment(invitation_id: int) -> None:
    reenrolment.confirm(get_db(), holder=g.user, invitation_id=invitation_id, at=clock.now())


@bp.post("/me/reenrolments/<int:invitation_id>/decline")
@endpoint("No, I did not ask for this new login link: stop it", tag="account", status=204)
def decline_reenrolment(invitation_id: int) -> None:
    reenrolment.decline(get_db(), holder=g.user, invitation_id=invitation_id, at=clock.now())


@bp.get("/reenrolments")
@endpoint(
    "New login links I may approve as the second staff member",
    tag="users",
    response=list[ReenrolmentPublic],
    roles=STAFF,
)
def approvable_reenrolments() -> list[ReenrolmentPublic]:
    return reenrolment.pending_for_approver(get_db(), g.user, may_enrol=_may_enrol, at=clock.now())


@bp.post("/reenrolments/<int:invitation_id>/approve")
@endpoint(
    "Approve, as a second staff member, a new login link for someone who cannot confirm it",
    tag="users",
    status=204,
    roles=STAFF,
    errors=(409,),
)
def approve_reenrolment(invitation_id: int) -> None:
    reenrolment.approve(
        get_db(), approver=g.user, invitation_id=invitation_id, may_enrol=_may_enrol, at=clock.now()
    )


def _may_enrol(patient: User) -> bool:
    return access.may_access_patient(get_db(), g.user, patient, access.Need.enrol)
