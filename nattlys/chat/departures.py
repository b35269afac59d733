"""A supporter who leaves a team (or a patient's circle) loses the patient's
open chat at once, in the same unit of work as the change: the chat's routing
routes it again to whoever is on duty now, so the patient's next message never
goes to someone who is no longer there. Care circles send the signal
(care_circles.services.supporters_left); chat connects it in its init_app."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from nattlys.chat import routing
from nattlys.chat.conversations import get_conversation
from nattlys.chat.models import Conversation, ConversationState
from nattlys.rosters import duty


def _involved(conv: Conversation) -> set[int]:
    if conv.state == ConversationState.held and conv.holder_id is not None:
        return {conv.holder_id}
    return set(conv.offered_to or [])


def release_chats(
    db: Session,
    *,
    at: datetime,
    reason: str,
    supporter_ids: set[int] | None = None,
    patient_id: int | None = None,
) -> int:
    """Route again every open conversation (of these supporters, or of this
    patient) whose holder, or everyone it is offered to, is no longer on duty
    for the patient. Call after the change is flushed. Returns how many moved."""
    stmt = select(Conversation.id).where(
        col(Conversation.state).in_([ConversationState.offered, ConversationState.held])
    )
    if patient_id is not None:
        stmt = stmt.where(Conversation.patient_id == patient_id)
    moved = 0
    for conversation_id in db.exec(stmt.order_by(col(Conversation.id))).all():
        assert conversation_id is not None  # a primary key
        conv = get_conversation(db, conversation_id, lock=True)
        involved = _involved(conv)
        if supporter_ids is not None and not involved & supporter_ids:
            continue
        staying = {
            s for s in involved if duty.is_on_duty_for(db, supporter_id=s, patient_id=conv.patient_id, at=at)
        }
        if conv.state == ConversationState.held and staying:
            continue
        if conv.state == ConversationState.offered and staying == involved:
            continue
        tier, deadline = conv.tier_position or 0, conv.escalate_at
        from_tier = 0 if conv.state == ConversationState.held else routing.retry_from(conv)
        routing.route(db, conv, from_tier=from_tier, at=at, action="reroute", reason=reason)
        if deadline is not None and conv.escalate_at is not None and conv.tier_position == tier:
            # Taking one person off an offer must not make the patient wait longer.
            conv.escalate_at = min(conv.escalate_at, deadline)
        moved += 1
    return moved
