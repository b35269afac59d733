"""Account services: logging in, creating and disabling users."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from nattlys.accounts import auth_events, devices, passwords
from nattlys.accounts.models import AuthSession, Role, User
from nattlys.accounts.schemas import UserCreate, UserPublic, UserUpdate
from nattlys.accounts.sessions import end_all_sessions, end_other_sessions
from nattlys.accounts.throttle import RateLimited, login_throttle
from nattlys.api.errors import ApiError, conflict
from nattlys.audit import writer as audit
from nattlys.rosters.generation import bump_generation

log = logging.getLogger(__name__)


def public_user(user: User) -> UserPublic:
    return UserPublic(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=Role(user.role),
        is_active=user.is_active,
        has_password=user.has_password,
    )


def _rate_limited(retry_after: int, *, commit: bool = False) -> ApiError:
    return ApiError(
        429,
        "rate_limited",
        "Too many attempts. Wait a little and try again.",
        headers={"Retry-After": str(retry_after)},
        commit=commit,
    )


def authenticate(db: Session, *, username: str, password: str, ip: str, at: datetime) -> User:
    """The user for these credentials, or 401/429. Unknown usernames cost the
    same time as wrong passwords. The attempt is counted before the password
    is checked; a browser that logged in to this account before counts on its
    own, so the owner still gets in while strangers are locked out."""
    # The counters below use their own connection; on SQLite this request must
    # not hold the write lock meanwhile.
    db.commit()
    device = devices.known_device(username)
    try:
        attempt = login_throttle().begin(username, ip, device=device.nonce if device else None, at=at)
    except RateLimited as limited:
        if limited.locked_now:
            _record_against(db, username, auth_events.AuthEvent.lockout)
        raise _rate_limited(limited.retry_after, commit=limited.locked_now) from None
    try:
        user = db.exec(select(User).where(User.username == username.strip().lower())).first()
        # End the read transaction before the slow hash so others are not kept waiting.
        db.commit()
        if user is None or user.password_hash is None:
            passwords.verify_dummy(password)
            ok = False
        else:
            ok = passwords.verify_password(user.password_hash, password)
    finally:
        attempt.finish()
    if not ok or user is None or not user.is_active:
        log.info("login failed", extra={"reason": "credentials"})
        if user is not None:
            auth_events.record_anonymous(db, user=user, event=auth_events.AuthEvent.login_failed)
        raise ApiError(401, "invalid_credentials", "Wrong username or password.", commit=True)

    attempt.succeeded()
    assert user.password_hash is not None  # ok: it was just verified
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
        db.add(user)
    return user


def _record_against(db: Session, username: str, event: auth_events.AuthEvent) -> None:
    user = db.exec(select(User).where(User.username == username.strip().lower())).first()
    if user is not None:
        auth_events.record_anonymous(db, user=user, event=event)


def create_user(db: Session, *, actor: User, data: UserCreate) -> User:
    existing = db.exec(select(User.id).where(User.username == data.username)).first()
    if existing is not None:
        raise conflict("username_taken", "That username is already in use.")
    user = User(username=data.username, display_name=data.display_name, role=data.role)
    db.add(user)
    try:
        db.flush()
    except IntegrityError as exc:
        raise conflict("username_taken", "That username is already in use.") from exc
    audit.record(
        db,
        actor=actor,
        action="user.create",
        object_type="user",
        object_id=user.id,
        patient_id=user.id if user.role == Role.patient else None,
    )
    return user


def update_user(db: Session, *, actor: User, user: User, data: UserUpdate, at: datetime) -> User:
    if data.display_name is not None:
        user.display_name = " ".join(data.display_name.split())
    if data.is_active is not None and data.is_active != user.is_active:
        if user.id == actor.id and not data.is_active:
            raise ApiError(400, "cannot_disable_self", "You cannot disable your own account.")
        if user.role == Role.patient and not data.is_active:
            # She would lose the app and the crisis chat (nattlys/accounts/disabling.py).
            raise conflict(
                "second_admin_required",
                "A patient's account is disabled only when a second administrator approves it.",
            )
        user.is_active = data.is_active
        if not data.is_active:
            end_all_sessions(db, user_id=user.id, at=at)
    db.add(user)
    # Names and who is active feed the on-duty snapshot.
    bump_generation(db)
    audit.record(
        db,
        actor=actor,
        action="user.update",
        object_type="user",
        object_id=user.id,
        patient_id=user.id if user.role == Role.patient else None,
    )
    return user


def list_users(db: Session, *, actor: User, role: Role | None = None) -> list[User]:
    stmt = select(User).order_by(col(User.role), col(User.username))
    if role is not None:
        stmt = stmt.where(User.role == role)
    users = list(db.exec(stmt).all())
    for user in users:
        if user.role == Role.patient:
            audit.record(
                db,
                actor=actor,
                action="patient.list",
                object_type="user",
                object_id=user.id,
                patient_id=user.id,
            )
    return users


def change_password(
    db: Session, *, user: User, current: str, new: str, keep: AuthSession, ip: str, at: datetime
) -> None:
    """The current password, checked and counted like a login, then the new
    one; every other session of the account ends."""
    authenticate(db, username=user.username, password=current, ip=ip, at=at)
    set_password(db, user=user, password=new, at=at)
    end_other_sessions(db, keep=keep, at=at)
    auth_events.record(db, user=user, event=auth_events.AuthEvent.password_changed)


def set_password(db: Session, *, user: User, password: str, at: datetime) -> None:
    passwords.check_policy(password, username=user.username, display_name=user.display_name)
    user.password_hash = passwords.hash_password(password)
    user.password_changed_at = at
    db.add(user)
