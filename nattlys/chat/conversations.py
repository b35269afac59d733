"""A patient's conversation: finding or starting it, checking what is written
into it, the flood limit, who is on it now, and telling their devices live.

The chat's modules build on each other in this order, never back:
conversations, messages and status; routing; supporting; sending; views and
tick. Deadlines are stored on the conversation and `tick` (run by the one
scheduler) escalates what is due, so timers survive restarts. Events are
emitted only after commit.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from nattlys.accounts.models import User
from nattlys.accounts.throttle import flood_hit, flood_release
from nattlys.api.errors import ApiError, not_found
from nattlys.chat.models import Conversation, ConversationState
from nattlys.chat.schemas import MAX_MESSAGE_LENGTH


def recipients_of(conv: Conversation) -> set[int]:
    """The supporters a new message goes to: the holder, or those offered it."""
    if conv.state == ConversationState.held and conv.holder_id:
        return {conv.holder_id}
    if conv.state == ConversationState.offered:
        return set(conv.offered_to or [])
    return set()


def check_body(body: str) -> str:
    text = body.strip()
    if not text:
        raise ApiError(400, "empty_message", "The message is empty.")
    if len(text) > MAX_MESSAGE_LENGTH:
        message = f"A message can have at most {MAX_MESSAGE_LENGTH} characters."
        raise ApiError(
            400,
            "message_too_long",
            message,
            fields=[{"loc": ["body"], "type": "string_too_long", "message": message}],
        )
    return text


def _flood_key(user: User) -> str:
    return f"chat:user:{user.id}"


def check_rate_limit(user: User, at: datetime) -> None:
    """Count a send against the sender's flood limit, before anything is written."""
    count, started = flood_hit(_flood_key(user), at=at, window=timedelta(minutes=1))
    if count > current_app.config["CHAT_MESSAGES_PER_MINUTE"]:
        retry = max(1, int((started + timedelta(minutes=1) - at).total_seconds()))
        raise ApiError(
            429, "rate_limited", "Too many messages in a short time.", headers={"Retry-After": str(retry)}
        )


def uncount(user: User) -> None:
    """A send counted by check_rate_limit that was a resend: it is not counted."""
    flood_release(_flood_key(user))


# Every message reads its conversation: these are built once.
_BY_PATIENT = select(Conversation).where(Conversation.patient_id == bindparam("patient_id"))
_BY_PATIENT_LOCKED = _BY_PATIENT.with_for_update()
_BY_ID = select(Conversation).where(Conversation.id == bindparam("conversation_id"))
_BY_ID_LOCKED = _BY_ID.with_for_update()


def conversation_for(db: Session, *, patient_id: int, at: datetime, lock: bool = False) -> Conversation:
    stmt, params = (_BY_PATIENT_LOCKED if lock else _BY_PATIENT), {"patient_id": patient_id}
    conv = db.exec(stmt, params=params).first()
    if conv is None:
        conv = Conversation(patient_id=patient_id, created_at=at, updated_at=at, offered_to=[])
        db.add(conv)
        try:
            with db.begin_nested():
                db.flush()
        except IntegrityError:
            conv = db.exec(stmt, params=params).one()
    return conv


def get_conversation(db: Session, conversation_id: int, *, lock: bool = False) -> Conversation:
    stmt = _BY_ID_LOCKED if lock else _BY_ID
    conv = db.exec(stmt, params={"conversation_id": conversation_id}).first()
    if conv is None:
        raise not_found("No such conversation.")
    return conv
