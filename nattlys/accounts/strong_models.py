"""Tables of the strong logins: national eID identities bound to accounts, the
short-lived state of an eID login, passkeys, and WebAuthn challenges."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from nattlys.db import UTCDateTime


class EidIdentity(SQLModel, table=True):
    """An account's national identity, as a keyed hash of the identity number
    (never the number): set at enrolment, matched at every later login."""

    __tablename__ = "eid_identities"
    __table_args__ = (UniqueConstraint("pid_hash", "provider"), UniqueConstraint("user_id", "provider"))

    id: int = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    provider: str = Field(max_length=16)  # "patient" (ID-porten) or "staff" (HelseID)
    pid_hash: str = Field(max_length=64)
    bound_at: datetime = Field(sa_type=UTCDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class EidLoginState(SQLModel, table=True):
    """One eID login under way: state, nonce and PKCE verifier, bound to the
    browser that started it; used once, then never again."""

    __tablename__ = "eid_login_states"

    state_hash: str = Field(primary_key=True, max_length=64)
    provider: str = Field(max_length=16)
    nonce: str = Field(max_length=100)
    code_verifier: str = Field(max_length=128)
    browser_hash: str = Field(max_length=64)
    invitation_id: int | None = Field(default=None, foreign_key="invitations.id", ondelete="CASCADE")
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class EidSession(SQLModel, table=True):
    """What logging out at the provider needs for a session started by eID."""

    __tablename__ = "eid_sessions"

    session_id: str = Field(
        primary_key=True, foreign_key="auth_sessions.id", max_length=64, ondelete="CASCADE"
    )
    provider: str = Field(max_length=16)
    id_token: str = Field(max_length=8000)  # encrypted (it carries the identity number)


class Passkey(SQLModel, table=True):
    __tablename__ = "passkeys"

    id: int = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    credential_id: str = Field(max_length=1400, unique=True)  # base64url
    public_key: str = Field(max_length=2000)  # base64url COSE key
    sign_count: int = Field(default=0)
    transports: str = Field(default="", max_length=200)  # comma-separated
    name: str = Field(max_length=80)
    created_at: datetime = Field(sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WebauthnChallenge(SQLModel, table=True):
    """A challenge handed to the browser, kept here until it is used once or expires."""

    __tablename__ = "webauthn_challenges"

    id: str = Field(primary_key=True, max_length=64)  # SHA-256 of the ceremony token
    purpose: str = Field(max_length=16)  # "register" or "login"
    user_id: int | None = Field(default=None, foreign_key="users.id", ondelete="CASCADE")
    challenge: str = Field(max_length=200)  # base64url
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
