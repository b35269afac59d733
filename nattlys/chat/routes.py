"""/api/chat: the same actions as the socket events, over HTTP (the patient's
outbox retries here too), plus the supporter's inbox and the admin's gaps."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, g

from nattlys import clock
from nattlys.accounts.models import Role
from nattlys.api.endpoints import endpoint
from nattlys.chat import conversations, routing, sending, supporting, views
from nattlys.chat.inbox import inbox as inbox_of
from nattlys.chat.schemas import (
    ConversationPublic,
    GapPublic,
    HandoverIn,
    HandoverNoteIn,
    InboxItem,
    MessageIn,
    MessagePublic,
    ReadIn,
    SyncQuery,
)
from nattlys.db import get_db

bp = Blueprint("chat", __name__, url_prefix="/api/chat")


@bp.get("/conversation")
@endpoint(
    "My conversation (patients), with messages after after_id",
    tag="chat",
    query=SyncQuery,
    response=ConversationPublic,
    roles=(Role.patient,),
)
def my_conversation(query: SyncQuery) -> ConversationPublic:
    db = get_db()
    conv = conversations.conversation_for(db, patient_id=g.user.id, at=clock.now())
    return views.conversation_view(db, user=g.user, conv=conv, after_id=query.after_id, at=clock.now())


@bp.post("/messages")
@endpoint(
    "Send a message to whoever is on duty (patients); resends are stored once",
    tag="chat",
    body=MessageIn,
    response=MessagePublic,
    status=201,
    roles=(Role.patient,),
)
def patient_send(body: MessageIn) -> MessagePublic:
    return sending.send_from_patient(
        get_db(), patient=g.user, client_id=body.client_id, body=body.body, at=clock.now()
    )


@bp.get("/inbox")
@endpoint(
    "Conversations offered to me or held by me (supporters)",
    tag="chat",
    response=list[InboxItem],
    roles=(Role.supporter,),
)
def inbox() -> list[InboxItem]:
    return inbox_of(get_db(), supporter=g.user, at=clock.now())


@bp.get("/conversations/<int:conversation_id>")
@endpoint(
    "A conversation's messages (supporters on duty for the patient)",
    tag="chat",
    query=SyncQuery,
    response=ConversationPublic,
    roles=(Role.supporter,),
)
def conversation(conversation_id: int, query: SyncQuery) -> ConversationPublic:
    db = get_db()
    conv = conversations.get_conversation(db, conversation_id)
    return views.conversation_view(db, user=g.user, conv=conv, after_id=query.after_id, at=clock.now())


@bp.post("/conversations/<int:conversation_id>/messages")
@endpoint(
    "Answer in a conversation (supporters); answering an offer takes it",
    tag="chat",
    body=MessageIn,
    response=MessagePublic,
    status=201,
    roles=(Role.supporter,),
)
def supporter_send(conversation_id: int, body: MessageIn) -> MessagePublic:
    return sending.send_from_supporter(
        get_db(),
        supporter=g.user,
        conversation_id=conversation_id,
        client_id=body.client_id,
        body=body.body,
        at=clock.now(),
    )


@bp.post("/conversations/<int:conversation_id>/take")
@endpoint("Take a conversation offered to me", tag="chat", status=204, roles=(Role.supporter,), errors=(409,))
def take(conversation_id: int) -> None:
    supporting.take(get_db(), supporter=g.user, conversation_id=conversation_id, at=clock.now())


@bp.post("/conversations/<int:conversation_id>/handover")
@endpoint(
    "Hand over to a colleague or another tier, with a note",
    tag="chat",
    body=HandoverIn,
    status=204,
    roles=(Role.supporter,),
)
def handover(conversation_id: int, body: HandoverIn) -> None:
    supporting.handover(
        get_db(),
        supporter=g.user,
        conversation_id=conversation_id,
        to_user_id=body.to_user_id,
        to_tier=body.to_tier,
        note=body.note,
        at=clock.now(),
    )


@bp.put("/conversations/<int:conversation_id>/handover-note")
@endpoint(
    "Write the handover note for whoever takes over (the supporter holding the conversation)",
    tag="chat",
    body=HandoverNoteIn,
    status=204,
    roles=(Role.supporter,),
)
def handover_note(conversation_id: int, body: HandoverNoteIn) -> None:
    supporting.write_handover_note(
        get_db(), supporter=g.user, conversation_id=conversation_id, note=body.note, at=clock.now()
    )


@bp.post("/conversations/<int:conversation_id>/close")
@endpoint("Close a conversation I hold", tag="chat", status=204, roles=(Role.supporter,))
def close(conversation_id: int) -> None:
    supporting.close(get_db(), supporter=g.user, conversation_id=conversation_id, at=clock.now())


@bp.post("/conversations/<int:conversation_id>/read")
@endpoint("Mark messages as read", tag="chat", body=ReadIn, status=204, roles=(Role.supporter, Role.patient))
def read(conversation_id: int, body: ReadIn) -> None:
    supporting.mark_read(
        get_db(), user=g.user, conversation_id=conversation_id, upto_id=body.upto_id, at=clock.now()
    )


@bp.post("/conversations/<int:conversation_id>/delivered")
@endpoint(
    "Confirm that the patient's messages reached my screen (supporters)",
    tag="chat",
    body=ReadIn,
    status=204,
    roles=(Role.supporter,),
)
def delivered(conversation_id: int, body: ReadIn) -> None:
    supporting.mark_delivered(
        get_db(), user=g.user, conversation_id=conversation_id, upto_id=body.upto_id, at=clock.now()
    )


@bp.get("/gaps")
@endpoint(
    "Times when a patient wrote and nobody was on duty, or nobody answered (administrators)",
    tag="chat",
    response=list[GapPublic],
    roles=(Role.admin,),
)
def coverage_gaps() -> list[GapPublic]:
    since = clock.now() - timedelta(days=28)
    return [
        GapPublic(
            at=d.at, patient_id=d.patient_id, patient_name=p.display_name, action=d.action, reason=d.reason
        )
        for d, p in routing.gaps(get_db(), viewer=g.user, since=since)
    ]
