"""Accounts: users, server-side sessions, invitations and login counters."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import field_validator
from sqlalchemy import Column, String
from sqlmodel import Field, SQLModel

from nattlys.clock import now
from nattlys.db import UTCDateTime


class Role(StrEnum):
    patient = "patient"
    supporter = "supporter"
    admin = "admin"
    # Only ever created by a patient's invitation (nattlys/next_of_kin).
    next_of_kin = "next_of_kin"


USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{1,38}[a-z0-9]$"


class UserBase(SQLModel):
    username: str = Field(min_length=3, max_length=40, regex=USERNAME_PATTERN)
    display_name: str = Field(min_length=1, max_length=80)
    role: Role = Field(sa_type=String(16))

    @field_validator("username", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("display_name")
    @classmethod
    def _strip(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("must not be blank")
        return value


class User(UserBase, table=True):
    __tablename__ = "users"

    id: int = Field(default=None, primary_key=True)
    username: str = Field(max_length=40, unique=True, index=True)
    password_hash: str | None = Field(default=None, max_length=255)
    is_active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    password_changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.supporter, Role.admin)

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None


class AuthSession(SQLModel, table=True):
    """A server-side login session. The cookie holds a random token; only its
    SHA-256 is stored, so a database leak does not hand out live sessions."""

    __tablename__ = "auth_sessions"

    id: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime)
    last_seen_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
    # Every session has an absolute end (staff 12 hours, patients 90 days)
    # besides the idle one; NULL only on rows from before the patient limit.
    absolute_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # "Chrome on Android": coarse, for "my devices"; never the full user agent.
    device_label: str | None = Field(default=None, max_length=80)
    # The staff member whose re-enrolment link started this session: what is
    # done in it shows in the patient's "who has seen my data" with their name.
    issued_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    # A staff password login that still needs its second factor: it opens
    # nothing but the second-factor endpoints.
    second_factor_pending: bool = Field(default=False)


class Invitation(SQLModel, table=True):
    """A one-time link with which a person chooses their own password."""

    __tablename__ = "invitations"

    id: int = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    created_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # A link for an account that already has credentials works only once the
    # account holder confirms it from a logged-in device, or a second staff
    # member approves it (README, "No account takeover").
    needs_approval: bool = Field(default=False)
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    approved_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")


class SecondFactor(SQLModel, table=True):
    """A staff member's TOTP secret, encrypted with a key derived from SECRET_KEY."""

    __tablename__ = "second_factors"

    user_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    secret_encrypted: str = Field(max_length=255)
    created_at: datetime = Field(sa_type=UTCDateTime)
    # Set when the first code from the authenticator app has been accepted.
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The last time step accepted, so a code cannot be used twice.
    last_step: int = Field(default=0)


class RecoveryCode(SQLModel, table=True):
    __tablename__ = "recovery_codes"

    id: int = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    code_hash: str = Field(max_length=64)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SecondFactorReset(SQLModel, table=True):
    """An administrator's request to reset a staff member's second factor; it
    takes effect when a second, different administrator approves it."""

    __tablename__ = "second_factor_resets"

    id: int = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    requested_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    approved_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PatientDisableRequest(SQLModel, table=True):
    """An administrator's request to disable a patient's account; nothing
    changes for her until a second, different administrator approves it."""

    __tablename__ = "patient_disable_requests"

    id: int = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    requested_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    reason: str = Field(max_length=300)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    decided_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    approved: bool | None = None  # set with decided_at: approved, or declined


class RateCounter(SQLModel, table=True):
    """Fixed-window counters shared by every server process (when no Redis)."""

    __tablename__ = "rate_counters"

    key: str = Field(sa_column=Column(String(200), primary_key=True))
    window_start: datetime = Field(sa_type=UTCDateTime)
    count: int = Field(default=0)
