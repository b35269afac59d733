"""What the team and care-circle endpoints take and give."""

from __future__ import annotations

from pydantic import field_validator
from sqlmodel import Field, SQLModel

from nattlys.accounts.models import UserBase
from nattlys.care_circles.models import (
    PHONE_PATTERN,
    TeamBase,
    TeamKind,
)


class TeamCreate(TeamBase):
    pass


class TeamUpdate(SQLModel):
    name: str | None = Field(default=None, min_length=2, max_length=120)

    @field_validator("name")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        return None if value is None else TeamBase._strip(value)


class MemberPublic(SQLModel):
    id: int
    display_name: str
    username: str


class TeamPublic(TeamBase):
    id: int
    members: list[MemberPublic] = []


class TeamMembersUpdate(SQLModel):
    user_ids: list[int] = Field(default_factory=list, max_length=200)


class LastResortIn(SQLModel):
    label: str = Field(min_length=1, max_length=80)
    phone: str = Field(min_length=3, max_length=32)

    @field_validator("label")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        value = value.strip()
        if not PHONE_PATTERN.fullmatch(value):
            raise ValueError("a phone number: digits and spaces, optionally starting with +")
        return value


class CareTierIn(SQLModel):
    team_ids: list[int] = Field(min_length=1, max_length=10)
    escalate_after_minutes: int = Field(default=3, ge=1, le=120)


class CareCircleUpdate(SQLModel):
    tiers: list[CareTierIn] = Field(min_length=1, max_length=6)
    primary_contact_ids: list[int] = Field(default_factory=list, max_length=10)
    # Left out: unchanged; null: removed.
    last_resort: LastResortIn | None = None


class TeamRef(SQLModel):
    id: int
    name: str
    kind: TeamKind


class CareTierPublic(SQLModel):
    position: int
    escalate_after_minutes: int
    teams: list[TeamRef]


class CareCirclePublic(SQLModel):
    patient_id: int
    tiers: list[CareTierPublic]
    primary_contacts: list[MemberPublic]
    last_resort: LastResortIn | None = None


class PatientCreate(SQLModel):
    username: str = Field(min_length=3, max_length=40)
    display_name: str = Field(min_length=1, max_length=80)
    # A supporter must name one of their own teams: the new patient starts
    # with a care circle of that team. An administrator may leave it empty.
    team_id: int | None = None

    @field_validator("display_name")
    @classmethod
    def _strip(cls, value: str) -> str:
        return UserBase._strip(value)


class PatientPublic(SQLModel):
    id: int
    username: str
    display_name: str
    is_active: bool
    has_password: bool
