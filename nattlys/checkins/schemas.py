"""What check-in clients send and receive."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Literal

from pydantic import ConfigDict, StringConstraints, field_validator, model_validator
from sqlmodel import Field, SQLModel

from nattlys.alerts.schemas import AlertStatus
from nattlys.chat.schemas import ChatStatus
from nattlys.checkins.levels import MOOD_MAX, MOOD_MIN, PRESSURE_MAX, PRESSURE_MIN

Sleep = Literal["good", "ok", "poor", "none"]
Intensity = Literal["none", "some", "strong"]
MAX_NOTE_CHARS = 1000


class _Strict(SQLModel):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]  # SQLModel types model_config as its own SQLModelConfig


# --- schedule --------------------------------------------------------------------------


class ScheduleIn(_Strict):
    """Set with the patient. Times are local wall-clock times (Europe/Oslo)."""

    enabled: bool = True
    evening_time: time = time(20, 0)
    night_time: time | None = None
    weekdays: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4, 5, 6], max_length=7)
    quiet_start: time | None = None
    quiet_end: time | None = None
    after_missed: Literal["nothing", "tell_on_duty"] = "nothing"

    @field_validator("weekdays")
    @classmethod
    def _days(cls, value: list[int]) -> list[int]:
        if any(d < 0 or d > 6 for d in value):
            raise ValueError("weekdays are 0 (Monday) to 6 (Sunday)")
        return sorted(set(value))

    @field_validator("evening_time", "night_time", "quiet_start", "quiet_end")
    @classmethod
    def _minutes(cls, value: time | None) -> time | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            raise ValueError("a local wall-clock time, without a time zone")
        return value.replace(second=0, microsecond=0)

    @model_validator(mode="after")
    def _quiet_pair(self) -> ScheduleIn:
        if (self.quiet_start is None) != (self.quiet_end is None):
            raise ValueError("give both quiet_start and quiet_end, or neither")
        return self


class SchedulePublic(SQLModel):
    patient_id: int
    saved: bool  # false: nothing chosen yet; these are the defaults
    enabled: bool
    timezone: str
    evening_time: time
    night_time: time | None
    weekdays: list[int]
    quiet_start: time | None
    quiet_end: time | None
    after_missed: str
    updated_at: datetime | None
    in_discharge_follow_up: bool  # daily check-ins for 14 days after a discharge


# --- check-in --------------------------------------------------------------------------


class CheckinIn(_Strict):
    idempotency_key: str = Field(min_length=8, max_length=64, regex=r"^[A-Za-z0-9_-]+$")
    # Optional: if given it must be the caller's own id.
    patient_id: int | None = None
    pressure: int = Field(ge=PRESSURE_MIN, le=PRESSURE_MAX)
    mood: int = Field(ge=MOOD_MIN, le=MOOD_MAX)
    sleep: Sleep
    # The plan's warning signs present: by position (0-based) or by their text.
    warning_signs: list[int | Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]] = (
        Field(default_factory=list, max_length=30)
    )
    self_harm_urge: Intensity
    suicidal_thoughts: Intensity
    wants_contact: bool = False
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_NOTE_CHARS)] = ""


class CheckinPublic(SQLModel):
    id: int
    patient_id: int
    created_at: datetime
    pressure: int
    mood: int
    sleep: str
    # null for a supporter the patient has not shared the plan's warning signs with
    warning_signs: list[str] | None
    warning_sign_count: int | None
    self_harm_urge: str
    suicidal_thoughts: str
    wants_contact: bool
    note: str | None
    level: str
    reasons: list[str]


class EmergencyNumber(SQLModel):
    name: str
    phone: str


class CheckinResult(SQLModel):
    """What the patient's phone shows right after a check-in."""

    checkin: CheckinPublic
    duplicate: bool  # the same idempotency key was sent before: this is the first answer
    level: str
    reasons: list[str]
    self_help: list[str]  # yellow and red: the patient's own "what I can do myself" steps
    show_plan: bool  # red: open the crisis plan at once
    emergency_numbers: list[EmergencyNumber]  # red: shown at once
    offer_chat: bool
    alert: AlertStatus | None  # red: where the alert stands, as the server routed it
    contact: ChatStatus | None = None  # a contact request: the chat's routing outcome
    conversation_id: int | None  # wants_contact: the chat conversation that was started


class PendingReminder(SQLModel):
    kind: str  # evening | night
    local_date: date
    due_at: datetime
    title: str  # the push's title: a key of the catalogues' push.titles
    pushed: bool  # a push was sent for it


class CheckinState(SQLModel):
    """What the patient's app needs when it opens: a pending reminder (shown in
    the app when push is off or did not arrive) and the form's warning signs."""

    pending_reminder: PendingReminder | None
    warning_signs: list[str]
    last_checkin_at: datetime | None
    emergency_numbers: list[EmergencyNumber]


class TrendQuery(SQLModel):
    days: int = Field(default=28, ge=1, le=90)


class TrendPoint(SQLModel):
    at: datetime
    pressure: int
    level: str


class TrendPublic(SQLModel):
    patient_id: int
    days: int
    items: list[CheckinPublic]  # newest first
    points: list[TrendPoint]  # oldest first, for the chart


class TonightItem(SQLModel):
    patient_id: int
    patient_name: str
    checkin: CheckinPublic


# --- discharge -------------------------------------------------------------------------


class DischargeIn(_Strict):
    discharge_date: date


class DischargePublic(SQLModel):
    id: int
    patient_id: int
    discharge_date: date
    follow_up_until: date  # the last day of daily check-ins
    recorded_at: datetime
    recorded_by_name: str | None
    contact_at: datetime | None
    contact_by_name: str | None


class RecentlyDischargedItem(SQLModel):
    patient_id: int
    patient_name: str
    discharge_id: int
    discharge_date: date
    day: int  # 1 = the day after discharge
    last_checkin_at: datetime | None
    last_level: str | None
