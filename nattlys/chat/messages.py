"""A message as its readers see it (with the supporter's name and the team
kind the patient knows them by), and the server's own lines in the chat."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Session

from nattlys.accounts.models import Role
from nattlys.chat.conversations import recipients_of
from nattlys.chat.models import SYSTEM_SENDER, Conversation, Message
from nattlys.chat.schemas import ChatNotice, MessagePublic
from nattlys.realtime.connections import notify_on_commit
from nattlys.rosters import duty


def message_public(
    db: Session, message: Message, names: dict[int, tuple[str, str | None]] | None = None
) -> MessagePublic:
    name = kind = None
    if message.sender_role == SYSTEM_SENDER:
        return _notice_public(db, message)
    if message.sender_id is not None and message.sender_role == Role.supporter:
        if names is not None and message.sender_id in names:
            name, kind = names[message.sender_id]
        else:
            conv = db.get(Conversation, message.conversation_id)
            name = duty.supporter_name(db, message.sender_id)
            kind = (
                duty.team_kind_of(db, supporter_id=message.sender_id, patient_id=conv.patient_id)
                if conv
                else None
            )
            if names is not None:
                names[message.sender_id] = (name or "", kind)
    return MessagePublic(
        id=message.id,
        conversation_id=message.conversation_id,
        client_id=message.client_id,
        body=message.body,
        sender_role=message.sender_role,
        sender_id=message.sender_id,
        sender_name=name,
        sender_team_kind=kind,
        created_at=message.created_at,
    )


def _notice_public(db: Session, message: Message) -> MessagePublic:
    notice = message.notice or {}
    conv = db.get(Conversation, message.conversation_id)
    to_id = notice.get("to_id")
    return MessagePublic(
        id=message.id,
        conversation_id=message.conversation_id,
        client_id=message.client_id,
        body="",
        sender_role=message.sender_role,
        sender_id=None,
        sender_name=None,
        sender_team_kind=None,
        created_at=message.created_at,
        notice=ChatNotice(
            code=str(notice.get("code", "")),
            from_name=duty.supporter_name(db, notice["from_id"]) if notice.get("from_id") else None,
            to_name=duty.supporter_name(db, to_id) if to_id else None,
            to_team_kind=duty.team_kind_of(db, supporter_id=to_id, patient_id=conv.patient_id)
            if to_id and conv
            else None,
            tier_kind=notice.get("tier_kind"),
        ),
    )


def tell_in_chat(db: Session, conv: Conversation, *, code: str, at: datetime, **names: Any) -> None:
    """A line from the server in the chat, to the patient and whoever holds or
    is offered the conversation. Not a message to answer: the read and
    delivered markers and the holder's clock stay where they are."""
    message = Message(
        conversation_id=conv.id,
        sender_id=None,
        sender_role=SYSTEM_SENDER,
        client_id=f"notice-{uuid.uuid4().hex}",
        body="",
        notice={"code": code, **names},
        created_at=at,
    )
    db.add(message)
    db.flush()
    public = message_public(db, message)
    notify_on_commit("chat:message", public.model_dump(mode="json"), recipients_of(conv) | {conv.patient_id})
