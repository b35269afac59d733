"""Next of kin (pårørende) the patient has chosen to include, and what she lets
them see and do. Nothing here exists without her: she invites, she changes
what is shared, she withdraws, and a withdrawn consent is kept (with its time)
so "who has seen my data" can still name the person."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from nattlys.db import UTCDateTime


class NextOfKinConsent(SQLModel, table=True):
    __tablename__ = "next_of_kin_consents"

    id: int = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    next_of_kin_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    # Crisis-plan section keys the next of kin may read; a subset of the plan's.
    sections: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # A red check-in sends them a push with no health content ("can you get in touch tonight?").
    notify_on_red: bool = Field(default=False)
    # They may send "I am worried about her tonight" to whoever is on duty.
    may_signal_worry: bool = Field(default=False)
    created_at: datetime = Field(sa_type=UTCDateTime)
    changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)


class WorrySignal(SQLModel, table=True):
    """One "I am worried about her tonight", and the alert it raised."""

    __tablename__ = "worry_signals"

    id: int = Field(default=None, primary_key=True)
    consent_id: int = Field(foreign_key="next_of_kin_consents.id", index=True, ondelete="CASCADE")
    alert_id: int | None = Field(default=None, foreign_key="checkin_alerts.id", ondelete="SET NULL")
    at: datetime = Field(sa_type=UTCDateTime, index=True)
