"""Continuity (issue 12.5): the supporter the patient last talked to first, a
shift change told to both sides, a handover note asked for before the shift
ends, and one automatic summary that replaces the last."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select

from nattlys.chat.models import Message
from tests.scenes.alerts import red
from tests.scenes.chat import OSLO, cid, circle, decisions, run_tick, staff_rosters  # noqa: F401 - circle is a fixture
from tests.scenes.world import CareCircle


def talked_with(factories: Any, db: Any, patient: Any, supporter: Any, at: datetime) -> None:
    """The patient's conversation, closed, with the supporter's last answer at `at`."""
    conv = factories.conversation(patient)
    db.add(
        Message(
            conversation_id=conv.id,
            sender_id=supporter.id,
            sender_role="supporter",
            client_id=cid(),
            body="Vi snakkes",
            created_at=at,
        )
    )
    db.commit()


def events(sio: Any, name: str) -> list[dict[str, Any]]:
    return [r["args"][0] for r in sio.get_received() if r["name"] == name]


@pytest.fixture
def pushes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[list[int], Any]]:
    from nattlys.push import service as push

    sent: list[tuple[list[int], Any]] = []
    monkeypatch.setattr(push, "queue", lambda user_ids, message: sent.append((list(user_ids), message)))
    return sent


# --- the last supporter first ------------------------------------------------------------


def test_the_last_supporter_on_duty_in_a_later_tier_gets_it_first(
    app: Any,
    auth: Any,
    factories: Any,
    circle: CareCircle,  # noqa: F811
    clock: Any,
    socket_client: Any,
    db: Any,
) -> None:
    """Mona talked to Ingrid (kommune) two days ago; Ingrid is on duty tonight,
    so she gets the conversation, not bolig first. One routing decision."""
    staff_rosters(factories, circle)
    talked_with(factories, db, circle.mona, circle.ingrid, clock() - timedelta(days=2))
    ingrid_socket = socket_client(auth.client_for("ingrid"))
    kari_socket = socket_client(auth.client_for("kari"))
    mona = auth.client_for("mona")
    assert mona.post("/api/chat/messages", json={"client_id": cid(), "body": "Hei igjen"}).status_code == 201

    assert len(events(ingrid_socket, "chat:offer")) == 1
    assert events(kari_socket, "chat:offer") == []
    assert decisions(db) == ["offer"]
    status = mona.get("/api/chat/conversation").json["status"]
    assert status["code"] in ("sent", "delivered")  # not "passed on": nobody passed it on

    # Ingrid does not take it within kommune's limit: the tiers in order, from bolig.
    clock.advance(minutes=3, seconds=1)
    assert run_tick(app, clock)["escalated"] == 1
    assert len(events(kari_socket, "chat:offer")) == 1
    assert mona.get("/api/chat/conversation").json["status"]["tier_kind"] == "bolig"
    assert decisions(db) == ["offer", "escalate"]


def test_the_last_supporter_alone_in_the_first_tier_gets_one_limit_not_two(
    app: Any,
    auth: Any,
    factories: Any,
    circle: CareCircle,  # noqa: F811
    clock: Any,
    socket_client: Any,
    db: Any,
) -> None:
    """Mona talked to Kari, who is bolig's only one on duty: an ordinary first
    offer, and at bolig's limit it goes on to kommune, not to Kari again."""
    staff_rosters(factories, circle)
    talked_with(factories, db, circle.mona, circle.kari, clock() - timedelta(days=1))
    ingrid_socket = socket_client(auth.client_for("ingrid"))
    mona = auth.client_for("mona")
    mona.post("/api/chat/messages", json={"client_id": cid(), "body": "Hei"})
    clock.advance(minutes=3, seconds=1)
    assert run_tick(app, clock)["escalated"] == 1
    assert len(events(ingrid_socket, "chat:offer")) == 1
    assert mona.get("/api/chat/conversation").json["status"]["tier_kind"] == "kommune"


def test_falls_back_tier_by_tier_when_the_last_supporter_is_off_duty(
    app: Any,
    auth: Any,
    factories: Any,
    circle: CareCircle,  # noqa: F811
    clock: Any,
    socket_client: Any,
    db: Any,
) -> None:
    staff_rosters(factories, circle)
    talked_with(factories, db, circle.mona, circle.ingrid, clock() - timedelta(days=1))
    clock.set(datetime(2026, 11, 25, 23, 30, tzinfo=OSLO))  # Ingrid went home at 23:00
    socket_client(auth.client_for("ingrid"))
    ola_socket = socket_client(auth.client_for("ola"))
    auth.client_for("mona").post("/api/chat/messages", json={"client_id": cid(), "body": "Hei"})
    assert len(events(ola_socket, "chat:offer")) == 1


