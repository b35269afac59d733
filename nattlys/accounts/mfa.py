"""Staff second factor: TOTP (RFC 6238, pyotp), enrolled at the first password
login, with ten one-time recovery codes stored as keyed hashes.

Secrets are encrypted at rest (Fernet, key derived from SECRET_KEY with HKDF),
a code is accepted once (the last accepted time step is kept), and wrong codes
are counted before they are checked, like passwords.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import pyotp
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlmodel import Session, SQLModel, col, delete, select

from nattlys.accounts import auth_events
from nattlys.accounts.credentials import has_second_factor
from nattlys.accounts.invitations import qr_svg
from nattlys.accounts.models import RecoveryCode, SecondFactor, SecondFactorReset, User
from nattlys.accounts.schemas import SecondFactorStep
from nattlys.accounts.sessions import end_all_sessions
from nattlys.accounts.throttle import LoginAttempt, RateLimited, login_throttle
from nattlys.api.errors import ApiError, conflict, not_found
from nattlys.db import stored_id

ISSUER = "Nattlys"
RECOVERY_CODES = 10
RESET_HOURS = 24
TOTP = {"factor": "totp"}  # the audit details of adding or removing it


class TotpEnrolment(SQLModel):
    secret: str
    otpauth_url: str
    qr_svg: str


class SecondFactorResetPublic(SQLModel):
    id: int
    user_id: int
    user_display_name: str
    requested_by_name: str | None
    created_at: datetime
    expires_at: datetime


def _fernet() -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"nattlys totp secrets").derive(
        current_app.config["SECRET_KEY"].encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def totp_secret(factor: SecondFactor) -> str:
    try:
        return _fernet().decrypt(factor.secret_encrypted.encode()).decode()
    except InvalidToken as exc:  # SECRET_KEY changed: the factor must be reset
        raise ApiError(
            409, "second_factor_unreadable", "Ask an administrator to reset your second factor."
        ) from exc


def _code_hash(code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, code.replace("-", "").strip().lower().encode(), hashlib.sha256).hexdigest()


def step_needed(db: Session, user: User) -> SecondFactorStep:
    return SecondFactorStep.verify if has_second_factor(db, user) else SecondFactorStep.enrol


def enrol_confirmed(db: Session, *, user: User, secret: str, at: datetime) -> None:
    """A factor that is ready at once (the demo's staff, whose secrets it prints)."""
    factor = db.get(SecondFactor, user.id) or SecondFactor(
        user_id=stored_id(user), secret_encrypted="", created_at=at
    )
    factor.secret_encrypted = _fernet().encrypt(secret.encode()).decode()
    factor.confirmed_at = factor.confirmed_at or at
    db.add(factor)


def start_enrolment(db: Session, *, user: User, at: datetime) -> TotpEnrolment:
    """A new secret for the authenticator app; it counts once a code from it is accepted."""
    if has_second_factor(db, user):
        raise conflict("second_factor_exists", "A second factor is already set up.")
    secret = pyotp.random_base32()
    factor = db.get(SecondFactor, user.id) or SecondFactor(
        user_id=stored_id(user), secret_encrypted="", created_at=at
    )
    factor.secret_encrypted = _fernet().encrypt(secret.encode()).decode()
    factor.created_at = at
    factor.last_step = 0
    db.add(factor)
    url = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)
    return TotpEnrolment(secret=secret, otpauth_url=url, qr_svg=qr_svg(url))


def _counted(user: User, *, ip: str, at: datetime) -> LoginAttempt:
    """Wrong codes count like wrong passwords, before they are checked."""
    try:
        return login_throttle().begin(f"second-factor:{user.id}", ip, device=None, at=at)
    except RateLimited as limited:
        raise ApiError(
            429,
            "rate_limited",
            "Too many attempts. Wait a little and try again.",
            headers={"Retry-After": str(limited.retry_after)},
        ) from None


def _accept_totp(factor: SecondFactor, code: str, *, at: datetime) -> bool:
    totp = pyotp.TOTP(totp_secret(factor))
    code = code.strip().replace(" ", "")
    for offset in (-1, 0, 1):  # a phone clock half a minute off still works
        moment = at + timedelta(seconds=30 * offset)
        step = totp.timecode(moment)
        if step > factor.last_step and hmac.compare_digest(totp.at(moment), code):
            factor.last_step = step
            return True
    return False


