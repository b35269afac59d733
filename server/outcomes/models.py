"""What happened after a night: recorded by a supporter in the patient's circle,
so the figures can count legevakt visits and admissions."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import String, UniqueConstraint
from sqlmodel import Field, SQLModel

from server.db import UTCDateTime


class NightOutcomeKind(StrEnum):
    nothing = "nothing"
    legevakt = "legevakt"
    admission = "admission"
    police = "police"


class NightOutcome(SQLModel, table=True):
    __tablename__ = "night_outcomes"
    __table_args__ = (UniqueConstraint("patient_id", "night"),)

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    # The evening's local date (a night from 20:00 on 3 March to the morning after is 3 March).
    night: date = Field(index=True)
    outcome: str = Field(sa_type=String(16))  # type: ignore[call-overload]
    recorded_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    recorded_at: datetime = Field(sa_type=UTCDateTime)  # type: ignore[call-overload]


def _figure_indexes() -> None:
    """Indexes the outcome figures' SQL needs on other areas' event tables,
    declared here so the figures own them (migration 0010_outcomes)."""
    from sqlalchemy import Index

    from server.alerts.models import CareGap
    from server.chat.models import Message, RoutingDecision
    from server.checkins.models import ReminderSent

    def table(model: type[SQLModel]) -> Any:
        return model.__table__  # type: ignore[attr-defined]

    messages, decisions = table(Message), table(RoutingDecision)
    Index("ix_messages_figures", messages.c.conversation_id, messages.c.sender_role, messages.c.id)
    Index("ix_routing_decisions_figures", decisions.c.conversation_id, decisions.c.at)
    Index("ix_care_gaps_figures", table(CareGap).c.kind, table(CareGap).c.started_at)
    Index("ix_checkin_reminders_figures", table(ReminderSent).c.step, table(ReminderSent).c.local_date)


_figure_indexes()
