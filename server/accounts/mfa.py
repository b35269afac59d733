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

from server.accounts import auth_events, devices
from server.accounts.credentials import has_second_factor
from server.accounts.invitations import qr_svg
from server.accounts.models import RecoveryCode, SecondFactor, SecondFactorStep, User
from server.accounts.throttle import LoginAttempt, RateLimited, login_throttle
from server.api.errors import ApiError, conflict

ISSUER = "Nattlys"
RECOVERY_CODES = 10


class TotpEnrolment(SQLModel):
    secret: str
    otpauth_url: str
    qr_svg: str


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
        user_id=user.id, secret_encrypted="", created_at=at
    )  # type: ignore[arg-type]
    factor.secret_encrypted = _fernet().encrypt(secret.encode()).decode()
    factor.confirmed_at = factor.confirmed_at or at
    db.add(factor)


def start_enrolment(db: Session, *, user: User, at: datetime) -> TotpEnrolment:
    """A new secret for the authenticator app; it counts once a code from it is accepted."""
    if has_second_factor(db, user):
        raise conflict("second_factor_exists", "A second factor is already set up.")
    secret = pyotp.random_base32()
    factor = db.get(SecondFactor, user.id) or SecondFactor(
        user_id=user.id, secret_encrypted="", created_at=at
    )  # type: ignore[arg-type]
    factor.secret_encrypted = _fernet().encrypt(secret.encode()).decode()
    factor.created_at = at
    factor.last_step = 0
    db.add(factor)
    url = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)
    return TotpEnrolment(secret=secret, otpauth_url=url, qr_svg=qr_svg(url))


def _counted(db: Session, user: User, *, ip: str, at: datetime) -> LoginAttempt:
    """Wrong codes count like wrong passwords, before they are checked: per
    account, so a stolen password cannot be followed by trying every code;
    a browser where this person completed a login before counts on its own."""
    device = devices.known_device(user.username)
    try:
        return login_throttle().begin(
            f"second-factor:{user.id}", ip, device=f"second-factor:{device.nonce}" if device else None, at=at
        )
    except RateLimited as limited:
        if limited.locked_now:
            auth_events.record_anonymous(db, user=user, event=auth_events.AuthEvent.lockout)
        raise ApiError(
            429,
            "rate_limited",
            "Too many attempts. Wait a little and try again.",
            headers={"Retry-After": str(limited.retry_after)},
            commit=limited.locked_now,
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
    db.exec(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))  # type: ignore[call-overload]
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    for code in codes:
        db.add(RecoveryCode(user_id=user.id, code_hash=_code_hash(code)))  # type: ignore[arg-type]
    return codes


def verify(db: Session, *, user: User, code: str, ip: str, at: datetime) -> list[str] | None:
    """Accept a code from the authenticator app (or a recovery code), or 401.
    Right after enrolment, answers the new recovery codes (shown once)."""
    db.commit()  # the counter uses its own connection (SQLite: no write lock held)
    attempt = _counted(db, user, ip=ip, at=at)
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
    auth_events.record(db, user=user, event=auth_events.AuthEvent.factor_added, reason="totp")
    return new_recovery_codes(db, user=user)


def remove(db: Session, *, user: User, actor: User) -> None:
    db.exec(delete(SecondFactor).where(col(SecondFactor.user_id) == user.id))  # type: ignore[call-overload]
    db.exec(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))  # type: ignore[call-overload]
    auth_events.record(db, user=user, event=auth_events.AuthEvent.factor_removed, actor=actor, reason="totp")


def reset(db: Session, *, user: User, actor: User, at: datetime) -> None:
    """A reset approved by a second administrator (server/accounts/approvals.py):
    the factor and its recovery codes go, the staff member's sessions end, and
    they enrol anew at their next login."""
    from server.accounts.sessions import end_all_sessions

    remove(db, user=user, actor=actor)
    end_all_sessions(db, user_id=user.id, at=at)  # type: ignore[arg-type]
