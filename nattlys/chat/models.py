"""One conversation per patient, its messages, and every routing decision."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, FetchedValue, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from nattlys.crypto.columns import EncryptedJSON, EncryptedText
from nattlys.db import UTCDateTime

# The sender_role of a line the server wrote in the chat (a shift change).
SYSTEM_SENDER = "system"


class ConversationState(StrEnum):
    idle = "idle"  # nobody needs to answer
    offered = "offered"  # waiting for a supporter of the current tier to take it
    held = "held"  # a supporter is answering
    unstaffed = "unstaffed"  # nobody on duty in any tier; re-checked every tick


class Conversation(SQLModel, table=True):
    __tablename__ = "conversations"
    # The status version the database raised comes back with the UPDATE
    # (RETURNING) instead of a SELECT after it.
    __mapper_args__ = {"eager_defaults": True}

    id: int = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="users.id", unique=True)
    state: str = Field(default=ConversationState.idle, sa_type=String(16), index=True)
    holder_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    tier_position: int | None = None
    # Supporter ids the conversation is offered to now (JSON list).
    offered_to: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    offered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    escalate_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    handover_note: str | None = Field(default=None, sa_column=Column(EncryptedText, nullable=True))
    # What the last shift change left for the next supporter (nattlys/chat/continuity.py):
    # replaced at each shift change, never appended to.
    shift_summary: dict[str, Any] | None = Field(default=None, sa_column=Column(EncryptedJSON, nullable=True))
    # The end of the holder's shift they were asked to write a handover note before.
    note_requested_for: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_supporter_id: int | None = Field(default=None, foreign_key="users.id")
    last_message_id: int = Field(default=0)
    delivered_upto_id: int = Field(default=0)
    read_upto_id: int = Field(default=0)
    read_by_id: int | None = Field(default=None, foreign_key="users.id")
    patient_read_upto_id: int = Field(default=0)
    waiting_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # None, or how far the wait has gone (nattlys/chat/deadlines.py): preferred
    # (offered to the last supporter alone) | nudged (the holder was reminded) |
    # trying_others | ceiling (every tier tried).
    wait_stage: str | None = Field(default=None, sa_type=String(16))
    # Raised in the database (under the row's lock) each time the patient is
    # told a new status: see ChatStatus.version.
    status_version: int = Field(default=0, sa_column_kwargs={"server_onupdate": FetchedValue()})
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class Message(SQLModel, table=True):
    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("conversation_id", "sender_id", "client_id"),)

    id: int = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversations.id", index=True)
    sender_id: int | None = Field(default=None, foreign_key="users.id")
    sender_role: str = Field(sa_type=String(16))
    # Chosen by the sending device, so a resend after a lost ack is stored once.
    client_id: str = Field(max_length=64)
    body: str = Field(sa_column=Column(EncryptedText, nullable=False))
    # A line the server wrote (sender_role "system"): a code and the people it
    # names, put into words in the reader's language by the app.
    notice: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime = Field(sa_type=UTCDateTime)


class RoutingDecision(SQLModel, table=True):
    """Why the conversation went where it went, for review."""

    __tablename__ = "routing_decisions"

    id: int = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversations.id", index=True)
    patient_id: int = Field(foreign_key="users.id", index=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    action: str = Field(max_length=32)
    tier_position: int | None = None
    supporter_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    actor_id: int | None = Field(default=None, foreign_key="users.id")
    reason: str = Field(max_length=300)