def _accept_recovery_code(db: Session, user: User, code: str, *, at: datetime) -> bool:
    row = db.exec(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _code_hash(code),
            col(RecoveryCode.used_at).is_(None),
        )
    ).first()
    if row is None:
        return False
    row.used_at = at
    db.add(row)
    return True


def new_recovery_codes(db: Session, *, user: User) -> list[str]:
    db.exec(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    for code in codes:
        db.add(RecoveryCode(user_id=user.id, code_hash=_code_hash(code)))
    return codes


def verify(db: Session, *, user: User, code: str, ip: str, at: datetime) -> list[str] | None:
    """Accept a code from the authenticator app (or a recovery code), or 401.
    Right after enrolment, answers the new recovery codes (shown once)."""
    db.commit()  # the counter uses its own connection (SQLite: no write lock held)
    attempt = _counted(user, ip=ip, at=at)
    attempt.finish()
    factor = db.get(SecondFactor, user.id, populate_existing=True)
    if factor is None:
        raise conflict("second_factor_missing", "Set up the authenticator app first.")
    enrolling = factor.confirmed_at is None
    if _accept_totp(factor, code, at=at):
        db.add(factor)
    elif enrolling or not _accept_recovery_code(db, user, code, at=at):
        auth_events.record_anonymous(db, user=user, event=auth_events.AuthEvent.login_failed)
        raise ApiError(401, "invalid_code", "That code did not work. Try the newest one.", commit=True)
    db.commit()  # the code is used up, whatever happens next; and the counter needs the lock
    attempt.succeeded()
    if not enrolling:
        return None
    factor.confirmed_at = at
    db.add(factor)
    auth_events.record(db, user=user, event=auth_events.AuthEvent.factor_added, details=TOTP)
    return new_recovery_codes(db, user=user)


def remove(db: Session, *, user: User, actor: User) -> None:
    db.exec(delete(SecondFactor).where(col(SecondFactor.user_id) == user.id))
    db.exec(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))
    auth_events.record(db, user=user, event=auth_events.AuthEvent.factor_removed, actor=actor, details=TOTP)


# --- an administrator's reset, approved by a second administrator ---------------------


def request_reset(db: Session, *, admin: User, user: User, at: datetime) -> SecondFactorReset:
    if not user.is_staff:
        raise not_found("No such staff member.")
    if user.id == admin.id:
        raise ApiError(403, "second_person_required", "Another administrator must reset your second factor.")
    reset = SecondFactorReset(
        user_id=user.id,
        requested_by_id=admin.id,
        created_at=at,
        expires_at=at + timedelta(hours=RESET_HOURS),
    )
    db.add(reset)
    db.flush()
    auth_events.record(db, user=user, event=auth_events.AuthEvent.factor_reset_requested, actor=admin)
    return reset


def pending_resets(db: Session, *, admin: User, at: datetime) -> list[SecondFactorResetPublic]:
    rows = db.exec(
        select(SecondFactorReset, User)
        .join(User, col(User.id) == col(SecondFactorReset.user_id))
        .where(col(SecondFactorReset.approved_at).is_(None), col(SecondFactorReset.expires_at) > at)
        .order_by(col(SecondFactorReset.id))
    ).all()
    out = []
    for reset, user in rows:
        requester = db.get(User, reset.requested_by_id) if reset.requested_by_id else None
        out.append(
            SecondFactorResetPublic(
                id=reset.id,
                user_id=user.id,
                user_display_name=user.display_name,
                requested_by_name=requester.display_name if requester else None,
                created_at=reset.created_at,
                expires_at=reset.expires_at,
            )
        )
    return out


def approve_reset(db: Session, *, admin: User, reset_id: int, at: datetime) -> None:
    """The second administrator's approval: the factor and its recovery codes
    go, the staff member's sessions end, and they enrol anew at next login."""

    reset = db.get(SecondFactorReset, reset_id)
    if reset is None or reset.approved_at is not None or reset.expires_at <= at:
        raise not_found("There is no reset waiting for approval here.")
    if reset.requested_by_id == admin.id or reset.user_id == admin.id:
        raise ApiError(403, "second_person_required", "A different administrator must approve this.")
    user = db.get(User, reset.user_id)
    assert user is not None  # the reset row cascades with the user
    reset.approved_at = at
    reset.approved_by_id = admin.id
    db.add(reset)
    remove(db, user=user, actor=admin)
    end_all_sessions(db, user_id=user.id, at=at)
