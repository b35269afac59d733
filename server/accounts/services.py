"""Account services: logging in, creating and disabling users."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from server.accounts import passwords
from server.accounts.models import Role, User, UserCreate, UserPublic, UserUpdate
from server.accounts.sessions import end_all_sessions
from server.accounts.throttle import login_throttle
from server.api.errors import ApiError, conflict
from server.audit import writer as audit
from server.rosters.generation import bump_generation

log = logging.getLogger(__name__)


def public_user(user: User) -> UserPublic:
    return UserPublic(
        id=user.id,  # type: ignore[arg-type]
        username=user.username,
        display_name=user.display_name,
        role=Role(user.role),
        is_active=user.is_active,
        has_password=user.has_password,
    )


def _rate_limited(retry_after: int) -> ApiError:
    return ApiError(
        429,
        "rate_limited",
        "Too many attempts. Wait a little and try again.",
        headers={"Retry-After": str(retry_after)},
    )


def authenticate(db: Session, *, username: str, password: str, ip: str, at: datetime) -> User:
    """The user for these credentials, or 401/429. Unknown usernames cost the
    same time as wrong passwords."""
    # The counters below use their own connection; on SQLite this request must
    # not hold the write lock meanwhile.
    db.commit()
    throttle = login_throttle()
    retry_after = throttle.retry_after(username, ip, at=at)
    if retry_after is not None:
        raise _rate_limited(retry_after)

    user = db.exec(select(User).where(User.username == username.strip().lower())).first()
    # End the read transaction before the slow hash so others are not kept waiting.
    db.commit()
    if user is None or user.password_hash is None:
        passwords.verify_dummy(password)
        ok = False
    else:
        ok = passwords.verify_password(user.password_hash, password)
    if not ok or user is None or not user.is_active:
        throttle.record_failure(username, ip, at=at)
        log.info("login failed", extra={"reason": "credentials"})
        raise ApiError(401, "invalid_credentials", "Wrong username or password.")

    throttle.record_success(username)
    if passwords.needs_rehash(user.password_hash):  # type: ignore[arg-type]
        user.password_hash = passwords.hash_password(password)
        db.add(user)
    return user


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
        user.is_active = data.is_active
        if not data.is_active:
            end_all_sessions(db, user_id=user.id, at=at)  # type: ignore[arg-type]
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


def set_password(db: Session, *, user: User, password: str, at: datetime) -> None:
    passwords.check_policy(password, username=user.username)
    user.password_hash = passwords.hash_password(password)
    user.password_changed_at = at
    db.add(user)
