"""Passkeys (WebAuthn, py_webauthn): a logged-in person adds one, then opens
the app with a fingerprint or face instead of a password.

Every challenge is stored here with an expiry and used once: a response to a
challenge that was never handed out, has expired or was used already is refused.
Passkeys are discoverable (resident) and require user verification, so one
passkey login is as strong as a password and a second factor.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import webauthn
from flask import current_app, request
from sqlmodel import Session, col, delete, select, update
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url, options_to_json_dict
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from nattlys.accounts.models import Role, User
from nattlys.accounts.strong_models import Passkey, WebauthnChallenge
from nattlys.api.errors import ApiError, not_found
from nattlys.audit import writer as audit

CHALLENGE_SECONDS = 300
MAX_PASSKEYS = 10
RP_NAME = "Nattlys"


def has_passkey(db: Session, user_id: int) -> bool:
    """Whether this person has a passkey (one counts as a strong second factor)."""
    return db.exec(select(Passkey.id).where(Passkey.user_id == user_id).limit(1)).first() is not None


def _base_url() -> str:
    return (current_app.config.get("PUBLIC_BASE_URL") or request.host_url).rstrip("/")


def relying_party() -> tuple[str, str]:
    """(rp id, origin) from configuration, else from PUBLIC_BASE_URL or the request."""
    origin = current_app.config.get("WEBAUTHN_ORIGIN") or _base_url()
    rp_id = current_app.config.get("WEBAUTHN_RP_ID") or (urlsplit(origin).hostname or "")
    return rp_id, origin.rstrip("/")


def _new_challenge(db: Session, *, purpose: str, user_id: int | None, challenge: bytes, at: datetime) -> str:
    # Spent and expired challenges are of no use to anyone: each new one clears them.
    db.exec(delete(WebauthnChallenge).where(col(WebauthnChallenge.expires_at) <= at))
    ceremony = secrets.token_urlsafe(32)
    db.add(
        WebauthnChallenge(
            id=hashlib.sha256(ceremony.encode()).hexdigest(),
            purpose=purpose,
            user_id=user_id,
            challenge=bytes_to_base64url(challenge),
            created_at=at,
            expires_at=at + timedelta(seconds=CHALLENGE_SECONDS),
        )
    )
    return ceremony


def _use_challenge(db: Session, *, ceremony: str, purpose: str, user_id: int | None, at: datetime) -> bytes:
    """The challenge of this ceremony, marked used; refused if unknown, used, expired or someone else's."""
    row = db.get(WebauthnChallenge, hashlib.sha256(ceremony.encode()).hexdigest())
    if row is None or row.purpose != purpose or row.user_id != user_id:
        raise ApiError(400, "passkey_challenge_unknown", "This passkey request has expired. Try again.")
    claimed = db.exec(
        update(WebauthnChallenge)
        .where(
            col(WebauthnChallenge.id) == row.id,
            col(WebauthnChallenge.used_at).is_(None),
            col(WebauthnChallenge.expires_at) > at,
        )
        .values(used_at=at)
    )
    if claimed.rowcount != 1:
        raise ApiError(400, "passkey_challenge_unknown", "This passkey request has expired. Try again.")
    return base64url_to_bytes(row.challenge)


@dataclass(frozen=True)
class Ceremony:
    ceremony: str
    options: dict[str, Any]


# --- adding a passkey ---------------------------------------------------------------------


def registration_options(db: Session, *, user: User, at: datetime) -> Ceremony:
    rp_id, _origin = relying_party()
    mine = list(db.exec(select(Passkey).where(Passkey.user_id == user.id)).all())
    if len(mine) >= MAX_PASSKEYS:
        raise ApiError(
            409, "too_many_passkeys", "You have as many passkeys as you can have. Remove one first."
        )
    options = webauthn.generate_registration_options(
        rp_id=rp_id,
        rp_name=RP_NAME,
        user_id=str(user.id).encode(),
        user_name=user.username,
        user_display_name=user.display_name,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(p.credential_id)) for p in mine
        ],
    )
    ceremony = _new_challenge(db, purpose="register", user_id=user.id, challenge=options.challenge, at=at)
    return Ceremony(ceremony=ceremony, options=options_to_json_dict(options))


