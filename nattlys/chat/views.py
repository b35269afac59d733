"""Reading a conversation: its messages after a point, and the whole view a
patient or a supporter loads (with what staff need to take over)."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from sqlmodel import Session, col, select

from nattlys import access
from nattlys.accounts.models import Role, User
from nattlys.api.errors import forbidden
from nattlys.audit import writer as audit
from nattlys.chat import continuity
from nattlys.chat.inbox import tonight_reason
from nattlys.chat.messages import message_public
from nattlys.chat.models import Conversation, Message
from nattlys.chat.schemas import ConversationPublic, MessagePublic, ShiftSummary, TonightReason
from nattlys.chat.status import patient_status
from nattlys.rosters import duty


class _StaffView(TypedDict, total=False):
    """The fields of ConversationPublic only staff get."""

    patient_name: str | None
    mine: bool
    offered_to_me: bool
    tier_position: int | None
    handover_note: str | None
    shift_summary: ShiftSummary | None
    note_requested_for: datetime | None
    tonight: TonightReason | None


def messages_after(
    db: Session, conv: Conversation, *, after_id: int, limit: int = 200
) -> list[MessagePublic]:
    rows = db.exec(
        select(Message)
        .where(Message.conversation_id == conv.id, col(Message.id) > after_id)
        .order_by(col(Message.id))
        .limit(limit)
    ).all()
    names: dict[int, tuple[str, str | None]] = {}
    return [message_public(db, m, names) for m in rows]


def conversation_view(
    db: Session, *, user: User, conv: Conversation, after_id: int, at: datetime
) -> ConversationPublic:
    if user.role != Role.patient:
        access.require_chat_action(db, user, conv, at=at, reading=True)
        audit.record(
            db,
            actor=user,
            action="chat.read",
            object_type="conversation",
            object_id=conv.id,
            patient_id=conv.patient_id,
            known=duty.as_audited(db, [user.id]),
        )
    elif conv.patient_id != user.id:
        raise forbidden()
    staff_view: _StaffView = {}
    if user.role != Role.patient:
        patient = db.get(User, conv.patient_id)
        staff_view = {
            "patient_name": patient.display_name if patient else None,
            "mine": conv.holder_id == user.id,
            "offered_to_me": user.id in (conv.offered_to or []),
            "tier_position": conv.tier_position,
            "handover_note": conv.handover_note,
            "shift_summary": continuity.summary_public(
                db, conv, viewer=user, name_of=lambda u: duty.supporter_name(db, u), at=at
            ),
            "note_requested_for": conv.note_requested_for if conv.holder_id == user.id else None,
            # On the first load only: later syncs fetch new messages, not the reason again.
            "tonight": tonight_reason(db, viewer=user, patient_id=conv.patient_id, at=at)
            if after_id == 0
            else None,
        }
    return ConversationPublic(
        id=conv.id,
        patient_id=conv.patient_id,
        state=conv.state,
        status=patient_status(db, conv, at=at),
        messages=messages_after(db, conv, after_id=after_id),
        **staff_view,
    )
