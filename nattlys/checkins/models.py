"""Check-in schedules, check-ins, the record of every reminder step, alerts to
the on-duty supporters, and discharge follow-up periods."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import JSON, Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from nattlys.crypto.columns import EncryptedJSON, EncryptedText
from nattlys.db import UTCDateTime

ALL_WEEKDAYS = 0b1111111  # bit 0 = Monday


class AfterMissed(StrEnum):
    """What the patient chose should happen when a check-in stays undone after
    the one gentle reminder."""

    nothing = "nothing"
    tell_on_duty = "tell_on_duty"


class SlotKind(StrEnum):
    evening = "evening"
    night = "night"


class ReminderStep(StrEnum):
    reminder = "reminder"  # at the chosen time
    gentle = "gentle"  # one gentle reminder if still not done
    missed = "missed"  # after that: what the patient chose (nothing | tell on duty)


class CheckinSchedule(SQLModel, table=True):
    __tablename__ = "checkin_schedules"

    patient_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    enabled: bool = Field(default=True)
    timezone: str = Field(default="Europe/Oslo", max_length=64)
    evening_time: time = Field(default=time(20, 0))
    night_time: time | None = Field(default=None)
    weekdays: int = Field(default=ALL_WEEKDAYS)
    quiet_start: time | None = Field(default=None)
    quiet_end: time | None = Field(default=None)
    after_missed: str = Field(default=AfterMissed.nothing, sa_type=String(16))
    updated_at: datetime = Field(sa_type=UTCDateTime)
    updated_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")


class Checkin(SQLModel, table=True):
    __tablename__ = "checkins"
    __table_args__ = (UniqueConstraint("patient_id", "idempotency_key"),)

    id: int = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    # Chosen by the device, so a resend after a lost answer is stored once.
    idempotency_key: str = Field(max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)
    pressure: int
    mood: int
    sleep: str = Field(sa_type=String(8))
    # The texts of the plan's warning signs ticked, as they read that day.
    warning_signs: list[str] = Field(default_factory=list, sa_column=Column(EncryptedJSON, nullable=False))
    self_harm_urge: str = Field(sa_type=String(8))
    suicidal_thoughts: str = Field(sa_type=String(8))
    wants_contact: bool = Field(default=False)
    note: str | None = Field(default=None, sa_column=Column(EncryptedText, nullable=True))
    level: str = Field(sa_type=String(8), index=True)
    # Which rules of nattlys/checkins/levels.py matched (codes).
    reasons: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    conversation_id: int | None = Field(default=None, foreign_key="conversations.id", ondelete="SET NULL")


class ReminderSent(SQLModel, table=True):
    """One row per reminder step actually taken. The unique key is what makes
    the reminder job idempotent across restarts and processes."""

    __tablename__ = "checkin_reminders"
    __table_args__ = (UniqueConstraint("patient_id", "local_date", "kind", "step"),)

    id: int = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    local_date: date
    kind: str = Field(sa_type=String(8))
    step: str = Field(sa_type=String(8))
    due_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime = Field(sa_type=UTCDateTime, index=True)
    # pushing (recorded, send not yet confirmed) | pushed | in_app | quiet | done
    # | told_on_duty | no_one_on_duty | not_chosen
    outcome: str = Field(max_length=24)


class CheckinAlert(SQLModel, table=True):
    """Every alert to the on-duty supporters (a red check-in, a missed check-in
    the patient wanted told), and every time nobody was on duty to tell."""

    __tablename__ = "checkin_alerts"

    id: int = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    checkin_id: int | None = Field(default=None, foreign_key="checkins.id", ondelete="CASCADE")
    reason: str = Field(max_length=16)  # red | missed
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    outcome: str = Field(max_length=16)  # alerted | no_one_on_duty | in_chat (first routing)
    tier_position: int | None = None
    supporter_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Where it stands now (nattlys/alerts/escalation.py): offered | preferred (to
    # the supporter the patient last talked to, alone) | acknowledged |
    # ceiling (every tier tried, re-offered to all on duty) | no_one_on_duty |
    # in_chat (a contact request: the chat's offer carries it) | expired
    state: str = Field(default="offered", sa_type=String(16), index=True)
    escalate_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    acknowledged_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    conversation_id: int | None = Field(default=None, foreign_key="conversations.id", ondelete="SET NULL")
    # Tiers whose supporters had no device to receive it (no socket, no push).
    undelivered_tiers: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    reoffers: int = Field(default=0)
    # Raised in the database each time the patient is told a new status (AlertStatus.version).
    status_version: int = Field(default=0)


class Discharge(SQLModel, table=True):
    """A discharge from an acute admission: 14 days of daily check-ins, and the
    patient on the on-duty supporters' "recently discharged" list until someone
    records contact."""

    __tablename__ = "discharges"

    id: int = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    discharge_date: date = Field(index=True)
    recorded_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    recorded_at: datetime = Field(sa_type=UTCDateTime)
    contact_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    contact_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
