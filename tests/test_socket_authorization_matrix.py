"""Every Socket.IO event × every kind of caller, with the answer each must get.

The events are read from the Socket.IO server's own handler registry, so an
event registered without an entry here fails `test_every_event_has_an_entry`,
exactly like routes in test_authorization_matrix.py. The callers and their
world are the HTTP matrix's; besides the acknowledgement, each case says which
live events the patient and the supporter holding the conversation receive,
and that only the patient and the supporter on duty change the conversation.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session, func, select

from nattlys.chat.models import Conversation, Message
from nattlys.realtime.connections import socketio
from tests.authorization_world import CALLERS, NOT_ON_DUTY, World, build_world, client_of, resolve

CONNECTED = tuple(c for c in CALLERS if c != "anonymous")
CHAT_PEOPLE = ("patient_self", "patient_other", "supporter_in_circle")


def answers(default: str, **special: str) -> dict[str, str]:
    """The acknowledgement each caller gets: "ok" or an error code. Anonymous
    never gets that far: the connection itself is refused."""
    expected = dict.fromkeys(CONNECTED, default)
    expected.update(special)
    expected["anonymous"] = "refused"
    return expected


def ok_for(*callers: str) -> dict[str, str]:
    return answers("forbidden", **dict.fromkeys(callers, "ok"))


# event -> (data sent, {caller: "ok" | error code | "connected" | "disconnected" | "refused"}).
# A patient's chat events always act on their own conversation, whatever id
# they send; supporters need the care circle, the roster (on duty now) and,
# for acting, to hold the conversation or have it offered to them.
EVENTS: dict[str, tuple[dict[str, Any] | None, dict[str, str]]] = {
    "connect": (None, answers("connected")),
    "disconnect": (None, answers("disconnected")),
    "*": ({"conversation_id": "conversation"}, answers("unknown_event")),
    "chat:send": (
        {"conversation_id": "conversation", "client_id": "socket-matrix-1", "body": "Hei fra socket"},
        ok_for(*CHAT_PEOPLE),
    ),
    "chat:sync": ({"conversation_id": "conversation", "after_id": 0}, ok_for(*CHAT_PEOPLE)),
    "chat:read": ({"conversation_id": "conversation", "upto_id": 0}, ok_for(*CHAT_PEOPLE)),
    "chat:typing": ({"conversation_id": "conversation"}, ok_for(*CHAT_PEOPLE)),
    # Supporters' actions: the patient's own conversation is no exception.
    "chat:delivered": ({"conversation_id": "conversation", "upto_id": 0}, ok_for("supporter_in_circle")),
    "chat:take": ({"conversation_id": "conversation"}, ok_for("supporter_in_circle")),
    "chat:handover": (
        {"conversation_id": "conversation", "to_tier": 0, "note": "Overtar du?"},
        ok_for("supporter_in_circle"),
    ),
    "chat:close": ({"conversation_id": "conversation"}, ok_for("supporter_in_circle")),
}

# (event, caller) -> the live events the patient and the holder (the on-duty
# supporter) receive. Every case not listed: nobody receives anything.
EMITS: dict[tuple[str, str], dict[str, list[str]]] = {
    ("chat:send", "patient_self"): {"patient": ["chat:message", "chat:status"], "holder": ["chat:message"]},
    ("chat:send", "supporter_in_circle"): {
        "patient": ["chat:message", "chat:status"],
        "holder": ["chat:message"],
    },
    ("chat:typing", "patient_self"): {"holder": ["chat:typing"]},
    ("chat:typing", "supporter_in_circle"): {"patient": ["chat:typing"]},
    ("chat:read", "supporter_in_circle"): {"patient": ["chat:status"]},
    # Handed to tier 0, where she is the one on duty: offered back to her.
    ("chat:handover", "supporter_in_circle"): {"patient": ["chat:status"], "holder": ["chat:offer"]},
    ("chat:close", "supporter_in_circle"): {"patient": ["chat:status"]},
}

UNKNOWN_EVENT = "chat:no-such-event"


def registered_events() -> set[str]:
    server = socketio.server
    assert not server.namespace_handlers, "class-based namespaces would bypass this matrix"
    assert set(server.handlers) == {"/"}, f"events outside the default namespace: {server.handlers}"
    return set(server.handlers["/"])


def test_every_event_has_an_entry(app: Flask) -> None:
    registered = registered_events()
    missing = sorted(registered - set(EVENTS))
    assert not missing, f"add these Socket.IO events to the authorization matrix: {missing}"
    stale = sorted(set(EVENTS) - registered)
    assert not stale, f"these matrix entries name events that no longer exist: {stale}"


@pytest.fixture
def world(factories: Any, db: Session, clock: Any) -> World:
    return build_world(factories, db, clock)


def conversation_state(db: Session, conversation_id: int) -> tuple[Any, ...]:
    conv = db.exec(
        select(Conversation)
        .where(Conversation.id == conversation_id)
        .execution_options(populate_existing=True)
    ).one()
    messages = db.exec(
        select(func.count()).select_from(Message).where(Message.conversation_id == conversation_id)
    ).one()
    state = (
        conv.state,
        conv.holder_id,
        list(conv.offered_to or []),
        conv.last_message_id,
        conv.read_upto_id,
        conv.delivered_upto_id,
        conv.patient_read_upto_id,
        messages,
    )
    db.commit()  # end the read: on SQLite it holds the write lock
    return state


def names(received: list[dict[str, Any]]) -> list[str]:
    return sorted(r["name"] for r in received)


@pytest.mark.parametrize("event", sorted(EVENTS))
@pytest.mark.parametrize("caller", CALLERS)
def test_event_answers_each_caller_as_designed(
    event: str, caller: str, app: Flask, world: World, auth: Any, socket_client: Any, db: Session
) -> None:
    data, expected = EVENTS[event]
    outcome = expected[caller]
    sio = socket_client(client_of(caller, app, world, auth))
    if caller == "anonymous":
        assert outcome == "refused"
        assert not sio.is_connected()
        return
    assert sio.is_connected()
    # Second sockets of the patient and of the supporter holding the
    # conversation, to see who is told what.
    observers = {
        "patient": socket_client(client_of("patient_self", app, world, auth)),
        "holder": socket_client(client_of("supporter_in_circle", app, world, auth)),
    }
    for observer in [sio, *observers.values()]:
        observer.get_received()
    before = conversation_state(db, world.conversation.id)

    if event == "connect":
        assert outcome == "connected"
    elif event == "disconnect":
        assert outcome == "disconnected"
        sio.disconnect()
        assert not sio.is_connected()
    else:
        name = UNKNOWN_EVENT if event == "*" else event
        ack = sio.emit(name, resolve(data, world), callback=True)
        if outcome == "ok":
            assert "ok" in ack, (caller, event, ack)
        else:
            assert ack.get("error") == outcome, (caller, event, ack)
            if caller == "supporter_in_circle_off_duty" and outcome == "forbidden":
                assert ack["message"] == NOT_ON_DUTY  # refused by the roster
        if event == "chat:sync" and outcome == "ok":
            # Whatever id a patient sends, they read their own conversation.
            mine = caller != "patient_other"
            assert (ack["ok"]["id"] == world.conversation.id) is mine, ack

    told = {who: names(o.get_received()) for who, o in observers.items()}
    assert told == {who: sorted(EMITS.get((event, caller), {}).get(who, [])) for who in observers}, (
        caller,
        event,
    )
    if outcome != "ok" and sio.is_connected():
        assert sio.get_received() == []  # a refused caller is told nothing more than the refusal
    if outcome != "ok" or caller not in ("patient_self", "supporter_in_circle"):
        assert conversation_state(db, world.conversation.id) == before


CHAT_EVENTS = sorted(e for e in EVENTS if e.startswith("chat:"))


@pytest.mark.parametrize("event", CHAT_EVENTS)
def test_every_chat_event_checks_the_session_again(
    event: str, app: Flask, world: World, auth: Any, socket_client: Any, clock: Any, db: Session
) -> None:
    sio = socket_client(client_of("supporter_in_circle", app, world, auth))
    assert sio.is_connected()
    before = conversation_state(db, world.conversation.id)
    clock.advance(minutes=31)  # a staff session ends after 30 idle minutes; the socket is still open
    ack = sio.emit(event, resolve(EVENTS[event][0], world), callback=True)
    assert ack["error"] == "unauthorized", ack
    assert not sio.is_connected()
    assert conversation_state(db, world.conversation.id) == before


@pytest.mark.parametrize("event", CHAT_EVENTS)
def test_a_supporter_whose_shift_ended_cannot_go_on_in_the_conversation_she_holds(
    event: str, app: Flask, world: World, auth: Any, socket_client: Any, db: Session
) -> None:
    # Her day shift ended at 16:00 and the scheduler has not handed the
    # conversation over yet: she still holds it, but the roster says no.
    world.conversation.holder_id = world.supporter_off.id
    db.add(world.conversation)
    db.commit()
    before = conversation_state(db, world.conversation.id)
    sio = socket_client(client_of("supporter_in_circle_off_duty", app, world, auth))
    ack = sio.emit(event, resolve(EVENTS[event][0], world), callback=True)
    assert ack == {"error": "forbidden", "message": NOT_ON_DUTY}
    assert conversation_state(db, world.conversation.id) == before


@pytest.mark.parametrize("event", CHAT_EVENTS)
def test_break_glass_opens_no_chat(
    event: str, app: Flask, world: World, auth: Any, socket_client: Any, db: Session
) -> None:
    """Break-glass is for reading check-ins: the off-duty colleague who opened
    it is still refused every chat event by the roster."""
    opened = client_of("supporter_in_circle_off_duty", app, world, auth).post(
        f"/api/patients/{world.patient.id}/break-glass",
        json={"reason": "Mona ringte vakttelefonen; ingen på vakt svarer"},
    )
    assert opened.status_code == 201, opened.json
    before = conversation_state(db, world.conversation.id)
    sio = socket_client(client_of("supporter_in_circle_off_duty", app, world, auth))
    ack = sio.emit(event, resolve(EVENTS[event][0], world), callback=True)
    assert ack == {"error": "forbidden", "message": NOT_ON_DUTY}
    assert conversation_state(db, world.conversation.id) == before


def test_only_the_patient_is_told_of_a_break_glass_opening(
    app: Flask, world: World, auth: Any, socket_client: Any
) -> None:
    clients = {caller: client_of(caller, app, world, auth) for caller in CONNECTED}
    sockets = {caller: socket_client(client) for caller, client in clients.items()}
    for sio in sockets.values():
        sio.get_received()
    # The same browser as her socket: a login from a new one is an account event she is told of.
    opened = clients["supporter_in_circle_off_duty"].post(
        f"/api/patients/{world.patient.id}/break-glass",
        json={"reason": "Mona ringte vakttelefonen; ingen på vakt svarer"},
    )
    assert opened.status_code == 201, opened.json
    told = {caller: names(sio.get_received()) for caller, sio in sockets.items()}
    assert told == {
        caller: ["break_glass:opened"] if caller == "patient_self" else [] for caller in CONNECTED
    }
