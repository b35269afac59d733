"""Chat routed by the roster: storing, routing, escalating, handing over,
never silent, nothing lost."""

# The `circle` fixture is imported by name; test arguments of that name use it.
# ruff: noqa: F811

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from tests.scenes.chat import (
    OSLO,
    cid,
    circle,  # noqa: F401  (the fixture)
    decisions,
    messages_in_db,
    run_tick,
    staff_rosters,
)
from tests.scenes.world import CareCircle


def test_a_message_reaches_the_supporter_on_duty_live(
    app: Any, auth: Any, factories: Any, circle: CareCircle, socket_client: Any, db: Any
) -> None:
    staff_rosters(factories, circle)
    kari = auth.client_for("kari")
    kari_socket = socket_client(kari)
    ola_socket = socket_client(auth.client_for("ola"))
    mona = auth.client_for("mona")
    sent = mona.post("/api/chat/messages", json={"client_id": cid(), "body": "Det er tungt i kveld"})
    assert sent.status_code == 201, sent.json
    received = kari_socket.get_received()
    names = [r["name"] for r in received]
    assert "chat:offer" in names and "chat:message" in names
    message = next(r for r in received if r["name"] == "chat:message")["args"][0]
    assert message["body"] == "Det er tungt i kveld"
    assert ola_socket.get_received() == []  # off duty: not offered
    status = mona.get("/api/chat/conversation").json["status"]
    assert status["code"] == "sent" and status["expected_wait_seconds"] == 180
    assert decisions(db) == ["offer"]
    inbox = kari.get("/api/chat/inbox").json
    assert [i["patient_name"] for i in inbox] == ["Mona"]
    assert inbox[0]["mine"] is False


def test_a_resend_is_stored_once(app: Any, auth: Any, factories: Any, circle: CareCircle, db: Any) -> None:
    staff_rosters(factories, circle)
    mona = auth.client_for("mona")
    same = cid()
    first = mona.post("/api/chat/messages", json={"client_id": same, "body": "Hei"})
    again = mona.post("/api/chat/messages", json={"client_id": same, "body": "Hei"})
    assert first.json["id"] == again.json["id"]
    assert messages_in_db(db) == 1
    assert decisions(db) == ["offer"]


def test_unanswered_offer_escalates_to_the_next_tier_and_the_patient_is_told(
    app: Any, auth: Any, factories: Any, circle: CareCircle, clock: Any, socket_client: Any, db: Any
) -> None:
    staff_rosters(factories, circle)
    ingrid_socket = socket_client(auth.client_for("ingrid"))
    mona = auth.client_for("mona")
    mona.post("/api/chat/messages", json={"client_id": cid(), "body": "Er det noen der?"})
    clock.advance(minutes=2, seconds=59)
    assert run_tick(app, clock)["escalated"] == 0
    clock.advance(seconds=2)
    assert run_tick(app, clock)["escalated"] == 1
    assert any(r["name"] == "chat:offer" for r in ingrid_socket.get_received())
    status = mona.get("/api/chat/conversation").json["status"]
    assert status["code"] == "passed_on" and status["tier_kind"] == "kommune"
    kari = auth.client_for("kari")
    refused = kari.post("/api/chat/conversations/1/take")
    assert refused.status_code in (403, 409)
    assert decisions(db) == ["offer", "escalate"]


def test_escalation_deadline_survives_a_restart(
    app: Any, make_app: Any, auth: Any, factories: Any, circle: CareCircle, clock: Any, db: Any
) -> None:
    staff_rosters(factories, circle)
    auth.client_for("mona").post("/api/chat/messages", json={"client_id": cid(), "body": "Hallo"})
    restarted = make_app()  # a new process: nothing in memory, only the database
    clock.advance(minutes=4)
    assert run_tick(restarted, clock)["escalated"] == 1
    assert decisions(db)[-1] == "escalate"


