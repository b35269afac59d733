"""What happened after a night: recorded by a supporter in the patient's circle,
so the figures can count legevakt visits and admissions."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import String, UniqueConstraint
from sqlmodel import Field, SQLModel

from nattlys.alerts.models import CareGap
from nattlys.chat.models import Message, RoutingDecision
from nattlys.checkins.models import Checkin, ReminderSent
from nattlys.db import UTCDateTime, table_of


class NightOutcomeKind(StrEnum):
    nothing = "nothing"
    legevakt = "legevakt"
    admission = "admission"
    police = "police"


class NightOutcome(SQLModel, table=True):
    __tablename__ = "night_outcomes"
    __table_args__ = (UniqueConstraint("patient_id", "night"),)

    id: int = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    # The evening's local date (a night from 20:00 on 3 March to the morning after is 3 March).
    night: date = Field(index=True)
    outcome: str = Field(sa_type=String(16))
    recorded_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    recorded_at: datetime = Field(sa_type=UTCDateTime)


def _figure_indexes() -> None:
    """Indexes the outcome figures' SQL needs on other areas' event tables,
    declared here so the figures own them (migration 0015_outcomes)."""
    from sqlalchemy import Index

    def table(model: type[SQLModel]) -> Any:
        return table_of(model)

    # Covering: the figures read these columns from the index alone, never the
    # wide rows (encrypted message bodies, check-in notes).
    messages, decisions, reminders = table(Message), table(RoutingDecision), table(ReminderSent)
    checkins, gaps = table(Checkin), table(CareGap)
    m, r, c = messages.c, reminders.c, checkins.c
    Index("ix_messages_figures", m.conversation_id, m.id, m.sender_role, m.created_at)
    Index(
        "ix_routing_decisions_figures",
        decisions.c.conversation_id,
        decisions.c.at,
        decisions.c.id,
        decisions.c.tier_position,
    )
    Index("ix_checkins_figures", c.created_at, c.patient_id, c.level)
    Index("ix_care_gaps_figures", gaps.c.kind, gaps.c.started_at)
    Index("ix_checkin_reminders_figures", r.step, r.local_date, r.patient_id, r.outcome)


_figure_indexes()
