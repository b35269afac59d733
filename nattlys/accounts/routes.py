"""/api/auth, /api/invitations and /api/users."""

from __future__ import annotations

from flask import Blueprint, Response, g, request
from pydantic import BaseModel
from sqlmodel import SQLModel

from nattlys import access, clock
from nattlys.accounts import invitations, login_policy, reenrolment, service, sessions, staff_caps
from nattlys.accounts.account_routes import bp as account_bp
from nattlys.accounts.disable_routes import bp as disable_bp
from nattlys.accounts.login import logged_in
from nattlys.accounts.mfa_routes import bp as second_factor_bp
from nattlys.accounts.models import Role, User
from nattlys.accounts.schemas import (
    InvitationAccept,
    InvitationIssued,
    InvitationStatus,
    InvitationToken,
    LoginRequest,
    SessionPublic,
    UserCreate,
    UserPublic,
    UserUpdate,
)
from nattlys.api.endpoints import Endpoints
from nattlys.api.errors import not_found
from nattlys.db import get_db

bp = Blueprint("accounts", __name__, url_prefix="/api")
api = Endpoints(bp, tag="auth")


@api.post(
    "/auth/login", "Log in with username and password", body=LoginRequest, response=SessionPublic, public=True
)
def login(body: LoginRequest) -> object:
    user = service.authenticate(
        get_db(),
        username=body.username,
        password=body.password,
        ip=request.remote_addr or "unknown",
        at=clock.now(),
    )
    login_policy.require_password_login(user)
    return logged_in(user, second_factor_pending=user.is_staff)


@api.post("/auth/logout", "Log out and end this session", status=204)
def logout() -> object:
    ended = g.auth_session
    sessions.end_session(get_db(), ended, at=clock.now())
    get_db().commit()
    response = Response(status=204)
    sessions.clear_session_cookie(response)
    g.session_cookie_set = True
    return response


@api.get("/auth/session", "The logged-in user and the CSRF token", response=SessionPublic)
def current_session() -> SessionPublic:
    return SessionPublic(
        user=service.public_user(g.user), csrf_token=g.auth_session.csrf_token, server_time=clock.now()
    )


@api.post(
    "/invitations/lookup",
    "Check an invitation link before choosing a password",
    body=InvitationToken,
    response=InvitationStatus,
    public=True,
    errors=(410,),
)
def lookup_invitation(body: InvitationToken) -> InvitationStatus:
    invitation, user = invitations.find(get_db(), token=body.token, at=clock.now())
    return InvitationStatus(
        display_name=user.display_name,
        username=user.username,
        role=Role(user.role),
        expires_at=invitation.expires_at,
    )


@api.post(
    "/invitations/accept",
    "Choose a password with an invitation link and log in",
    body=InvitationAccept,
    response=SessionPublic,
    public=True,
    errors=(410,),
)
def accept_invitation(body: InvitationAccept) -> object:
    db = get_db()
    login_policy.require_password_login(invitations.find(db, token=body.token, at=clock.now())[1])
    user, invitation = invitations.accept(db, token=body.token, password=body.password, at=clock.now())
    # A session started with a re-enrolment link carries the issuer's name
    # into the holder's "who has seen my data".
    return logged_in(user, issued_by_id=invitation.created_by_id if invitation.needs_approval else None)


class UserListQuery(SQLModel):
    role: Role | None = None


@api.get(
    "/users",
    "All users (administrators)",
    tag="users",
    query=UserListQuery,
    response=list[UserPublic],
    roles=(Role.admin,),
)
def list_users(query: UserListQuery) -> list[UserPublic]:
    return [service.public_user(u) for u in service.list_users(get_db(), actor=g.user, role=query.role)]


class UserCreated(BaseModel):
    user: UserPublic
    invitation: InvitationIssued


@api.post(
    "/users",
    "Create a user and an invitation link (administrators)",
    tag="users",
    body=UserCreate,
    response=UserCreated,
    status=201,
    roles=(Role.admin,),
    errors=(409,),
)
def create_user(body: UserCreate) -> UserCreated:
    db = get_db()
    user = service.create_user(db, actor=g.user, data=body)
    staff_caps.count(g.user, "accounts", at=clock.now())
    token, invitation = invitations.issue(db, user=user, created_by=g.user, at=clock.now())
    return UserCreated(user=service.public_user(user), invitation=invitations.issued(token, invitation))


def _user_or_404(user_id: int) -> User:
    user = get_db().get(User, user_id)
    if user is None:
        raise not_found("No such user.")
    return user


@api.patch(
    "/users/<int:user_id>",
    "Rename or re-enable a user, or disable a staff account at once (administrators); a patient's "
    "account is disabled only with a second administrator (disable-request)",
    tag="users",
    body=UserUpdate,
    response=UserPublic,
    roles=(Role.admin,),
    errors=(409,),
)
def update_user(user_id: int, body: UserUpdate) -> UserPublic:
    user = service.update_user(get_db(), actor=g.user, user=_user_or_404(user_id), data=body, at=clock.now())
    return service.public_user(user)


@api.post(
    "/users/<int:user_id>/invitation",
    "A new invitation link for a user; earlier links stop working. For an account that "
    "can already be logged in to, the link works once its holder or a second staff member approves it",
    tag="users",
    response=InvitationIssued,
    status=201,
)
def reissue_invitation(user_id: int) -> InvitationIssued:
    db = get_db()
    target = _user_or_404(user_id)
    if target.role == Role.patient:
        access.require_patient(db, g.user, target.id, access.Need.enrol)
    else:
        access.require_role(g.user, Role.admin)
    staff_caps.count(g.user, "invitations", at=clock.now())
    token, invitation = invitations.issue(db, user=target, created_by=g.user, at=clock.now())
    waits = reenrolment.awaiting(db, target, at=clock.now()) if invitation.needs_approval else None
    return invitations.issued(token, invitation, awaiting=waits)


def _register_parts() -> None:
    bp.register_blueprint(account_bp)
    bp.register_blueprint(disable_bp)
    bp.register_blueprint(second_factor_bp)


_register_parts()