def test_nobody_on_duty_is_told_at_once_and_logged_for_the_admin(
    app: Any, auth: Any, factories: Any, circle: CareCircle, clock: Any, db: Any
) -> None:
    mona = auth.client_for("mona")
    sent = mona.post("/api/chat/messages", json={"client_id": cid(), "body": "Hjelp"})
    assert sent.status_code == 201
    assert mona.get("/api/chat/conversation").json["status"]["code"] == "nobody_on_duty"
    assert messages_in_db(db) == 1  # stored, never lost
    factories.admin("admin")
    gaps = auth.client_for("admin").get("/api/chat/gaps").json
    assert gaps[0]["patient_name"] == "Mona" and gaps[0]["action"] == "no_one_on_duty"
    # Someone comes on duty: the next tick offers the waiting conversation.
    staff_rosters(factories, circle)
    assert run_tick(app, clock)["rerouted"] == 1
    assert mona.get("/api/chat/conversation").json["status"]["code"] == "sent"


def test_taking_answering_and_read_status(
    app: Any, auth: Any, factories: Any, circle: CareCircle, socket_client: Any
) -> None:
    staff_rosters(factories, circle)
    mona = auth.client_for("mona")
    mona_socket = socket_client(mona)
    first = mona.post("/api/chat/messages", json={"client_id": cid(), "body": "Kan du snakke?"}).json
    kari = auth.client_for("kari")
    answer = kari.post(
        "/api/chat/conversations/1/messages", json={"client_id": cid(), "body": "Ja, jeg er her."}
    )
    assert answer.status_code == 201
    assert answer.json["sender_name"] == "Kari" and answer.json["sender_team_kind"] == "bolig"
    got = [r["args"][0] for r in mona_socket.get_received() if r["name"] == "chat:message"]
    assert [m["body"] for m in got][-1] == "Ja, jeg er her."
    status = mona.get("/api/chat/conversation").json["status"]
    assert (
        status["code"] == "read"
        and status["supporter_name"] == "Kari"
        and status["supporter_team_kind"] == "bolig"
    )
    assert status["read_upto_id"] >= first["id"]
    ola = auth.client_for("ola")
    assert (
        ola.post("/api/chat/conversations/1/messages", json={"client_id": cid(), "body": "x"}).status_code
        == 403
    )


def test_every_status_she_is_told_is_numbered_after_the_one_before(
    app: Any, auth: Any, factories: Any, circle: CareCircle, socket_client: Any
) -> None:
    """Two server processes may tell her phone in turn, and their events can
    arrive out of order; the numbers let the phone keep the newest."""
    staff_rosters(factories, circle)
    mona = auth.client_for("mona")
    mona_socket = socket_client(mona)
    mona.post("/api/chat/messages", json={"client_id": cid(), "body": "Kan du snakke?"})
    kari = auth.client_for("kari")
    assert kari.post("/api/chat/conversations/1/take").status_code == 204
    kari.post("/api/chat/conversations/1/messages", json={"client_id": cid(), "body": "Ja, jeg er her."})

    told = [r["args"][0] for r in mona_socket.get_received() if r["name"] == "chat:status"]
    versions = [status["version"] for status in told]
    assert [status["code"] for status in told][:2] == ["sent", "answering"]
    assert versions == sorted(set(versions))
    assert mona.get("/api/chat/conversation").json["status"]["version"] == versions[-1]


def test_her_phone_is_told_when_her_words_are_read_and_not_again_for_a_repeated_mark(
    app: Any, auth: Any, factories: Any, circle: CareCircle, socket_client: Any
) -> None:
    """Kari's screen says "read" each time it shows the conversation: Mona's
    phone is woken once, when the status moved, not for every repeat."""
    staff_rosters(factories, circle)
    mona = auth.client_for("mona")
    mona_socket = socket_client(mona)
    sent = mona.post("/api/chat/messages", json={"client_id": cid(), "body": "Kan du snakke?"}).json
    kari = auth.client_for("kari")
    assert kari.post("/api/chat/conversations/1/take").status_code == 204
    mona_socket.get_received()

    for _ in range(3):
        read = kari.post("/api/chat/conversations/1/read", json={"upto_id": sent["id"]})
        assert read.status_code == 204, read.json

    told = [r["args"][0] for r in mona_socket.get_received() if r["name"] == "chat:status"]
    assert [status["code"] for status in told] == ["read"]
    assert mona.get("/api/chat/conversation").json["status"]["version"] == told[0]["version"]


