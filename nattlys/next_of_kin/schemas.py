"""What the next-of-kin endpoints accept and send."""

from __future__ import annotations

from datetime import datetime

from pydantic import ConfigDict, field_validator
from sqlmodel import Field, SQLModel

from nattlys.accounts.models import UserBase
from nattlys.accounts.schemas import InvitationIssued
from nattlys.plans.schemas import SectionKey, SectionsView

# What every next-of-kin screen shows, whatever is shared: 113, legevakt, Mental Helse.
EMERGENCY_NUMBERS = ("113", "116 117", "116 123")


class ConsentIn(SQLModel):
    """What she lets this next of kin see and do."""

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]  # SQLModel types model_config as its own SQLModelConfig

    sections: list[SectionKey] = Field(default_factory=list, max_length=len(SectionKey))
    notify_on_red: bool = False
    may_signal_worry: bool = False

    @field_validator("sections")
    @classmethod
    def _once_each(cls, value: list[SectionKey]) -> list[SectionKey]:
        return list(dict.fromkeys(value))


class InviteIn(ConsentIn):
    display_name: str = Field(min_length=1, max_length=80)

    @field_validator("display_name")
    @classmethod
    def _strip(cls, value: str) -> str:
        return UserBase._strip(value)


class ConsentPublic(SQLModel):
    id: int
    next_of_kin_id: int
    display_name: str
    # They have chosen a password with the invitation.
    joined: bool
    sections: list[str]
    notify_on_red: bool
    may_signal_worry: bool
    created_at: datetime
    changed_at: datetime | None
    withdrawn_at: datetime | None


class Invited(SQLModel):
    consent: ConsentPublic
    invitation: InvitationIssued


class WorryStatus(SQLModel):
    """What happened to "I am worried", as the server routed it: told (the first
    on duty) | passed_on (a later tier) | acknowledged | nobody_reachable
    (every tier tried, still offered) | no_one_on_duty."""

    status: str
    team_kind: str | None = None
    acknowledged_team_kind: str | None = None
    next_on_duty_at: datetime | None = None
    at: datetime


class KinPatient(SQLModel):
    patient_id: int
    patient_name: str
    may_signal_worry: bool
    open_worry: WorryStatus | None


class KinHome(SQLModel):
    patients: list[KinPatient]


class PhoneNumber(SQLModel):
    """A tap-to-call number from the shared sections of her plan."""

    name: str
    phone: str
    section: str


class KinPlan(SQLModel):
    patient_id: int
    patient_name: str
    visible_sections: list[str]
    sections: SectionsView
    phone_numbers: list[PhoneNumber]
    emergency_numbers: list[str]
    may_signal_worry: bool


class WorrySent(WorryStatus):
    # How many more she lets them send today (3 a day).
    left_today: int
