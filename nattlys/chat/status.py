"""What the patient is told about her conversation: every status comes from
what the server actually did (held, offered, passed on, nobody on duty)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from nattlys.alerts.reach import reachability
from nattlys.chat import deadlines
from nattlys.chat.models import Conversation, ConversationState
from nattlys.chat.schemas import ChatStatus
from nattlys.realtime.connections import notify_on_commit
from nattlys.rosters import duty


def patient_status(db: Session, conv: Conversation, *, at: datetime) -> ChatStatus:
    base: dict[str, Any] = {
        "state": conv.state,
        "delivered_upto_id": conv.delivered_upto_id,
        "read_upto_id": conv.read_upto_id,
        "reachability": reachability(db, conv.patient_id, at),
        "waiting_seconds": int((at - conv.waiting_since).total_seconds()) if conv.waiting_since else None,
        "version": conv.status_version,
    }
    if conv.state == ConversationState.unstaffed:
        return ChatStatus(code="nobody_on_duty", **base)
    if conv.state == ConversationState.offered and conv.wait_stage == deadlines.CEILING:
        return ChatStatus(code="nobody_reachable", **base)
    if conv.state == ConversationState.held and conv.holder_id:
        holder_name = duty.supporter_name(db, conv.holder_id)
        kind = duty.team_kind_of(db, supporter_id=conv.holder_id, patient_id=conv.patient_id)
        code = (
            "read"
            if conv.read_upto_id >= conv.last_message_id and conv.read_by_id == conv.holder_id
            else "answering"
        )
        return ChatStatus(
            code=code,
            supporter_name=holder_name,
            supporter_team_kind=kind,
            **base,
        )
    if conv.state == ConversationState.offered:
        tier_kind = duty.tier_kind(db, conv.patient_id, conv.tier_position)
        wait = int((conv.escalate_at - at).total_seconds()) if conv.escalate_at else None
        if conv.wait_stage == deadlines.TRYING_OTHERS:
            code = "trying_others"
        elif conv.tier_position and conv.wait_stage != deadlines.PREFERRED:
            code = "passed_on"
        elif conv.delivered_upto_id >= conv.last_message_id:
            code = "delivered"
        else:
            code = "sent"
        return ChatStatus(
            code=code,
            tier_kind=tier_kind,
            expected_wait_seconds=max(0, wait) if wait is not None else None,
            **base,
        )
    return ChatStatus(code="sent" if conv.last_message_id else "idle", **base)


def status_inputs(conv: Conversation) -> tuple[Any, ...]:
    """What `patient_status` is made of, but the clock (waits count from stored
    instants, and reachability does not move with a message): the same before
    and after a change, the status the patient's devices show still holds."""
    return (
        conv.state,
        conv.holder_id,
        conv.tier_position,
        conv.wait_stage,
        conv.waiting_since,
        conv.escalate_at,
        conv.delivered_upto_id,
        conv.read_upto_id,
        conv.read_by_id,
        conv.delivered_upto_id >= conv.last_message_id,
        conv.read_upto_id >= conv.last_message_id,
    )


def tell_patient(db: Session, conv: Conversation, at: datetime) -> None:
    """Her devices get the status as it is now (after commit). Its version is
    raised by the database itself, so two processes telling her in turn number
    their statuses in the order they commit."""
    conv.status_version = Conversation.status_version + 1
    db.add(conv)
    db.flush()
    status = patient_status(db, conv, at=at)
    notify_on_commit(
        "chat:status", {"conversation_id": conv.id, **status.model_dump(mode="json")}, [conv.patient_id]
    )
