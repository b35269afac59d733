"""Request and response schemas for rosters, on-duty look-ups and coverage."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import field_validator, model_validator
from pydantic_core import PydanticCustomError
from sqlmodel import Field, SQLModel

from nattlys.care_circles.models import TeamKind
from nattlys.care_circles.schemas import MemberPublic, TeamRef
from nattlys.rosters.models import OverrideKind, OverrideReason


class ShiftIn(SQLModel):
    weekdays: list[int] = Field(min_length=1, max_length=7, description="0 = Monday … 6 = Sunday")
    start: time
    end: time
    ends_next_day: bool = False

    @field_validator("weekdays")
    @classmethod
    def _days(cls, value: list[int]) -> list[int]:
        if any(d < 0 or d > 6 for d in value):
            raise PydanticCustomError("weekday_out_of_range", "weekdays are 0 (Monday) to 6 (Sunday)")
        if len(set(value)) != len(value):
            raise PydanticCustomError("weekday_repeated", "a weekday is repeated")
        return sorted(value)

    @field_validator("start", "end")
    @classmethod
    def _local(cls, value: time) -> time:
        # Shifts are wall-clock times in the rotation's time zone; an offset
        # would be dropped on saving (and one time with, one without, broke the
        # comparison below).
        if value.tzinfo is not None:
            raise PydanticCustomError("time_has_offset", "a local wall-clock time, without a time zone")
        return value

    @model_validator(mode="after")
    def _order(self) -> ShiftIn:
        if not self.ends_next_day and self.end <= self.start:
            raise PydanticCustomError(
                "shift_ends_before_start",
                "end: the shift ends before it starts; set ends_next_day for a night shift",
            )
        if self.ends_next_day and self.end > self.start:
            raise PydanticCustomError("shift_too_long", "end: a shift can last at most 24 hours")
        return self


class RotationIn(SQLModel):
    name: str = Field(min_length=1, max_length=80)
    timezone: str = Field(default="Europe/Oslo", max_length=64)
    start_date: date
    period_days: int = Field(
        default=7, ge=1, le=84, description="1 = daily, 7 = weekly, 14 = every other week"
    )
    member_ids: list[int] = Field(min_length=1, max_length=50)
    shifts: list[ShiftIn] = Field(min_length=1, max_length=14)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise PydanticCustomError(
                "unknown_time_zone", "unknown time zone {zone}", {"zone": value}
            ) from exc
        return value

    @field_validator("name")
    @classmethod
    def _strip(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("must not be blank")
        return value


class RosterDraftIn(SQLModel):
    rotations: list[RotationIn] = Field(default_factory=list, max_length=20)


class ShiftPublic(SQLModel):
    weekdays: list[int]
    start: time
    end: time
    ends_next_day: bool


class RotationPublic(SQLModel):
    id: int
    name: str
    timezone: str
    start_date: date
    period_days: int
    members: list[MemberPublic]
    shifts: list[ShiftPublic]


class RosterVersionPublic(SQLModel):
    id: int
    status: str
    created_at: datetime
    published_at: datetime | None
    rotations: list[RotationPublic]


class TeamRosterPublic(SQLModel):
    team: TeamRef
    published: RosterVersionPublic | None
    draft: RosterVersionPublic | None


class PublishIn(SQLModel):
    confirm_uncovered: bool = False


class OverrideIn(SQLModel):
    kind: OverrideKind
    user_id: int
    replaces_user_id: int | None = None
    starts_at: datetime = Field(description="ISO 8601; without an offset it is read as the team's local time")
    ends_at: datetime
    reason: OverrideReason = OverrideReason.other
    note: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _shape(self) -> OverrideIn:
        if self.kind == OverrideKind.replacement and self.replaces_user_id is None:
            raise PydanticCustomError("replaces_missing", "replaces_user_id: say whom this person replaces")
        if self.kind != OverrideKind.replacement and self.replaces_user_id is not None:
            raise PydanticCustomError(
                "replaces_not_allowed", "replaces_user_id: only a replacement names whom it replaces"
            )
        if self.replaces_user_id is not None and self.replaces_user_id == self.user_id:
            raise PydanticCustomError("replaces_self", "replaces_user_id: a person cannot replace themselves")
        return self


class OverridePublic(SQLModel):
    id: int
    team_id: int
    kind: OverrideKind
    user_id: int
    user_name: str
    replaces_user_id: int | None
    replaces_name: str | None
    starts_at: datetime
    ends_at: datetime
    reason: OverrideReason
    note: str | None


class PeriodQuery(SQLModel):
    start: datetime | None = Field(default=None, description="default: now")
    days: int = Field(default=28, ge=1, le=62)


class AtQuery(SQLModel):
    at: datetime | None = Field(default=None, description="ISO 8601 instant; default: now")


class DutyPublic(SQLModel):
    user_id: int
    display_name: str
    team_id: int
    team_name: str
    team_kind: TeamKind
    shift_starts_at: datetime
    shift_ends_at: datetime
    source: str
    rotation_name: str | None
    replaces_user_id: int | None
    replaces_name: str | None


class TeamOnDutyPublic(SQLModel):
    team: TeamRef
    at: datetime
    on_duty: list[DutyPublic]


class TierOnDutyPublic(SQLModel):
    position: int
    teams: list[TeamRef]
    on_duty: list[DutyPublic]


class PatientOnDutyPublic(SQLModel):
    patient_id: int
    at: datetime
    tiers: list[TierOnDutyPublic]
    first_tier_on_duty: int | None


class CoverageQuery(SQLModel):
    start: date | None = Field(default=None, description="first local day (Europe/Oslo); default today")
    days: int = Field(default=7, ge=1, le=42)
    team_id: int | None = Field(default=None, description="preview this team's draft as if published")


class Interval(SQLModel):
    starts_at: datetime
    ends_at: datetime


class NightGapPublic(SQLModel):
    """Evenings with the same uncovered local hours: "Wednesdays 22:00-08:00, 4 nights"."""

    weekdays: list[int] = Field(description="weekdays of the evenings (0 = Monday)")
    starts: time = Field(description="local (Europe/Oslo) start")
    ends: time = Field(description="local end; earlier than starts when it runs past midnight")
    nights: int
    first_evening: date
    last_evening: date


class PatientCoverage(SQLModel):
    patient_id: int
    display_name: str
    grid: str = Field(
        description="one letter per hour: c covered by the first tier, f a later tier covers, g nobody"
    )
    gaps: list[Interval]
    fallbacks: list[Interval]
    # The period's evenings and nights with nobody on duty, from now on, summarised.
    night_gaps: list[NightGapPublic]


class TeamCoverage(SQLModel):
    team: TeamRef
    grid: str = Field(description="one letter per hour: c covered, p partly, - nobody")


class CoveragePublic(SQLModel):
    starts_at: datetime
    ends_at: datetime
    hours: list[datetime]
    patients: list[PatientCoverage]
    teams: list[TeamCoverage]


class NightGapsQuery(SQLModel):
    weeks: int = Field(default=4, ge=1, le=6, description="how many weeks from now")


class PatientNightGaps(SQLModel):
    patient_id: int
    display_name: str
    gaps: list[NightGapPublic]


NIGHTS_AT_MOST = 42


class NightCoverageQuery(SQLModel):
    first: date | None = Field(
        default=None, alias="from", description="first evening (Europe/Oslo); default: this month's first"
    )
    last: date | None = Field(
        default=None, alias="to", description="last evening, included; default: the end of from's month"
    )

    @model_validator(mode="after")
    def _range(self) -> NightCoverageQuery:
        if self.first and self.last:
            if self.last < self.first:
                raise PydanticCustomError("range_reversed", "to: the range ends before it starts")
            if (self.last - self.first).days + 1 > NIGHTS_AT_MOST:
                raise PydanticCustomError(
                    "range_too_long", "to: at most {most} nights at a time", {"most": NIGHTS_AT_MOST}
                )
        return self


class TeamNightPublic(SQLModel):
    team_id: int
    covered: bool = Field(description="someone in the team on duty from 16:00 to 08:00")
    gap_minutes: int = Field(description="minutes of the night with nobody in the team on duty")


class NightCoveragePublic(SQLModel):
    evening: date = Field(description="the local date the night begins (16:00 Europe/Oslo)")
    starts_at: datetime
    ends_at: datetime
    minutes: int = Field(description="960, or 900 and 1020 over the daylight-saving changes")
    teams: list[TeamNightPublic] = Field(description="in the order of the report's teams")
    covered: bool = Field(description="every patient has someone on duty in some tier all night")
    gap_minutes: int = Field(description="minutes in which at least one patient has nobody on duty")
    patients_uncovered: int = Field(description="patients with nobody on duty at some moment of the night")


class CoverageByNightPublic(SQLModel):
    today: date = Field(description="the server's date in Europe/Oslo")
    first_evening: date
    last_evening: date
    teams: list[TeamRef] = Field(description="tier by tier: housing, municipality, DPS; then by name")
    nights: list[NightCoveragePublic]


class MyShiftPublic(SQLModel):
    team: TeamRef
    starts_at: datetime
    ends_at: datetime
    takes_over_from: list[str]
    starts_soon: bool
    on_duty_now: bool


class CalendarFeedPublic(SQLModel):
    url: str


class CalendarFeedStatus(SQLModel):
    active: bool
    created_at: datetime | None


class TeamShiftPublic(SQLModel):
    user_id: int
    display_name: str
    starts_at: datetime
    ends_at: datetime