def test_a_supporter_whose_shift_ended_is_refused_at_once(
    app: Any, auth: Any, factories: Any, circle: CareCircle, clock: Any
) -> None:
    staff_rosters(factories, circle)
    clock.set(datetime(2026, 11, 25, 21, 45, tzinfo=OSLO))
    auth.client_for("mona").post("/api/chat/messages", json={"client_id": cid(), "body": "Hei"})
    kari = auth.client_for("kari")
    assert kari.post("/api/chat/conversations/1/take").status_code == 204
    clock.set(datetime(2026, 11, 25, 22, 0, 1, tzinfo=OSLO))
    late = kari.post("/api/chat/conversations/1/messages", json={"client_id": cid(), "body": "Er du der?"})
    assert late.status_code == 403


def test_shift_change_hands_the_conversation_to_the_incoming_supporter(
    app: Any, auth: Any, factories: Any, circle: CareCircle, clock: Any, socket_client: Any, db: Any
) -> None:
    staff_rosters(factories, circle)
    auth.client_for("mona").post("/api/chat/messages", json={"client_id": cid(), "body": "Hei"})
    kari = auth.client_for("kari")
    assert kari.post("/api/chat/conversations/1/take").status_code == 204
    clock.set(datetime(2026, 11, 25, 22, 0, 30, tzinfo=OSLO))
    ola = auth.client_for("ola")
    ola_socket = socket_client(ola)
    assert run_tick(app, clock)["handed_over"] == 1
    assert any(r["name"] == "chat:offer" for r in ola_socket.get_received())
    item = ola.get("/api/chat/inbox").json[0]
    assert item["shift_summary"]["from_name"] == "Kari"
    history = ola.get("/api/chat/conversations/1").json["messages"]
    # The incoming supporter sees the history, and the server's line about the shift change.
    assert [m["body"] for m in history if m["sender_role"] == "patient"] == ["Hei"]
    assert history[-1]["notice"]["code"] == "shift_ended_offered"
    assert decisions(db)[-1] == "shift_change"


def test_hand_over_to_a_named_colleague_with_a_note(
    app: Any, auth: Any, factories: Any, circle: CareCircle
) -> None:
    staff_rosters(factories, circle)
    auth.client_for("mona").post("/api/chat/messages", json={"client_id": cid(), "body": "Hei"})
    kari = auth.client_for("kari")
    kari.post("/api/chat/conversations/1/take")
    outsider = kari.post(
        "/api/chat/conversations/1/handover", json={"to_user_id": circle.outsider.id, "note": "x"}
    )
    assert outsider.status_code == 400
    done = kari.post(
        "/api/chat/conversations/1/handover", json={"to_user_id": circle.ingrid.id, "note": "Trenger ro"}
    )
    assert done.status_code == 204
    item = auth.client_for("ingrid").get("/api/chat/inbox").json[0]
    assert item["handover_note"] == "Trenger ro" and item["mine"] is False


def test_a_reconnecting_client_gets_everything_it_missed(
    app: Any, auth: Any, factories: Any, circle: CareCircle, socket_client: Any
) -> None:
    staff_rosters(factories, circle)
    mona = auth.client_for("mona")
    ids = [
        mona.post("/api/chat/messages", json={"client_id": cid(), "body": f"melding {n}"}).json["id"]
        for n in range(3)
    ]
    sio = socket_client(mona)
    ack = sio.emit("chat:sync", {"after_id": ids[0]}, callback=True)
    assert [m["body"] for m in ack["ok"]["messages"]] == ["melding 1", "melding 2"]


