"""The send path does no more than it must: a refused send writes nothing,
the sending socket is not sent its own message back, the patient's status
comes with the acknowledgement and travels as an event only when it changed,
and socket events open no Flask cookie session."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from nattlys.db import get_engine
from tests.scenes.chat import cid, circle, messages_in_db, staff_rosters  # noqa: F401 - circle is a fixture
from tests.scenes.world import CareCircle

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b(?!.*\bauth_sessions\b)", re.IGNORECASE | re.DOTALL)


@contextmanager
def writes_to(app: Any) -> Iterator[list[str]]:
    """The statements that write anything but the login session's last-seen time."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if WRITE.match(statement):
            seen.append(statement.split("(")[0].strip())

    engine = get_engine(app)
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_a_patients_send_refused_by_the_flood_limit_writes_nothing(
    app: Any,
    auth: Any,
    factories: Any,
    circle: CareCircle,  # noqa: F811
    db: Any,
) -> None:
    staff_rosters(factories, circle)
    mona = auth.client_for("mona")
    for n in range(30):
        assert mona.post("/api/chat/messages", json={"client_id": cid(), "body": f"{n}"}).status_code == 201

    with writes_to(app) as writes:
        flooded = mona.post("/api/chat/messages", json={"client_id": cid(), "body": "en til"})

    assert flooded.status_code == 429
    assert writes == []
    assert messages_in_db(db) == 30


def test_resends_do_not_count_against_the_flood_limit_and_are_answered_past_it(
    auth: Any,
    factories: Any,
    circle: CareCircle,  # noqa: F811
    db: Any,
) -> None:
    """Her phone resends what it is not sure was stored (a lost answer on a bad
    line): each resend gets the stored message back, and only new messages count."""
    staff_rosters(factories, circle)
    mona = auth.client_for("mona")
    unsure = cid()
    first = mona.post("/api/chat/messages", json={"client_id": unsure, "body": "Hei"})
    for _ in range(5):
        again = mona.post("/api/chat/messages", json={"client_id": unsure, "body": "Hei"})
        assert (again.status_code, again.json["id"]) == (201, first.json["id"])
    for n in range(29):
        assert mona.post("/api/chat/messages", json={"client_id": cid(), "body": f"{n}"}).status_code == 201

    past_the_limit = mona.post("/api/chat/messages", json={"client_id": unsure, "body": "Hei"})
    assert (past_the_limit.status_code, past_the_limit.json["id"]) == (201, first.json["id"])
    assert mona.post("/api/chat/messages", json={"client_id": cid(), "body": "en til"}).status_code == 429
    assert messages_in_db(db) == 30


def mona_wrote(auth: Any, factories: Any, circle: CareCircle) -> int:  # noqa: F811
    """Mona's first message, offered to Kari (on duty): the conversation's id."""
    staff_rosters(factories, circle)
    sent = auth.client_for("mona").post("/api/chat/messages", json={"client_id": cid(), "body": "Hei"})
    return int(sent.json["conversation_id"])


def test_a_supporters_send_refused_by_the_flood_limit_writes_nothing(
    app: Any,
    auth: Any,
    factories: Any,
    circle: CareCircle,  # noqa: F811
    socket_client: Any,
    db: Any,
) -> None:
    conversation_id = mona_wrote(auth, factories, circle)
    kari = socket_client(auth.client_for("kari"))
    for n in range(30):
        answer = kari.emit(
            "chat:send",
            {"conversation_id": conversation_id, "client_id": cid(), "body": f"{n}"},
            callback=True,
        )
        assert "ok" in answer

    with writes_to(app) as writes:
        answer = kari.emit(
            "chat:send",
            {"conversation_id": conversation_id, "client_id": cid(), "body": "en til"},
            callback=True,
        )

    assert answer["error"] == "rate_limited" and answer["retry_after"] > 0
    assert writes == []
    assert messages_in_db(db) == 31


def told(socket: Any) -> list[tuple[str, str]]:
    """The chat events a socket was sent since last asked: (event, message body or status code)."""
    return [
        (r["name"], r["args"][0].get("body") or r["args"][0].get("code"))
        for r in socket.get_received()
        if r["name"].startswith("chat:")
    ]


def test_the_sending_phone_gets_its_message_and_status_in_the_answer_her_other_phone_live(
    app: Any,
    auth: Any,
    factories: Any,
    circle: CareCircle,  # noqa: F811
    socket_client: Any,
) -> None:
    staff_rosters(factories, circle)
    phone = socket_client(auth.client_for("mona"))
    tablet = socket_client(auth.client_for("mona"))
    kari = socket_client(auth.client_for("kari"))

    first = phone.emit("chat:send", {"client_id": cid(), "body": "Er det noen der?"}, callback=True)["ok"]
    assert first["body"] == "Er det noen der?"
    assert first["status"]["code"] == "sent"
    assert first["status"]["conversation_id"] == first["conversation_id"]
    # Offered to Kari now: that changed the status, so every phone is told.
    assert told(phone) == [("chat:status", "sent")]
    assert sorted(told(tablet)) == [("chat:message", "Er det noen der?"), ("chat:status", "sent")]

    second = phone.emit("chat:send", {"client_id": cid(), "body": "Hallo?"}, callback=True)["ok"]
    assert second["status"]["code"] == "sent"
    # Still waiting for Kari: the status holds, only the message is new, and
    # the phone that sent it has it in the answer.
    assert told(phone) == []
    assert told(tablet) == [("chat:message", "Hallo?")]
    assert [body for name, body in told(kari) if name == "chat:message"] == ["Er det noen der?", "Hallo?"]


def test_the_supporters_sending_socket_is_not_sent_her_message_back(
    app: Any,
    auth: Any,
    factories: Any,
    circle: CareCircle,  # noqa: F811
    socket_client: Any,
) -> None:
    conversation_id = mona_wrote(auth, factories, circle)
    mona = socket_client(auth.client_for("mona"))
    desk = socket_client(auth.client_for("kari"))
    phone = socket_client(auth.client_for("kari"))

    answer = desk.emit(
        "chat:send",
        {"conversation_id": conversation_id, "client_id": cid(), "body": "Jeg er her."},
        callback=True,
    )

    assert answer["ok"]["body"] == "Jeg er her."
    assert [body for name, body in told(desk) if name == "chat:message"] == []
    assert [body for name, body in told(phone) if name == "chat:message"] == ["Jeg er her."]
    assert [body for name, body in told(mona) if name == "chat:message"] == ["Jeg er her."]


def test_socket_events_open_no_flask_cookie_session(
    app: Any,
    auth: Any,
    factories: Any,
    circle: CareCircle,  # noqa: F811
    socket_client: Any,
    monkeypatch: Any,
) -> None:
    from flask.sessions import SecureCookieSessionInterface

    staff_rosters(factories, circle)
    phone = socket_client(auth.client_for("mona"))
    opened: list[str] = []
    cookie_session = SecureCookieSessionInterface.open_session

    def spy(self: Any, flask_app: Any, request: Any) -> Any:
        opened.append(request.path)
        return cookie_session(self, flask_app, request)

    monkeypatch.setattr(SecureCookieSessionInterface, "open_session", spy)

    assert "ok" in phone.emit("chat:send", {"client_id": cid(), "body": "Hei"}, callback=True)
    assert "ok" in phone.emit("chat:sync", {"after_id": 0}, callback=True)

    assert opened == []
