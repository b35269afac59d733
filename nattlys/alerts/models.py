"""The gap log: each time a patient was alone (nobody on duty) or waited
without an answer, with what the patient was shown."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from nattlys.db import UTCDateTime


class GapKind:
    chat_alone = "chat_alone"  # wrote while nobody was on duty
    chat_unanswered = "chat_unanswered"  # every tier tried, nobody took the chat
    red_alone = "red_alone"  # a red check-in while nobody was on duty
    missed_alone = "missed_alone"  # a missed check-in to tell, nobody on duty
    worry_alone = "worry_alone"  # a next of kin's worry, nobody on duty
    alert_unanswered = "alert_unanswered"  # every tier tried, nobody acknowledged


class CareGap(SQLModel, table=True):
    __tablename__ = "care_gaps"

    id: int = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    kind: str = Field(sa_type=String(24))
    started_at: datetime = Field(sa_type=UTCDateTime, index=True)
    # Set when a person took it (or someone came on duty and took it).
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # What the patient's screen said (a status code the admin view words).
    shown: str = Field(max_length=32)
    conversation_id: int | None = Field(default=None, foreign_key="conversations.id", ondelete="SET NULL")
    alert_id: int | None = Field(default=None, foreign_key="checkin_alerts.id", ondelete="SET NULL")
    # How many times everyone on duty was offered it again.
    reoffers: int = Field(default=0)
