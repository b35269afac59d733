"""Teams of supporters and each patient's care circle."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum

from pydantic import field_validator
from sqlalchemy import String, UniqueConstraint
from sqlmodel import Field, SQLModel

from nattlys.clock import now
from nattlys.db import UTCDateTime


class TeamKind(StrEnum):
    bolig = "bolig"
    kommune = "kommune"
    dps = "dps"


class TeamBase(SQLModel):
    name: str = Field(min_length=2, max_length=120)
    kind: TeamKind = Field(sa_type=String(16))

    @field_validator("name")
    @classmethod
    def _strip(cls, value: str) -> str:
        value = " ".join(value.split())
        if len(value) < 2:
            raise ValueError("must be at least 2 characters")
        return value


class Team(TeamBase, table=True):
    __tablename__ = "teams"

    id: int = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)


class TeamMembership(SQLModel, table=True):
    __tablename__ = "team_memberships"

    team_id: int = Field(foreign_key="teams.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", primary_key=True, index=True, ondelete="CASCADE")


class CareTier(SQLModel, table=True):
    """One step of a patient's care circle. Tiers are tried in order of
    position (bolig, then kommune, then DPS, as configured per patient)."""

    __tablename__ = "care_tiers"
    __table_args__ = (UniqueConstraint("patient_id", "position"),)

    id: int = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    position: int = Field(ge=0)
    escalate_after_minutes: int = Field(default=3, ge=1, le=120)


class CareTierTeam(SQLModel, table=True):
    __tablename__ = "care_tier_teams"

    tier_id: int = Field(foreign_key="care_tiers.id", primary_key=True, ondelete="CASCADE")
    team_id: int = Field(foreign_key="teams.id", primary_key=True, index=True, ondelete="CASCADE")


class PrimaryContact(SQLModel, table=True):
    """A named supporter the patient knows; preferred when they are on duty."""

    __tablename__ = "primary_contacts"

    patient_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    supporter_id: int = Field(foreign_key="users.id", primary_key=True, index=True, ondelete="CASCADE")


class LastResort(SQLModel, table=True):
    """The number the patient is shown when nobody in the circle answers (for
    example the DPS on-call phone), beside 113, 116 117 and 116 123."""

    __tablename__ = "care_circle_last_resorts"

    patient_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    label: str = Field(max_length=80)
    phone: str = Field(max_length=32)


PHONE_PATTERN = re.compile(r"\+?[0-9][0-9 ]{2,30}")
