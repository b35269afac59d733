"""What an account can already be logged in with, and how its holder can prove
themselves. The eID and passkey modules extend these three answers."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from nattlys.accounts.models import AuthSession, SecondFactor, User
from nattlys.accounts.passkeys import has_passkey
from nattlys.accounts.strong_models import EidIdentity


def has_credentials(db: Session, user: User) -> bool:
    """Whether someone can already log in to this account: then a new
    invitation link for it needs the holder's or a second staff member's
    approval. (eID: a bound identity; passkeys: a registered passkey.)"""
    return user.password_hash is not None or _has_eid(db, user) or has_passkey(db, user.id)


def holder_can_confirm(db: Session, user: User, *, at: datetime) -> bool:
    """Whether the account holder can confirm a re-enrolment herself: she is
    still logged in on some device, or has a bound eID identity she can log
    in with, then confirm. While she can, staff cannot approve in her place."""
    live = db.exec(
        select(AuthSession.id)
        .where(
            AuthSession.user_id == user.id,
            col(AuthSession.revoked_at).is_(None),
            col(AuthSession.expires_at) > at,
            col(AuthSession.second_factor_pending).is_(False),
        )
        .limit(1)
    ).first()
    return live is not None or _has_eid(db, user)


def has_second_factor(db: Session, user: User) -> bool:
    """Whether a staff member has a confirmed TOTP factor for password logins.
    (A passkey login needs none: it is strong on its own.)"""
    factor = db.get(SecondFactor, user.id)
    return factor is not None and factor.confirmed_at is not None


def _has_eid(db: Session, user: User) -> bool:
    return db.exec(select(EidIdentity.id).where(EidIdentity.user_id == user.id).limit(1)).first() is not None
