"""Rosters: rotations with local wall-clock shift rules, overrides, drafts.

Shifts are stored as local rules (weekdays, 20:00 to 08:00 next day, in a time
zone) and expanded on demand; nothing is stored as pre-computed UTC instants
that would drift across daylight-saving changes. Overrides are one-off periods
and are stored as the UTC instants the administrator meant.
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import Column, Date, String, Time, UniqueConstraint
from sqlmodel import Field, SQLModel

from nattlys.db import UTCDateTime


class RosterStatus(StrEnum):
    draft = "draft"
    published = "published"
    archived = "archived"


class OverrideKind(StrEnum):
    # Not named `replace`: that would hide str.replace on every member.
    replacement = "replace"  # user_id takes replaces_user_id's shifts in the period
    add = "add"  # user_id is on duty in the period, besides the roster
    remove = "remove"  # user_id is off duty in the period (sick, leave)


class OverrideReason(StrEnum):
    sickness = "sickness"
    leave = "leave"
    swap = "swap"
    holiday = "holiday"
    other = "other"


class RosterVersion(SQLModel, table=True):
    """A team's roster. Administrators edit a draft and publish it; the
    published version is what "on duty" reads."""

    __tablename__ = "roster_versions"

    id: int = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="teams.id", index=True, ondelete="CASCADE")
    status: str = Field(sa_type=String(16))
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    published_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")


class Rotation(SQLModel, table=True):
    """Supporters taking turns: each period (1 day, 1 week, n weeks) the next
    member covers every shift of the rotation."""

    __tablename__ = "rotations"

    id: int = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="roster_versions.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=80)
    timezone: str = Field(default="Europe/Oslo", max_length=64)
    start_date: date = Field(sa_column=Column(Date, nullable=False))
    period_days: int = Field(default=7)


class RotationMember(SQLModel, table=True):
    __tablename__ = "rotation_members"
    __table_args__ = (UniqueConstraint("rotation_id", "position"),)

    id: int = Field(default=None, primary_key=True)
    rotation_id: int = Field(foreign_key="rotations.id", index=True, ondelete="CASCADE")
    position: int
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")


class RotationShift(SQLModel, table=True):
    """A shift rule in local wall-clock time. `weekdays` is a bit mask,
    Monday = 1, Tuesday = 2, ... Sunday = 64, of the days the shift starts on."""

    __tablename__ = "rotation_shifts"

    id: int = Field(default=None, primary_key=True)
    rotation_id: int = Field(foreign_key="rotations.id", index=True, ondelete="CASCADE")
    weekdays: int
    start_time: time = Field(sa_column=Column(Time, nullable=False))
    end_time: time = Field(sa_column=Column(Time, nullable=False))
    ends_next_day: bool = Field(default=False)


class RosterOverride(SQLModel, table=True):
    __tablename__ = "roster_overrides"

    id: int = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="teams.id", index=True, ondelete="CASCADE")
    kind: str = Field(sa_type=String(16))
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    replaces_user_id: int | None = Field(default=None, foreign_key="users.id", ondelete="CASCADE")
    starts_at: datetime = Field(sa_type=UTCDateTime, index=True)
    ends_at: datetime = Field(sa_type=UTCDateTime, index=True)
    reason: str = Field(sa_type=String(16))
    note: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")


class RosterGeneration(SQLModel, table=True):
    """Bumped on every change that can alter who is on duty, so each server
    process knows when its in-memory roster snapshot is stale."""

    __tablename__ = "roster_generation"

    id: int = Field(default=1, primary_key=True)
    value: int = Field(default=0)


class CalendarFeed(SQLModel, table=True):
    """A supporter's private iCal feed of their own shifts. The token grants
    nothing but this feed; only its SHA-256 is stored."""

    __tablename__ = "calendar_feeds"

    id: int = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class HandoffNotice(SQLModel, table=True):
    """One row per shift a supporter was told about ahead of time, so a
    restarted or second scheduler never sends the notice twice."""

    __tablename__ = "handoff_notices"
    __table_args__ = (UniqueConstraint("user_id", "team_id", "shift_starts_at"),)

    id: int = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    team_id: int = Field(foreign_key="teams.id", ondelete="CASCADE")
    shift_starts_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime = Field(sa_type=UTCDateTime)
