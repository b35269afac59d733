"""What the account endpoints take and give: users, logins, invitations, devices."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import field_validator
from sqlmodel import Field, SQLModel

from nattlys.accounts.models import (
    Role,
    UserBase,
)


class UserCreate(UserBase):
    """An administrator creating a staff account or a patient; the person sets
    their own password through the invitation link. Next of kin come only from
    the patient's own invitation, never from staff."""

    @field_validator("role")
    @classmethod
    def _not_next_of_kin(cls, value: Role) -> Role:
        if value == Role.next_of_kin:
            raise ValueError("next of kin are invited by the patient, not created by staff")
        return value


class UserUpdate(SQLModel):
    display_name: str | None = Field(default=None, min_length=1, max_length=80)
    is_active: bool | None = None

    @field_validator("display_name")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        return None if value is None else UserBase._strip(value)


class UserPublic(UserBase):
    id: int
    is_active: bool
    has_password: bool


class LoginRequest(SQLModel):
    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1024)


class SecondFactorStep(StrEnum):
    enrol = "enrol"
    verify = "verify"


class SessionPublic(SQLModel):
    user: UserPublic
    csrf_token: str
    # The server's clock, so screens can say "now" and "in 40 minutes" right
    # even when the phone's clock is off.
    server_time: datetime
    # Set while a staff login waits for its second factor: "enrol" (set up an
    # authenticator app first) or "verify" (type its code).
    second_factor: SecondFactorStep | None = None
    # Shown once, right after the authenticator app is set up.
    recovery_codes: list[str] | None = None


class InvitationToken(SQLModel):
    token: str = Field(min_length=10, max_length=200)


class InvitationAccept(InvitationToken):
    password: str = Field(min_length=1, max_length=1024)


class InvitationStatus(SQLModel):
    display_name: str
    # Shown while choosing a password, so the person (and their password
    # manager) knows what to log in with.
    username: str
    role: Role
    expires_at: datetime


class Awaiting(StrEnum):
    """Whose approval a re-enrolment link waits for before it works."""

    account_holder = "account_holder"  # she confirms from a device where she is logged in
    second_staff = "second_staff"  # a second, different staff member approves


class InvitationIssued(SQLModel):
    url: str
    expires_at: datetime
    qr_svg: str
    awaiting: Awaiting | None = None


class ReenrolmentPublic(SQLModel):
    """A re-enrolment link waiting for approval, as the holder or an approver sees it."""

    id: int
    user_id: int
    user_display_name: str
    issued_by_name: str | None
    created_at: datetime
    expires_at: datetime
    awaiting: Awaiting


class DevicePublic(SQLModel):
    """One of "my devices": a live session."""

    id: str
    device_label: str | None
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    current: bool


class PasswordChange(SQLModel):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)
