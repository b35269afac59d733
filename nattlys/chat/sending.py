"""Sending: the patient's message (stored once whatever her outbox resends,
routed when nobody holds the conversation) and the supporter's answer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, select

from nattlys import access
from nattlys.accounts.models import User
from nattlys.api.errors import ApiError, forbidden
from nattlys.audit import writer as audit
from nattlys.chat import deadlines
from nattlys.chat.conversations import (
    check_body,
    check_rate_limit,
    conversation_for,
    get_conversation,
    recipients_of,
    uncount,
)
from nattlys.chat.messages import message_public
from nattlys.chat.models import Conversation, ConversationState, Message
from nattlys.chat.routing import push_new_message, route
from nattlys.chat.schemas import ChatStatus, MessagePublic
from nattlys.chat.status import patient_status, status_inputs, tell_patient
from nattlys.chat.supporting import take_conversation
from nattlys.db import insert_once, stored_id, table_of
from nattlys.realtime.connections import notify_on_commit
from nattlys.realtime.presence import presence
from nattlys.rosters import duty

_MESSAGES = table_of(Message)
_CONVERSATIONS = table_of(Conversation)
# Every message runs these: built once.
_RESENT = select(_MESSAGES.c.id).where(
    _MESSAGES.c.conversation_id == bindparam("conversation_id"),
    _MESSAGES.c.sender_id == bindparam("sender_id"),
    _MESSAGES.c.client_id == bindparam("client_id"),
)
_MESSAGE_ADDED = (
    update(_CONVERSATIONS)
    .where(_CONVERSATIONS.c.id == bindparam("conversation_id"))
    .values(last_message_id=bindparam("message_id"), updated_at=bindparam("at"))
)


def _resent(db: Session, conv: Conversation, *, sender: User, client_id: str) -> Message | None:
    """The message this client already sent under `client_id` (its outbox resends)."""
    found = db.execute(
        _RESENT, {"conversation_id": conv.id, "sender_id": sender.id, "client_id": client_id}
    ).scalar()
    return None if found is None else db.get_one(Message, found)


def _count_against_flood_limit(
    db: Session, conv: Conversation, *, sender: User, client_id: str, at: datetime
) -> Message | None:
    """Count this send against the sender's flood limit, before anything is
    written. Past the limit, a resend of a message already stored is answered
    with it (returned here): her phone must not go on showing it as unsent."""
    try:
        check_rate_limit(sender, at)
    except ApiError:
        earlier = _resent(db, conv, sender=sender, client_id=client_id)
        if earlier is None:
            raise
        uncount(sender)
        return earlier
    return None


def _store_once(
    db: Session, conv: Conversation, *, sender: User, client_id: str, body: str, at: datetime
) -> tuple[Message, bool]:
    """The message, and whether it is new: one INSERT that skips a client id
    this sender already used in the conversation (her outbox resends; a resend
    is not counted against the flood limit), outside the unit of work: nothing
    else in this transaction changes the message."""
    message = Message(
        conversation_id=stored_id(conv),
        sender_id=sender.id,
        sender_role=sender.role,
        client_id=client_id,
        body=body,
        created_at=at,
    )
    unique = ("conversation_id", "sender_id", "client_id")
    stored_as = db.execute(
        insert_once(db, Message, unique=unique), message.model_dump(exclude={"id"})
    ).scalar()
    if stored_as is None:
        uncount(sender)
        earlier = _resent(db, conv, sender=sender, client_id=client_id)
        assert earlier is not None  # the INSERT met it
        return earlier, False
    message.id = stored_as
    return message, True


def _moved_on_by_patient(db: Session, conv: Conversation, message: Message, *, at: datetime) -> None:
    """Her new message moves the conversation on with one UPDATE outside the
    unit of work: a patient writing again while she waits changes nothing else
    in it, so the ORM has nothing left to flush."""
    db.execute(_MESSAGE_ADDED, {"conversation_id": conv.id, "message_id": message.id, "at": at})
    set_committed_value(conv, "last_message_id", message.id)
    set_committed_value(conv, "updated_at", at)


def send_from_patient(
    db: Session, *, patient: User, client_id: str, body: str, at: datetime
) -> MessagePublic:
    return _patient_sends(db, patient=patient, client_id=client_id, body=body, at=at)[0]


def send_from_patient_with_status(
    db: Session, *, patient: User, client_id: str, body: str, at: datetime
) -> tuple[MessagePublic, ChatStatus]:
    """The message and the patient's status after it, for the sending socket's
    acknowledgement: a chat:status event follows only when the message changed it."""
    public, conv = _patient_sends(db, patient=patient, client_id=client_id, body=body, at=at)
    return public, patient_status(db, conv, at=at)


def _patient_sends(
    db: Session, *, patient: User, client_id: str, body: str, at: datetime
) -> tuple[MessagePublic, Conversation]:
    text = check_body(body)
    conv = conversation_for(db, patient_id=patient.id, at=at, lock=True)
    if (
        earlier := _count_against_flood_limit(db, conv, sender=patient, client_id=client_id, at=at)
    ) is not None:
        return message_public(db, earlier), conv
    status_before = status_inputs(conv)
    message, new = _store_once(db, conv, sender=patient, client_id=client_id, body=text, at=at)
    if not new:
        return message_public(db, message), conv  # a resend: stored once, routed once
    _moved_on_by_patient(db, conv, message, at=at)
    public = message_public(db, message)
    audit.record(
        db,
        actor=patient,
        action="chat.write",
        object_type="message",
        object_id=message.id,
        patient_id=patient.id,
    )
    if conv.waiting_since is None:
        conv.waiting_since = at
    db.add(conv)
    if conv.state in (ConversationState.idle, ConversationState.unstaffed):
        route(
            db,
            conv,
            from_tier=0,
            at=at,
            action="offer",
            reason="patient wrote; nobody held the conversation",
            prefer_recent=True,
        )
    else:
        deadlines.patient_wrote_to_holder(db, conv, at=at)
        if status_inputs(conv) != status_before:
            tell_patient(db, conv, at)  # else the sending socket's acknowledgement carries it
    recipients = recipients_of(conv)
    notify_on_commit(
        "chat:message", public.model_dump(mode="json"), recipients | {stored_id(patient)}, skip_sender=True
    )
    # One row per recipient, in the message's own transaction: the emit reaches
    # every device in their rooms whether or not one acknowledges, so a row
    # written on a socket's ack would miss some of those who got it.
    audit.record_each(
        db,
        actor_ids=recipients,
        action="chat.deliver",
        object_type="message",
        object_id=message.id,
        patient_id=patient.id,
        known=duty.as_audited(db, recipients),
    )
    return public, conv


def send_from_supporter(
    db: Session, *, supporter: User, conversation_id: int, client_id: str, body: str, at: datetime
) -> MessagePublic:
    text = check_body(body)
    conv = get_conversation(db, conversation_id, lock=True)
    access.require_chat_action(db, supporter, conv, at=at)
    answering_offer = conv.state == ConversationState.offered and supporter.id in (conv.offered_to or [])
    if not answering_offer and conv.holder_id != supporter.id:
        raise forbidden("Take the conversation before answering.")
    if (
        earlier := _count_against_flood_limit(db, conv, sender=supporter, client_id=client_id, at=at)
    ) is not None:
        return message_public(db, earlier)
    if answering_offer:
        take_conversation(db, conv, supporter=supporter, at=at, reason="answered the offer")
    message, new = _store_once(db, conv, sender=supporter, client_id=client_id, body=text, at=at)
    public = message_public(db, message)
    if not new:
        return public
    # With the rest of her answer's changes to the conversation: one UPDATE.
    conv.last_message_id = stored_id(message)
    conv.updated_at = at
    conv.waiting_since = None
    deadlines.answered(conv)
    conv.last_supporter_id = supporter.id
    conv.read_upto_id = max(conv.read_upto_id, stored_id(message))
    conv.read_by_id = supporter.id
    db.add(conv)
    audit.record(
        db,
        actor=supporter,
        action="chat.write",
        object_type="message",
        object_id=message.id,
        patient_id=conv.patient_id,
        known=duty.as_audited(db, [supporter.id]),
    )
    notify_on_commit(
        "chat:message",
        public.model_dump(mode="json"),
        {conv.patient_id, stored_id(supporter)},
        skip_sender=True,
    )
    tell_patient(db, conv, at)
    if not presence().online([conv.patient_id]):
        push_new_message([conv.patient_id], conv=conv, for_patient=True)
    return public