def test_a_supporter_talked_to_more_than_a_week_ago_is_not_preferred(
    app: Any,
    auth: Any,
    factories: Any,
    circle: CareCircle,  # noqa: F811
    clock: Any,
    socket_client: Any,
    db: Any,
) -> None:
    staff_rosters(factories, circle)
    talked_with(factories, db, circle.mona, circle.ingrid, clock() - timedelta(days=7, minutes=1))
    ingrid_socket = socket_client(auth.client_for("ingrid"))
    kari_socket = socket_client(auth.client_for("kari"))
    auth.client_for("mona").post("/api/chat/messages", json={"client_id": cid(), "body": "Hei"})
    assert len(events(kari_socket, "chat:offer")) == 1
    assert events(ingrid_socket, "chat:offer") == []


def test_a_contact_request_goes_to_the_last_supporter_once_with_tonights_level_and_shared_reasons(
    app: Any,
    auth: Any,
    factories: Any,
    circle: CareCircle,  # noqa: F811
    clock: Any,
    socket_client: Any,
    db: Any,
) -> None:
    """A check-in with a contact request makes one offer: to Ingrid, carrying
    tonight's level, without the warning signs Mona shares only with bolig."""
    staff_rosters(factories, circle)
    factories.crisis_plan(
        circle.mona,
        {"warning_signs": ["Jeg slutter å svare på telefonen"]},
        sharing={"warning_signs": ["bolig"]},
    )
    talked_with(factories, db, circle.mona, circle.ingrid, clock() - timedelta(days=2))
    ingrid_socket = socket_client(auth.client_for("ingrid"))
    body = {
        "idempotency_key": cid(),
        "pressure": 6,
        "mood": 3,
        "sleep": "ok",
        "warning_signs": [0],
        "self_harm_urge": "none",
        "suicidal_thoughts": "none",
        "wants_contact": True,
    }
    answer = auth.client_for("mona").post("/api/checkins", json=body)
    assert answer.status_code == 201, answer.json
    assert answer.json["level"] == "yellow"
    assert set(answer.json["reasons"]) == {"yellow.pressure", "yellow.warning_signs"}
    [offer] = events(ingrid_socket, "chat:offer")
    assert offer["latest_checkin_level"] == "yellow"
    assert offer["tonight"]["level"] == "yellow"
    assert offer["tonight"]["reasons"] == ["yellow.pressure"]  # warning signs are bolig's only
    inbox = auth.client_for("ingrid").get("/api/chat/inbox").json
    assert inbox[0]["latest_checkin_level"] == offer["latest_checkin_level"]
    assert decisions(db) == ["offer"]


def test_a_red_checkin_without_a_contact_request_alerts_the_last_supporter_first(
    app: Any,
    auth: Any,
    factories: Any,
    circle: CareCircle,  # noqa: F811
    clock: Any,
    socket_client: Any,
    db: Any,
) -> None:
    """Mona talked to Ingrid (kommune) two days ago; Ingrid is on duty and has
    the app open, so tonight's red alert goes to her first, not to bolig. When
    she does not take it within kommune's limit, the tiers in order, from bolig."""
    from nattlys.alerts import escalation

    staff_rosters(factories, circle)
    talked_with(factories, db, circle.mona, circle.ingrid, clock() - timedelta(days=2))
    ingrid_socket = socket_client(auth.client_for("ingrid"))
    kari_socket = socket_client(auth.client_for("kari"))
    answer = auth.client_for("mona").post("/api/checkins", json=red()).json
    assert answer["level"] == "red"
    assert (answer["alert"]["status"], answer["alert"]["team_kind"]) == ("told", "kommune")
    assert [a["patient_id"] for a in events(ingrid_socket, "checkin:alert")] == [circle.mona.id]
    assert events(kari_socket, "checkin:alert") == []

    clock.advance(minutes=3, seconds=1)
    with app.app_context():
        from nattlys.db import get_db

        assert escalation.tick(get_db(), at=clock())["alerts_escalated"] == 1
    assert [a["patient_id"] for a in events(kari_socket, "checkin:alert")] == [circle.mona.id]
    seen = auth.client_for("mona").get("/api/alerts/me").json["alert"]
    assert (seen["status"], seen["team_kind"]) == ("told", "bolig")