def register(
    db: Session, *, user: User, ceremony: str, credential: dict[str, Any], name: str, at: datetime
) -> Passkey:
    challenge = _use_challenge(db, ceremony=ceremony, purpose="register", user_id=user.id, at=at)
    # The challenge is spent even if what follows fails.
    db.commit()
    rp_id, origin = relying_party()
    try:
        verified = webauthn.verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        raise ApiError(400, "passkey_refused", "The passkey could not be added. Try again.") from exc
    credential_id = bytes_to_base64url(verified.credential_id)
    if db.exec(select(Passkey.id).where(Passkey.credential_id == credential_id)).first() is not None:
        raise ApiError(409, "passkey_exists", "This passkey is added already.")
    transports = credential.get("response", {}).get("transports") or []
    passkey = Passkey(
        user_id=user.id,
        credential_id=credential_id,
        public_key=bytes_to_base64url(verified.credential_public_key),
        sign_count=verified.sign_count,
        transports=",".join(t for t in transports if t in {m.value for m in AuthenticatorTransport}),
        name=name,
        created_at=at,
    )
    db.add(passkey)
    db.flush()
    _audit(db, user, "passkey.register", passkey)
    return passkey


# --- logging in with one ------------------------------------------------------------------


def login_options(db: Session, *, at: datetime) -> Ceremony:
    rp_id, _origin = relying_party()
    # No allow list: the phone offers the passkeys it holds for us (discoverable).
    options = webauthn.generate_authentication_options(
        rp_id=rp_id, user_verification=UserVerificationRequirement.REQUIRED
    )
    ceremony = _new_challenge(db, purpose="login", user_id=None, challenge=options.challenge, at=at)
    return Ceremony(ceremony=ceremony, options=options_to_json_dict(options))


def authenticate(db: Session, *, ceremony: str, credential: dict[str, Any], at: datetime) -> User:
    challenge = _use_challenge(db, ceremony=ceremony, purpose="login", user_id=None, at=at)
    db.commit()
    refused = ApiError(401, "passkey_refused", "This passkey could not be used. Log in another way.")
    raw_id = credential.get("rawId") or credential.get("id")
    passkey = (
        db.exec(select(Passkey).where(Passkey.credential_id == raw_id)).first()
        if isinstance(raw_id, str)
        else None
    )
    if passkey is None:
        raise refused
    rp_id, origin = relying_party()
    try:
        verified = webauthn.verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
            credential_public_key=base64url_to_bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        raise refused from exc
    handle = credential.get("response", {}).get("userHandle")
    if handle and base64url_to_bytes(handle) != str(passkey.user_id).encode():
        raise refused
    user = db.get(User, passkey.user_id)
    if user is None or not user.is_active:
        raise refused
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = at
    db.add(passkey)
    _audit(db, user, "passkey.login", passkey)
    return user


# --- one's own passkeys ---------------------------------------------------------------------


def list_mine(db: Session, *, user: User) -> list[Passkey]:
    return list(
        db.exec(select(Passkey).where(Passkey.user_id == user.id).order_by(col(Passkey.created_at))).all()
    )


def remove(db: Session, *, user: User, passkey_id: int) -> None:
    passkey = db.get(Passkey, passkey_id)
    if passkey is None or passkey.user_id != user.id:
        raise not_found("No such passkey.")
    db.delete(passkey)
    _audit(db, user, "passkey.remove", passkey)


def _audit(db: Session, user: User, action: str, passkey: Passkey) -> None:
    audit.record(
        db,
        actor=user,
        action=action,
        object_type="passkey",
        object_id=passkey.id,
        patient_id=user.id if user.role == Role.patient else None,
    )
