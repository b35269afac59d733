"""Socket.IO events for the chat. Thin: each re-authenticates the session,
asks the access module through the chat's modules, runs one unit of work, and answers
through the acknowledgement callback ({"ok": ...} or {"error": code})."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask_socketio import disconnect
from pydantic import BaseModel, ValidationError

from nattlys import access, clock
from nattlys.accounts.models import Role, User
from nattlys.api.errors import ApiError, check_storable_text
from nattlys.chat import conversations, sending, supporting, views
from nattlys.chat.schemas import HandoverIn, MessageIn, ReadIn
from nattlys.db import get_db, unit_of_work
from nattlys.realtime.connections import authenticate_socket, socketio, user_room

log = logging.getLogger(__name__)


class ConversationRef(BaseModel):
    conversation_id: int | None = None


class SendIn(MessageIn):
    conversation_id: int | None = None


class SyncIn(ConversationRef):
    after_id: int = 0


class MarkIn(ReadIn):
    conversation_id: int | None = None


class HandoverEventIn(HandoverIn):
    conversation_id: int


def _error(code: str, message: str, retry_after: str | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"error": code, "message": message}
    if retry_after is not None:
        answer["retry_after"] = int(retry_after)
    return answer


def chat_event(name: str, schema: type[BaseModel] | None = None) -> Callable[[Callable[..., Any]], Any]:
    def decorate(handler: Callable[..., Any]) -> Any:
        @wraps(handler)
        def wrapper(data: Any = None) -> dict[str, Any]:
            try:
                user = authenticate_socket()
            except Exception:
                # The database did not answer: an answer the outbox retries,
                # not silence until the client's timeout.
                with contextlib.suppress(Exception):
                    get_db().rollback()
                log.exception("chat event failed", extra={"event": name})
                return _error("internal_error", "Something went wrong on our side.")
            if user is None:
                disconnect()
                return _error("unauthorized", "Please log in again.")
            payload: Any = None
            if schema is not None:
                try:
                    check_storable_text(data)
                    payload = schema.model_validate(data if isinstance(data, dict) else {})
                except (ApiError, ValidationError):
                    return _error("invalid_input", "The event's data is not valid.")
            try:
                with unit_of_work(get_db()):
                    result = handler(user, payload)
            except ApiError as err:
                return _error(err.code, err.message, err.headers.get("Retry-After"))
            except Exception:
                log.exception("chat event failed", extra={"event": name})
                return _error("internal_error", "Something went wrong on our side.")
            return {"ok": result}

        socketio.on_event(name, wrapper)
        return wrapper

    return decorate


def _conversation_of(user: User, conversation_id: int | None) -> Any:
    db = get_db()
    if user.role == Role.patient:
        return conversations.conversation_for(db, patient_id=user.id, at=clock.now())
    if conversation_id is None:
        raise ApiError(400, "invalid_input", "Say which conversation.")
    return conversations.get_conversation(db, conversation_id)


@chat_event("chat:send", SendIn)
def on_send(user: User, data: SendIn) -> Any:
    db = get_db()
    if user.role == Role.patient:
        message, status = sending.send_from_patient_with_status(
            db, patient=user, client_id=data.client_id, body=data.body, at=clock.now()
        )
        return {
            **message.model_dump(mode="json"),
            "status": {"conversation_id": message.conversation_id, **status.model_dump(mode="json")},
        }
    if user.role != Role.supporter or data.conversation_id is None:
        raise ApiError(403, "forbidden", "You cannot write here.")
    message = sending.send_from_supporter(
        db,
        supporter=user,
        conversation_id=data.conversation_id,
        client_id=data.client_id,
        body=data.body,
        at=clock.now(),
    )
    return message.model_dump(mode="json")


@chat_event("chat:sync", SyncIn)
def on_sync(user: User, data: SyncIn) -> Any:
    conv = _conversation_of(user, data.conversation_id)
    view = views.conversation_view(get_db(), user=user, conv=conv, after_id=data.after_id, at=clock.now())
    return view.model_dump(mode="json")


@chat_event("chat:read", MarkIn)
def on_read(user: User, data: MarkIn) -> Any:
    conv = _conversation_of(user, data.conversation_id)
    supporting.mark_read(get_db(), user=user, conversation_id=conv.id, upto_id=data.upto_id, at=clock.now())
    return True


@chat_event("chat:delivered", MarkIn)
def on_delivered(user: User, data: MarkIn) -> Any:
    if user.role != Role.supporter or data.conversation_id is None:
        raise ApiError(403, "forbidden", "Only supporters confirm delivery.")
    supporting.mark_delivered(
        get_db(), user=user, conversation_id=data.conversation_id, upto_id=data.upto_id, at=clock.now()
    )
    return True


@chat_event("chat:typing", ConversationRef)
def on_typing(user: User, data: ConversationRef) -> Any:
    conv = _conversation_of(user, data.conversation_id)
    access.require_chat_action(get_db(), user, conv, at=clock.now(), reading=True)
    if user.role == Role.patient:
        targets = [conv.holder_id] if conv.holder_id else []
        payload = {"conversation_id": conv.id, "who": "patient"}
    else:
        if conv.holder_id != user.id:
            return False
        targets = [conv.patient_id]
        payload = {"conversation_id": conv.id, "who": user.display_name}
    if targets:
        socketio.emit("chat:typing", payload, to=[user_room(t) for t in targets])
    return True


@chat_event("chat:take", ConversationRef)
def on_take(user: User, data: ConversationRef) -> Any:
    if data.conversation_id is None:
        raise ApiError(400, "invalid_input", "Say which conversation.")
    conv = supporting.take(get_db(), supporter=user, conversation_id=data.conversation_id, at=clock.now())
    return {"conversation_id": conv.id, "state": conv.state}


@chat_event("chat:handover", HandoverEventIn)
def on_handover(user: User, data: HandoverEventIn) -> Any:
    conv = supporting.handover(
        get_db(),
        supporter=user,
        conversation_id=data.conversation_id,
        to_user_id=data.to_user_id,
        to_tier=data.to_tier,
        note=data.note,
        at=clock.now(),
    )
    return {"conversation_id": conv.id, "state": conv.state}


@chat_event("chat:close", ConversationRef)
def on_close(user: User, data: ConversationRef) -> Any:
    if data.conversation_id is None:
        raise ApiError(400, "invalid_input", "Say which conversation.")
    conv = supporting.close(get_db(), supporter=user, conversation_id=data.conversation_id, at=clock.now())
    return {"conversation_id": conv.id, "state": conv.state}


@socketio.on("*")
def on_unknown(event: str, data: Any = None) -> dict[str, Any]:
    return _error("unknown_event", "This event does not exist.")