def test_a_red_alert_to_the_last_supporter_alone_in_the_first_tier_moves_on_after_one_limit(
    app: Any,
    auth: Any,
    factories: Any,
    circle: CareCircle,  # noqa: F811
    clock: Any,
    socket_client: Any,
    db: Any,
) -> None:
    from nattlys.alerts import escalation

    staff_rosters(factories, circle)
    talked_with(factories, db, circle.mona, circle.kari, clock() - timedelta(days=1))
    socket_client(auth.client_for("kari"))
    ingrid_socket = socket_client(auth.client_for("ingrid"))
    answer = auth.client_for("mona").post("/api/checkins", json=red()).json
    assert (answer["alert"]["status"], answer["alert"]["team_kind"]) == ("told", "bolig")
    clock.advance(minutes=3, seconds=1)
    with app.app_context():
        from nattlys.db import get_db

        assert escalation.tick(get_db(), at=clock())["alerts_escalated"] == 1
    assert [a["patient_id"] for a in events(ingrid_socket, "checkin:alert")] == [circle.mona.id]
    seen = auth.client_for("mona").get("/api/alerts/me").json["alert"]
    assert seen["team_kind"] == "kommune"


# --- shift change ---------------------------------------------------------------------


def held_by_kari(auth: Any, clock: Any) -> Any:
    mona = auth.client_for("mona")
    mona.post("/api/chat/messages", json={"client_id": cid(), "body": "Hei"})
    kari = auth.client_for("kari")
    assert kari.post("/api/chat/conversations/1/take").status_code == 204
    kari.post("/api/chat/conversations/1/messages", json={"client_id": cid(), "body": "Jeg er her"})
    mona.post("/api/chat/messages", json={"client_id": cid(), "body": "Det er tungt"})
    mona.post("/api/chat/messages", json={"client_id": cid(), "body": "Er du der?"})
    return mona


def test_a_shift_change_tells_the_patient_and_the_incoming_supporter_once(
    app: Any,
    auth: Any,
    factories: Any,
    circle: CareCircle,  # noqa: F811
    clock: Any,
    socket_client: Any,
    db: Any,
) -> None:
    staff_rosters(factories, circle)
    clock.set(datetime(2026, 11, 25, 21, 40, tzinfo=OSLO))
    mona = held_by_kari(auth, clock)
    mona_socket = socket_client(mona)
    ola = auth.client_for("ola")
    ola_socket = socket_client(ola)

    clock.set(datetime(2026, 11, 25, 22, 0, 30, tzinfo=OSLO))
    assert run_tick(app, clock)["handed_over"] == 1
    told_mona = [m["notice"] for m in events(mona_socket, "chat:message")]
    told_ola = [m["notice"] for m in events(ola_socket, "chat:message")]
    assert (
        told_mona
        == told_ola
        == [
            {
                "code": "shift_ended_offered",
                "from_name": "Kari",
                "to_name": None,
                "to_team_kind": None,
                "tier_kind": "bolig",
            }
        ]
    )
    assert mona.get("/api/chat/conversation").json["status"]["code"] in ("sent", "delivered")
    clock.advance(seconds=30)
    assert run_tick(app, clock)["handed_over"] == 0
    assert events(mona_socket, "chat:message") == []

    assert ola.post("/api/chat/conversations/1/take").status_code == 204
    [taken] = [m["notice"] for m in events(mona_socket, "chat:message")]
    assert taken["code"] == "taken_over" and taken["from_name"] == "Kari" and taken["to_name"] == "Ola"
    assert [m["notice"]["code"] for m in events(ola_socket, "chat:message")] == ["taken_over"]
    assert mona.get("/api/chat/conversation").json["status"]["supporter_name"] == "Ola"
    # The server's lines do not count as unread messages from the patient.
    assert ola.get("/api/chat/inbox").json[0]["last_message_id"] == 4


def test_nobody_to_take_over_is_said_plainly(
    app: Any,
    auth: Any,
    factories: Any,
    circle: CareCircle,  # noqa: F811
    clock: Any,
    socket_client: Any,
    db: Any,
) -> None:
    # Only Kari's bolig shift: after 22:00 nobody is on duty in any tier.
    factories.published_roster(circle.bolig, [([circle.kari], [("08:00", "22:00", False)])])
    clock.set(datetime(2026, 11, 25, 21, 40, tzinfo=OSLO))
    mona = held_by_kari(auth, clock)
    mona_socket = socket_client(mona)
    clock.set(datetime(2026, 11, 25, 22, 0, 30, tzinfo=OSLO))
    run_tick(app, clock)
    [line] = events(mona_socket, "chat:message")
    assert line["notice"]["code"] == "shift_ended_nobody" and line["notice"]["from_name"] == "Kari"
    assert mona.get("/api/chat/conversation").json["status"]["code"] == "nobody_on_duty"