@pytest.mark.parametrize(
    ("body", "code"),
    [("   ", "empty_message"), ("x" * 4001, "message_too_long")],
)
def test_bad_messages_are_refused_and_nothing_is_stored(
    app: Any, auth: Any, factories: Any, circle: CareCircle, db: Any, body: str, code: str
) -> None:
    staff_rosters(factories, circle)
    response = auth.client_for("mona").post("/api/chat/messages", json={"client_id": cid(), "body": body})
    assert response.status_code == 400 and response.json["error"] == code
    assert messages_in_db(db) == 0


def test_html_is_stored_as_the_text_it_is(app: Any, auth: Any, factories: Any, circle: CareCircle) -> None:
    staff_rosters(factories, circle)
    text = '<script>alert("x")</script> &amp; 🌙 ‏مرحبا‎'
    sent = auth.client_for("mona").post("/api/chat/messages", json={"client_id": cid(), "body": text})
    assert sent.json["body"] == text


def test_flooding_is_limited(app: Any, auth: Any, factories: Any, circle: CareCircle, db: Any) -> None:
    staff_rosters(factories, circle)
    mona = auth.client_for("mona")
    for n in range(30):
        assert mona.post("/api/chat/messages", json={"client_id": cid(), "body": f"{n}"}).status_code == 201
    flooded = mona.post("/api/chat/messages", json={"client_id": cid(), "body": "en til"})
    assert flooded.status_code == 429 and int(flooded.headers["Retry-After"]) > 0
    assert messages_in_db(db) == 30


def test_socket_events_send_refuse_strangers_and_unknown_events(
    app: Any, auth: Any, factories: Any, circle: CareCircle, socket_client: Any, db: Any
) -> None:
    staff_rosters(factories, circle)
    mona_socket = socket_client(auth.client_for("mona"))
    ack = mona_socket.emit("chat:send", {"client_id": cid(), "body": "via socket"}, callback=True)
    assert ack["ok"]["body"] == "via socket"
    assert mona_socket.emit("chat:nonsense", {}, callback=True)["error"] == "unknown_event"
    assert mona_socket.emit("chat:send", {"client_id": "x"}, callback=True)["error"] == "invalid_input"
    outsider = socket_client(auth.client_for("per"))
    refused = outsider.emit("chat:sync", {"conversation_id": 1}, callback=True)
    assert refused["error"] == "forbidden"
    assert messages_in_db(db) == 1


def test_push_says_only_new_message(
    app: Any, auth: Any, factories: Any, circle: CareCircle, monkeypatch: Any
) -> None:
    import nattlys.push.service as push

    sent: list[tuple[list[int], Any]] = []
    monkeypatch.setattr(push, "queue", lambda ids, message: sent.append((sorted(ids), message)))
    staff_rosters(factories, circle)
    mona = auth.client_for("mona")
    mona.post("/api/chat/messages", json={"client_id": cid(), "body": "Jeg har det vondt i kveld"})
    assert sent and sent[0][0] == [circle.kari.id]
    kari = auth.client_for("kari")
    kari.post("/api/chat/conversations/1/messages", json={"client_id": cid(), "body": "Jeg er her, Mona."})
    assert sent[-1][0] == [circle.mona.id]  # Mona has no socket open: she gets a push
    for _ids, message in sent:
        payload = message.payload("nb").decode()
        assert json.loads(payload)["title"] == "Ny melding"
        assert "vondt" not in payload and "Mona" not in payload and "Kari" not in payload


def test_inbox_shows_the_patients_latest_checkin_level(
    app: Any, auth: Any, factories: Any, circle: CareCircle
) -> None:
    staff_rosters(factories, circle)
    mona = auth.client_for("mona")
    checkin = {
        "idempotency_key": cid(),
        "pressure": 9,
        "mood": 1,
        "sleep": "none",
        "warning_signs": [],
        "self_harm_urge": "none",
        "suicidal_thoughts": "strong",
        "wants_contact": True,
    }
    assert mona.post("/api/checkins", json=checkin).status_code == 201
    item = auth.client_for("kari").get("/api/chat/inbox").json[0]
    assert item["patient_name"] == "Mona" and item["latest_checkin_level"] == "red"
