"""What a supporter does with a conversation: take it, hand it over, write
the handover note, close it, and say how far the patient's words reached
their screen (delivered) and were read."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from nattlys import access
from nattlys.accounts.models import Role, User
from nattlys.alerts import gaps as gap_log
from nattlys.api.errors import ApiError, forbidden
from nattlys.audit import writer as audit
from nattlys.chat import deadlines
from nattlys.chat.conversations import get_conversation
from nattlys.chat.messages import tell_in_chat
from nattlys.chat.models import Conversation, ConversationState
from nattlys.chat.routing import offer, record_decision, route
from nattlys.chat.status import status_inputs, tell_patient
from nattlys.realtime.connections import notify_on_commit
from nattlys.rosters import duty


def take_conversation(db: Session, conv: Conversation, *, supporter: User, at: datetime, reason: str) -> None:
    """The supporter holds the conversation now; the others it was offered to are told."""
    others = [s for s in (conv.offered_to or []) if s != supporter.id]
    conv.state = ConversationState.held
    conv.holder_id = supporter.id
    conv.last_supporter_id = supporter.id
    conv.escalate_at = None
    conv.wait_stage = None
    conv.offered_to = []
    conv.note_requested_for = None
    conv.updated_at = at
    db.add(conv)
    gap_log.close_gap(db, at=at, conversation_id=conv.id)
    summary = conv.shift_summary
    if summary and not summary.get("taken_by") and summary.get("from_id") != supporter.id:
        # The first one to take it after a shift change: both sides are told who did.
        conv.shift_summary = {**summary, "taken_by": supporter.id}
        tell_in_chat(db, conv, code="taken_over", at=at, from_id=summary.get("from_id"), to_id=supporter.id)
    if conv.waiting_since is not None and conv.last_message_id > conv.read_upto_id:
        # The patient is still waiting for an answer: the holder's clock runs.
        deadlines.patient_wrote_to_holder(db, conv, at=at)
    record_decision(
        db,
        conv,
        action="take",
        at=at,
        reason=reason,
        tier=conv.tier_position,
        supporters=[supporter.id],
        actor=supporter,
    )
    audit.record(
        db,
        actor=supporter,
        action="chat.take",
        object_type="conversation",
        object_id=conv.id,
        patient_id=conv.patient_id,
    )
    notify_on_commit("chat:taken", {"conversation_id": conv.id, "by": supporter.display_name}, others)
    tell_patient(db, conv, at)


def take(db: Session, *, supporter: User, conversation_id: int, at: datetime) -> Conversation:
    conv = get_conversation(db, conversation_id, lock=True)
    access.require_chat_action(db, supporter, conv, at=at)
    if conv.state == ConversationState.held and conv.holder_id == supporter.id:
        return conv
    if conv.state != ConversationState.offered or supporter.id not in (conv.offered_to or []):
        raise ApiError(409, "not_offered_to_you", "Someone else has this conversation, or it is not waiting.")
    take_conversation(db, conv, supporter=supporter, at=at, reason="took the offer")
    return conv


def handover(
    db: Session,
    *,
    supporter: User,
    conversation_id: int,
    to_user_id: int | None,
    to_tier: int | None,
    note: str,
    at: datetime,
) -> Conversation:
    conv = get_conversation(db, conversation_id, lock=True)
    access.require_chat_action(db, supporter, conv, at=at)
    if conv.holder_id != supporter.id:
        raise forbidden("Only the supporter holding the conversation can hand it over.")
    if (to_user_id is None) == (to_tier is None):
        raise ApiError(
            400,
            "invalid_input",
            "Hand over to one colleague or to one tier.",
            fields=[{"loc": ["to_user_id"], "type": "one_of", "message": "give to_user_id or to_tier"}],
        )
    conv.handover_note = note.strip() or None
    if to_user_id is not None:
        colleague = db.get(User, to_user_id)
        if colleague is None or colleague.role != Role.supporter or not colleague.is_active:
            raise ApiError(
                400,
                "invalid_input",
                "Choose an active supporter.",
                fields=[{"loc": ["to_user_id"], "type": "not_supporter", "message": str(to_user_id)}],
            )
        if not access.is_in_care_circle(db, supporter_id=to_user_id, patient_id=conv.patient_id):
            raise ApiError(
                400,
                "not_in_care_circle",
                "That colleague is not in this patient's care circle.",
                fields=[{"loc": ["to_user_id"], "type": "not_in_circle", "message": str(to_user_id)}],
            )
        if not duty.is_on_duty_for(db, supporter_id=to_user_id, patient_id=conv.patient_id, at=at):
            raise ApiError(
                400,
                "not_on_duty",
                "That colleague is not on duty for this patient now.",
                fields=[{"loc": ["to_user_id"], "type": "not_on_duty", "message": str(to_user_id)}],
            )
        offer(
            db,
            conv,
            tier=conv.tier_position or 0,
            supporters=[to_user_id],
            minutes=duty.tier_minutes(db, conv.patient_id, conv.tier_position),
            at=at,
        )
        record_decision(
            db,
            conv,
            action="handover",
            at=at,
            reason="handed to a colleague",
            supporters=[to_user_id],
            actor=supporter,
        )
        tell_patient(db, conv, at)
    else:
        route(db, conv, from_tier=to_tier or 0, at=at, action="handover", reason=f"handed to tier {to_tier}")
    audit.record(
        db,
        actor=supporter,
        action="chat.handover",
        object_type="conversation",
        object_id=conv.id,
        patient_id=conv.patient_id,
    )
    return conv


def write_handover_note(
    db: Session, *, supporter: User, conversation_id: int, note: str, at: datetime
) -> Conversation:
    """The holder's note for whoever takes over (kept until the conversation is
    closed or the next shift change carries it in its summary)."""
    conv = get_conversation(db, conversation_id, lock=True)
    access.require_chat_action(db, supporter, conv, at=at)
    if conv.holder_id != supporter.id:
        raise forbidden("Only the supporter holding the conversation can write its handover note.")
    conv.handover_note = note.strip() or None
    conv.updated_at = at
    db.add(conv)
    audit.record(
        db,
        actor=supporter,
        action="chat.handover_note",
        object_type="conversation",
        object_id=conv.id,
        patient_id=conv.patient_id,
    )
    return conv


def close(db: Session, *, supporter: User, conversation_id: int, at: datetime) -> Conversation:
    conv = get_conversation(db, conversation_id, lock=True)
    access.require_chat_action(db, supporter, conv, at=at)
    if conv.holder_id != supporter.id:
        raise forbidden("Only the supporter holding the conversation can close it.")
    conv.state = ConversationState.idle
    conv.holder_id = None
    conv.offered_to = []
    conv.escalate_at = None
    conv.wait_stage = None
    conv.waiting_since = None
    conv.handover_note = None
    conv.shift_summary = None
    conv.note_requested_for = None
    conv.updated_at = at
    db.add(conv)
    gap_log.close_gap(db, at=at, conversation_id=conv.id)
    record_decision(db, conv, action="close", at=at, reason="closed by the supporter", actor=supporter)
    audit.record(
        db,
        actor=supporter,
        action="chat.close",
        object_type="conversation",
        object_id=conv.id,
        patient_id=conv.patient_id,
    )
    tell_patient(db, conv, at)
    return conv


def mark_read(db: Session, *, user: User, conversation_id: int, upto_id: int, at: datetime) -> None:
    conv = get_conversation(db, conversation_id, lock=True)
    if user.role == Role.patient:
        if conv.patient_id != user.id:
            raise forbidden()
        conv.patient_read_upto_id = max(conv.patient_read_upto_id, min(upto_id, conv.last_message_id))
        db.add(conv)
        return
    access.require_chat_action(db, user, conv, at=at)
    if conv.holder_id != user.id:
        return  # only the one answering marks the patient's words as read
    status_before = status_inputs(conv)
    upto = min(upto_id, conv.last_message_id)
    if upto > conv.read_upto_id:
        _audit_marker(db, user, conv, action="chat.mark_read", upto=upto)
    conv.read_upto_id = max(conv.read_upto_id, upto)
    conv.read_by_id = user.id
    db.add(conv)
    if status_inputs(conv) != status_before:
        tell_patient(db, conv, at)  # a repeated mark changes nothing she sees


def mark_delivered(db: Session, *, user: User, conversation_id: int, upto_id: int, at: datetime) -> None:
    conv = get_conversation(db, conversation_id, lock=True)
    access.require_chat_action(db, user, conv, at=at)
    upto = min(upto_id, conv.last_message_id)
    if upto > conv.delivered_upto_id:
        _audit_marker(db, user, conv, action="chat.mark_delivered", upto=upto)
        conv.delivered_upto_id = upto
        db.add(conv)
        tell_patient(db, conv, at)


def _audit_marker(db: Session, user: User, conv: Conversation, *, action: str, upto: int) -> None:
    """A supporter's screen got (or showed) the patient's messages: only a
    marker that moves is recorded, so repeated acknowledgements add nothing."""
    audit.record(
        db,
        actor=user,
        action=action,
        object_type="conversation",
        object_id=conv.id,
        patient_id=conv.patient_id,
        details={"up_to_message": upto},
        known=duty.as_audited(db, [user.id]),
    )
