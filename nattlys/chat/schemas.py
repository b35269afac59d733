"""What chat clients send and receive."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from nattlys.alerts.schemas import Reachability

MAX_MESSAGE_LENGTH = 4000


class MessageIn(SQLModel):
    client_id: str = Field(min_length=8, max_length=64, regex=r"^[A-Za-z0-9_-]+$")
    body: str = Field(min_length=1, max_length=MAX_MESSAGE_LENGTH * 2)


class ChatNotice(SQLModel):
    """A line the server wrote in the chat, as a code the app puts into words:
    shift_ended_offered | shift_ended_nobody | taken_over."""

    code: str
    from_name: str | None = None
    to_name: str | None = None
    to_team_kind: str | None = None
    tier_kind: str | None = None


class MessagePublic(SQLModel):
    id: int
    conversation_id: int
    client_id: str
    body: str
    sender_role: str
    sender_id: int | None
    sender_name: str | None
    sender_team_kind: str | None
    created_at: datetime
    notice: ChatNotice | None = None


class ChatStatus(SQLModel):
    """What the patient is told, as codes the PWA turns into plain Norwegian."""

    state: str  # idle | offered | held | unstaffed
    # sent | delivered | passed_on | read | answering | nobody_on_duty |
    # trying_others (the holder went quiet) | nobody_reachable (every tier tried)
    code: str
    tier_kind: str | None = None
    supporter_name: str | None = None
    supporter_team_kind: str | None = None
    expected_wait_seconds: int | None = None
    delivered_upto_id: int = 0
    read_upto_id: int = 0
    # Who can answer now (team kinds), when someone is next on duty, the circle's own number.
    reachability: Reachability | None = None
    waiting_seconds: int | None = None
    # Raised with every status change, in commit order: a device shows a status
    # only if it is not older than the one it shows (events from two processes
    # may arrive out of order).
    version: int = 0


class TonightReason(SQLModel):
    """Why this conversation may be urgent: tonight's check-in, for whoever holds or is offered it."""

    level: str
    reasons: list[str]  # rule codes, as on tonight's list
    at: datetime
    wants_contact: bool


class ShiftSummary(SQLModel):
    """What the last shift change left for the next supporter (replaced at
    each shift change). The level only for those who may see check-ins now."""

    from_name: str | None
    at: datetime
    level: str | None = None
    waiting_minutes: int | None = None
    unanswered: int = 0
    note: str | None = None


class ConversationPublic(SQLModel):
    id: int
    patient_id: int
    state: str
    status: ChatStatus
    messages: list[MessagePublic]
    # For supporters only: who the patient is and where the conversation stands for me.
    patient_name: str | None = None
    mine: bool | None = None
    offered_to_me: bool | None = None
    tier_position: int | None = None
    handover_note: str | None = None
    shift_summary: ShiftSummary | None = None
    # For the holder: the end of the shift they are asked to write a handover note before.
    note_requested_for: datetime | None = None
    tonight: TonightReason | None = None


class InboxItem(SQLModel):
    conversation_id: int
    patient_id: int
    patient_name: str
    state: str
    mine: bool  # held by me (else offered to me)
    tier_position: int | None
    waiting_since: datetime | None
    waiting_seconds: int | None
    handover_note: str | None
    shift_summary: ShiftSummary | None = None
    last_message_id: int
    read_upto_id: int
    # The patient's most recent check-in (level only), to see who may need most.
    latest_checkin_level: str | None = None
    latest_checkin_at: datetime | None = None
    # That level when the check-in is from the last 12 hours by the server's
    # clock: what ranks and marks the conversation.
    tonight_level: str | None = None


class SyncQuery(SQLModel):
    after_id: int = Field(default=0, ge=0)
    limit: int = Field(default=200, ge=1, le=500)


class HandoverIn(SQLModel):
    to_user_id: int | None = None
    to_tier: int | None = Field(default=None, ge=0, le=10)
    note: str = Field(default="", max_length=1000)


class HandoverNoteIn(SQLModel):
    note: str = Field(default="", max_length=1000)


class ReadIn(SQLModel):
    upto_id: int = Field(ge=0)


class GapPublic(SQLModel):
    at: datetime
    patient_id: int
    patient_name: str
    action: str
    reason: str