def test_the_holder_is_asked_once_for_a_handover_note_15_minutes_before_the_shift_ends(
    app: Any,
    auth: Any,
    factories: Any,
    circle: CareCircle,  # noqa: F811
    clock: Any,
    socket_client: Any,
    db: Any,
    pushes: list[tuple[list[int], Any]],
) -> None:
    staff_rosters(factories, circle)
    clock.set(datetime(2026, 11, 25, 21, 30, tzinfo=OSLO))
    held_by_kari(auth, clock)
    kari = auth.client_for("kari")
    kari.post("/api/chat/conversations/1/messages", json={"client_id": cid(), "body": "Jeg hører deg"})
    kari_socket = socket_client(kari)
    pushes.clear()
    clock.set(datetime(2026, 11, 25, 21, 44, 59, tzinfo=OSLO))
    assert run_tick(app, clock)["notes_asked"] == 0
    clock.set(datetime(2026, 11, 25, 21, 45, tzinfo=OSLO))
    assert run_tick(app, clock)["notes_asked"] == 1
    [asked] = events(kari_socket, "chat:note_request")
    assert asked["conversation_id"] == 1
    assert datetime.fromisoformat(asked["shift_ends_at"]) == datetime(2026, 11, 25, 22, 0, tzinfo=OSLO)
    assert [(ids, p.title, p.body) for ids, p in pushes] == [([circle.kari.id], "shift_ends", "open_app")]
    assert kari.get("/api/chat/conversations/1").json["note_requested_for"] is not None
    clock.set(datetime(2026, 11, 25, 21, 50, tzinfo=OSLO))
    assert run_tick(app, clock)["notes_asked"] == 0  # once per shift
    assert events(kari_socket, "chat:note_request") == []

    # Only the holder writes it.
    note = {"note": "Sov dårlig i natt. Vil snakke om legetimen i morgen."}
    ingrid = auth.client_for("ingrid")
    assert ingrid.put("/api/chat/conversations/1/handover-note", json=note).status_code == 403
    assert kari.put("/api/chat/conversations/1/handover-note", json=note).status_code == 204

    clock.set(datetime(2026, 11, 25, 22, 0, 30, tzinfo=OSLO))
    run_tick(app, clock)
    summary = auth.client_for("ola").get("/api/chat/inbox").json[0]["shift_summary"]
    assert summary["note"] == note["note"]


def test_the_automatic_summary_replaces_the_last_one(
    app: Any,
    auth: Any,
    factories: Any,
    circle: CareCircle,  # noqa: F811
    clock: Any,
    socket_client: Any,
    db: Any,
) -> None:
    """Kari hands to Ola at 22:00 and Ola to Kari at 08:00: one summary each
    time, the newest, with tonight's level, the wait and the unanswered messages."""
    staff_rosters(factories, circle)
    clock.set(datetime(2026, 11, 25, 21, 40, tzinfo=OSLO))
    auth.client_for("mona").post(
        "/api/checkins",
        json={
            "idempotency_key": cid(),
            "pressure": 9,
            "mood": 2,
            "sleep": "poor",
            "warning_signs": [],
            "self_harm_urge": "strong",
            "suicidal_thoughts": "none",
            "wants_contact": False,
        },
    )
    held_by_kari(auth, clock)
    clock.set(datetime(2026, 11, 25, 22, 0, 30, tzinfo=OSLO))
    run_tick(app, clock)
    ola = auth.client_for("ola")
    first = ola.get("/api/chat/inbox").json[0]
    assert first["shift_summary"] == {
        "from_name": "Kari",
        "at": first["shift_summary"]["at"],
        "level": "red",
        "waiting_minutes": 20,
        "unanswered": 2,
        "note": None,
    }
    assert first["handover_note"] is None
    assert ola.post("/api/chat/conversations/1/take").status_code == 204

    clock.set(datetime(2026, 11, 26, 8, 0, 30, tzinfo=OSLO))
    run_tick(app, clock)
    second = auth.client_for("kari").get("/api/chat/conversations/1").json["shift_summary"]
    assert second["from_name"] == "Ola" and second["level"] == "red"  # tonight lasts until 16:00
    notices = [m.notice["code"] for m in db.exec(select(Message)).all() if m.notice]
    db.commit()
    assert notices == ["shift_ended_offered", "taken_over", "shift_ended_offered"]


def test_the_patients_copy_of_her_data_says_the_shift_change_in_words(
    app: Any,
    auth: Any,
    factories: Any,
    circle: CareCircle,  # noqa: F811
    clock: Any,
) -> None:
    staff_rosters(factories, circle)
    clock.set(datetime(2026, 11, 25, 21, 40, tzinfo=OSLO))
    mona = held_by_kari(auth, clock)
    clock.set(datetime(2026, 11, 25, 22, 0, 30, tzinfo=OSLO))
    run_tick(app, clock)
    html = mona.post("/api/me/export", json={"format": "html", "lang": "nb"}).get_data(as_text=True)
    assert "Kari har gått av vakt. Vi gir beskjed til botilbudet nå." in html
