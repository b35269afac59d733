"""Alerts keep moving until a person answers (#19, #12): a red check-in is
acknowledged or escalated tier by tier, a device-less tier is skipped at once,
every tier tried reaches a ceiling with re-offers, a taken chat whose holder
goes quiet is nudged then re-offered, and every night a patient was alone is in
the administrator's gap log. The patient's status always says what the server
did. The same holds across the DST hours."""

# The `circle` fixture is imported by name; test arguments of that name use it.
# ruff: noqa: F811

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from nattlys.chat.models import RoutingDecision
from nattlys.checkins.models import CheckinAlert
from nattlys.push import service as push
from tests.push_double import VAPID, PushServer, subscribe
from tests.scenes.alerts import (
    FROM,
    OSLO,
    circle,  # noqa: F401  (the fixture)
    events,
    red,
    run_ticks,
    staff,
)
from tests.scenes.world import CareCircle


@pytest.fixture
def app(make_app: Any) -> Any:
    return make_app(**VAPID)


def names(socket: Any) -> list[str]:
    return [r["name"] for r in socket.get_received()]


def gap_rows(auth: Any) -> list[dict[str, Any]]:
    response = auth.client_for("admin").get("/api/gaps")
    assert response.status_code == 200, response.json
    return response.json


# --- one routing door -------------------------------------------------------------------


def test_first_tier_is_the_one_answer_for_alerts_and_chat(
    app: Any, factories: Any, circle: CareCircle, clock: Any, db: Any
) -> None:
    from nattlys.rosters import duty

    staff(factories, circle)
    mona = circle.mona.id
    with app.app_context():
        first = duty.first_tier(db, mona, clock())
        assert first is not None
        assert (first.position, first.team_kind, first.limit_minutes) == (0, "bolig", 3)
        assert first.supporter_ids == [circle.kari.id]
        after = duty.first_tier(db, mona, clock(), after=0)
        assert after is not None and after.team_kind == "kommune" and after.minutes == 3
        last = duty.first_tier(db, mona, clock(), after=1)
        assert last is not None and last.team_kind == "dps" and last.minutes is None
        assert duty.first_tier(db, mona, clock(), after=2) is None
        assert duty.reachable_kinds(db, mona, clock()) == ["bolig", "kommune", "dps"]


# --- a red check-in is acknowledged or escalated ---------------------------------------


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 11, 25, 20, 0, tzinfo=OSLO),
        datetime(2026, 10, 25, 2, 29, tzinfo=OSLO),  # the repeated autumn hour (first pass)
        datetime(2026, 10, 25, 2, 29, fold=1, tzinfo=OSLO),  # ... and its second pass
        datetime(2027, 3, 28, 2, 30, tzinfo=OSLO),  # the missing spring hour
    ],
    ids=["evening", "autumn-0229-first", "autumn-0229-second", "spring-0230"],
)
def test_a_red_checkin_whose_supporter_has_no_device_reaches_the_next_tier_at_once(
    app: Any,
    auth: Any,
    factories: Any,
    circle: CareCircle,
    clock: Any,
    socket_client: Any,
    moment: datetime,
) -> None:
    clock.set(moment)
    staff(factories, circle)
    # Bolig's supporter on duty (Kari by evening, Ola by night) has no app open
    # and no push subscription; the next tier's supporter has the app open.
    night = moment.hour < 8
    next_up = circle.silje if night else circle.ingrid
    watcher = socket_client(auth.client_for(next_up.username))
    mona = auth.client_for("mona")
    mona_socket = socket_client(mona)
    body = mona.post("/api/checkins", json=red()).json
    assert body["level"] == "red"
    assert body["alert"]["status"] == "passed_on"
    assert body["alert"]["team_kind"] == ("dps" if night else "kommune")
    told = events(watcher, "checkin:alert")
    assert [a["patient_id"] for a in told] == [circle.mona.id]
    assert "Jeg" not in str(told)
    status = events(mona_socket, "alert:status")
    assert status and status[-1]["status"] == "passed_on"
    # The patient's home says the same.
    assert mona.get("/api/alerts/me").json["alert"]["status"] == "passed_on"


def test_a_red_checkin_acknowledged_by_the_first_supporter_goes_no_further(
    app: Any, auth: Any, factories: Any, circle: CareCircle, clock: Any, socket_client: Any, db: Any
) -> None:
    staff(factories, circle)
    kari = auth.client_for("kari")
    socket_client(kari)
    ingrid_socket = socket_client(auth.client_for("ingrid"))
    mona = auth.client_for("mona")
    mona_socket = socket_client(mona)
    body = mona.post("/api/checkins", json=red()).json
    assert (body["alert"]["status"], body["alert"]["team_kind"]) == ("told", "bolig")
    offered = kari.get("/api/alerts/open").json
    assert [(a["patient_name"], a["reason"]) for a in offered] == [("Mona", "red")]
    assert kari.post(f"/api/alerts/{offered[0]['id']}/ack").status_code == 204
    assert kari.post(f"/api/alerts/{offered[0]['id']}/ack").status_code == 204  # twice: the same
    mona_socket.get_received()
    clock.advance(minutes=20)
    run_ticks(app, clock)
    assert events(ingrid_socket, "checkin:alert") == []
    seen = mona.get("/api/alerts/me").json["alert"]
    assert (seen["status"], seen["acknowledged_by"], seen["acknowledged_team_kind"]) == (
        "acknowledged",
        "Kari",
        "bolig",
    )
    assert kari.get("/api/alerts/open").json == []
    alert = db.exec(select(CheckinAlert)).one()
    db.commit()
    assert alert.state == "acknowledged" and alert.tier_position == 0


def test_an_unacknowledged_red_checkin_escalates_with_the_tier_limit_and_survives_a_restart(
    make_app: Any, app: Any, auth: Any, factories: Any, circle: CareCircle, clock: Any, socket_client: Any
) -> None:
    staff(factories, circle)
    kari, ingrid = auth.client_for("kari"), auth.client_for("ingrid")
    server = PushServer()
    try:
        # Push subscriptions are in the database, so a restarted process can reach them.
        for name, client in (("kari", kari), ("ingrid", ingrid)):
            assert subscribe(client, server.url(name)).status_code == 201
        mona = auth.client_for("mona")
        assert mona.post("/api/checkins", json=red()).json["alert"]["status"] == "told"
        clock.advance(minutes=2, seconds=59)
        assert run_ticks(app, clock)["alerts_escalated"] == 0
        clock.advance(seconds=1)
        restarted = make_app(**VAPID)  # deadlines live in the database
        assert run_ticks(restarted, clock)["alerts_escalated"] == 1
        assert [a["patient_name"] for a in ingrid.get("/api/alerts/open").json] == ["Mona"]
        seen = mona.get("/api/alerts/me").json["alert"]
        assert (seen["status"], seen["team_kind"]) == ("passed_on", "kommune")
        # It left Kari's list, but she is still on duty for Mona and may take it.
        alert_id = ingrid.get("/api/alerts/open").json[0]["id"]
        assert kari.get("/api/alerts/open").json == []
        assert kari.post(f"/api/alerts/{alert_id}/ack").status_code == 204
        assert ingrid.post(f"/api/alerts/{alert_id}/ack").status_code == 409
    finally:
        server.close()


def test_every_status_of_her_alert_is_numbered_after_the_one_before(
    app: Any, auth: Any, factories: Any, circle: CareCircle, clock: Any, socket_client: Any
) -> None:
    """Told, passed on, taken: each later status carries a higher number, so
    her phone can keep the newest when two server processes tell it in turn."""
    staff(factories, circle)
    for name in ("kari", "ingrid"):
        socket_client(auth.client_for(name))  # the app is open: the alert is delivered
    mona = auth.client_for("mona")
    mona_socket = socket_client(mona)
    first = mona.post("/api/checkins", json=red()).json["alert"]
    clock.advance(minutes=3)
    assert run_ticks(app, clock)["alerts_escalated"] == 1
    ingrid = auth.client_for("ingrid")
    assert ingrid.post(f"/api/alerts/{first['alert_id']}/ack").status_code == 204

    told = events(mona_socket, "alert:status")
    assert [s["status"] for s in told][-2:] == ["passed_on", "acknowledged"]
    versions = [s["version"] for s in told]
    assert versions == sorted(set(versions)) and first["version"] <= versions[0]
    assert mona.get("/api/alerts/me").json["alert"]["version"] == versions[-1]


def test_every_tier_tried_reaches_the_ceiling_reoffers_and_is_logged(
    app: Any, auth: Any, factories: Any, circle: CareCircle, clock: Any, socket_client: Any
) -> None:
    staff(factories, circle)
    sockets = {n: socket_client(auth.client_for(n)) for n in ("kari", "ingrid", "silje")}
    mona = auth.client_for("mona")
    mona.post("/api/checkins", json=red())
    for _ in range(3):  # bolig, kommune, DPS: 3 minutes each, nobody answers
        clock.advance(minutes=3)
        run_ticks(app, clock)
    seen = mona.get("/api/alerts/me").json
    assert seen["alert"]["status"] == "nobody_reachable"
    assert seen["reachability"]["reachable_kinds"] == ["bolig", "kommune", "dps"]
    for s in sockets.values():
        s.get_received()
    before = len(push.dispatcher(app).history)
    clock.advance(minutes=5)
    assert run_ticks(app, clock)["alerts_reoffered"] == 1
    for name, s in sockets.items():
        assert len(events(s, "checkin:alert")) == 1, name  # everyone on duty, again
    assert len(push.dispatcher(app).history) == before + 3
    rows = gap_rows(auth)
    assert [(r["kind"], r["shown"], r["still_open"], r["reoffers"]) for r in rows] == [
        ("alert_unanswered", "nobody_reachable", True, 1)
    ]
    alert_id = auth.client_for("silje").get("/api/alerts/open").json[0]["id"]
    clock.advance(minutes=2)
    assert auth.client_for("silje").post(f"/api/alerts/{alert_id}/ack").status_code == 204
    closed = gap_rows(auth)[0]
    assert closed["still_open"] is False and closed["minutes"] == 7


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 11, 25, 23, 30, tzinfo=OSLO),
        datetime(2026, 10, 25, 2, 29, tzinfo=OSLO),
        datetime(2027, 3, 28, 2, 30, tzinfo=OSLO),
    ],
    ids=["night", "autumn-0229", "spring-0230"],
)
def test_a_red_checkin_with_nobody_on_duty_is_in_the_gap_log_and_offered_when_someone_comes(
    app: Any,
    auth: Any,
    factories: Any,
    circle: CareCircle,
    clock: Any,
    socket_client: Any,
    moment: datetime,
) -> None:
    # Only bolig days (08-22) are staffed: nights are uncovered.
    clock.set(moment)
    factories.published_roster(circle.bolig, [([circle.kari], [("08:00", "22:00", False)])], start_date=FROM)
    mona = auth.client_for("mona")
    body = mona.post("/api/checkins", json=red()).json
    assert body["alert"]["status"] == "no_one_on_duty"
    reach = body["alert"]["reachability"]
    assert reach["reachable_kinds"] == []
    next_at = datetime.fromisoformat(reach["next_on_duty_at"]).astimezone(OSLO)
    assert (next_at.hour, next_at.minute) == (8, 0)
    rows = gap_rows(auth)
    assert [(r["patient_name"], r["kind"], r["shown"]) for r in rows] == [
        ("Mona", "red_alone", "no_one_on_duty")
    ]
    assert rows[0]["local_hour"] == moment.astimezone(UTC).astimezone(OSLO).hour  # 02:30 in spring is 03:30
    # 08:00: Kari comes on duty with the app open and is offered it.
    kari_socket = socket_client(auth.client_for("kari"))
    clock.set(next_at)
    assert run_ticks(app, clock)["alerts_rerouted"] == 1
    assert len(events(kari_socket, "checkin:alert")) == 1
    row = gap_rows(auth)[0]
    assert row["still_open"] is False
    assert row["minutes"] == int((next_at.astimezone(UTC) - moment.astimezone(UTC)).total_seconds() // 60)


def test_a_red_checkin_with_a_contact_request_makes_one_offer(
    app: Any, auth: Any, factories: Any, circle: CareCircle, socket_client: Any
) -> None:
    staff(factories, circle)
    kari = auth.client_for("kari")
    server = PushServer()
    try:
        assert subscribe(kari, server.url("kari")).status_code == 201
        kari_socket = socket_client(kari)
        body = auth.client_for("mona").post("/api/checkins", json=red(wants_contact=True)).json
        assert body["alert"]["status"] == "in_chat"
        assert (body["contact"]["code"], body["contact"]["tier_kind"]) == ("sent", "bolig")
        got = names(kari_socket)
        assert got.count("chat:offer") == 1 and "checkin:alert" not in got
        assert [u for u, _ in push.dispatcher(app).history] == [circle.kari.id]
    finally:
        server.close()


# --- the chat: a deadline for the holder, a ceiling for every wait ---------------------


def test_a_taken_chat_whose_holder_goes_quiet_is_nudged_then_reoffered(
    app: Any, auth: Any, factories: Any, circle: CareCircle, clock: Any, socket_client: Any, db: Any
) -> None:
    staff(factories, circle)
    kari = auth.client_for("kari")
    kari_socket = socket_client(kari)
    silje_socket = socket_client(auth.client_for("silje"))
    mona = auth.client_for("mona")
    conv = mona.post("/api/chat/messages", json={"client_id": uuid.uuid4().hex, "body": "Hei"}).json
    conversation_id = conv["conversation_id"]
    reply = {"client_id": uuid.uuid4().hex, "body": "Hei Mona, dette er Kari."}
    assert kari.post(f"/api/chat/conversations/{conversation_id}/messages", json=reply).status_code == 201
    clock.advance(minutes=1)
    mona.post("/api/chat/messages", json={"client_id": uuid.uuid4().hex, "body": "Hallo?"})
    kari_socket.get_received()
    clock.advance(minutes=3)
    assert run_ticks(app, clock)["nudged"] == 1
    assert names(kari_socket).count("chat:nudge") == 1
    assert any(u == circle.kari.id and m.title == "new_message" for u, m in push.dispatcher(app).history)
    assert mona.get("/api/chat/conversation").json["status"]["code"] == "answering"
    clock.advance(minutes=3)
    assert run_ticks(app, clock)["reoffered"] == 1
    assert "chat:offer" in names(silje_socket)
    status = mona.get("/api/chat/conversation").json["status"]
    assert status["code"] == "trying_others"
    # Kari still may answer: it is offered to her too.
    late = {"client_id": uuid.uuid4().hex, "body": "Beklager, jeg er her."}
    assert kari.post(f"/api/chat/conversations/{conversation_id}/messages", json=late).status_code == 201
    actions = [d.action for d in db.exec(select(RoutingDecision).order_by(col(RoutingDecision.id))).all()]
    db.commit()
    assert actions[-3:] == ["nudge", "offer_others", "take"]


def test_a_chat_nobody_takes_reaches_the_ceiling_the_patient_is_told_and_everyone_is_pushed_again(
    app: Any, auth: Any, factories: Any, circle: CareCircle, clock: Any, socket_client: Any
) -> None:
    staff(factories, circle)
    admin = auth.client_for("admin")
    circle_path = f"/api/patients/{circle.mona.id}/care-circle"
    current = admin.get(circle_path).json
    update = {
        "tiers": [
            {"team_ids": [t["id"] for t in tier["teams"]], "escalate_after_minutes": 2}
            for tier in current["tiers"]
        ],
        "last_resort": {"label": "DPS akutt", "phone": "55 00 00 00"},
    }
    assert admin.put(circle_path, json=update).status_code == 200
    assert admin.get(circle_path).json["last_resort"] == {"label": "DPS akutt", "phone": "55 00 00 00"}
    mona = auth.client_for("mona")
    mona_socket = socket_client(mona)
    mona.post("/api/chat/messages", json={"client_id": uuid.uuid4().hex, "body": "Er det noen der?"})
    for _ in range(3):
        clock.advance(minutes=2)
        run_ticks(app, clock)
    status = mona.get("/api/chat/conversation").json["status"]
    assert status["code"] == "nobody_reachable"
    assert status["reachability"]["last_resort"] == {"label": "DPS akutt", "phone": "55 00 00 00"}
    assert status["waiting_seconds"] == 6 * 60
    assert any(e["code"] == "nobody_reachable" for e in events(mona_socket, "chat:status"))
    before = len(push.dispatcher(app).history)
    clock.advance(minutes=5)
    assert run_ticks(app, clock)["reoffered"] == 1
    assert len(push.dispatcher(app).history) - before == 3  # Kari, Ingrid, Silje again
    rows = gap_rows(auth)
    assert [(r["kind"], r["shown"], r["reoffers"], r["minutes"]) for r in rows] == [
        ("chat_unanswered", "nobody_reachable", 1, 5)
    ]


def test_a_chat_with_nobody_on_duty_says_so_with_the_next_shift_and_is_logged(
    app: Any, auth: Any, factories: Any, circle: CareCircle, clock: Any
) -> None:
    clock.set(datetime(2026, 11, 27, 23, 15, tzinfo=OSLO))  # a Friday night
    factories.published_roster(circle.bolig, [([circle.kari], [("08:00", "22:00", False)])], start_date=FROM)
    mona = auth.client_for("mona")
    before = mona.get("/api/alerts/me").json["reachability"]
    assert before["reachable_kinds"] == []
    mona.post("/api/chat/messages", json={"client_id": uuid.uuid4().hex, "body": "Hei"})
    status = mona.get("/api/chat/conversation").json["status"]
    assert status["code"] == "nobody_on_duty"
    next_at = datetime.fromisoformat(status["reachability"]["next_on_duty_at"]).astimezone(OSLO)
    assert (next_at.day, next_at.hour) == (28, 8)
    assert [(r["kind"], r["shown"]) for r in gap_rows(auth)] == [("chat_alone", "nobody_on_duty")]


# --- reachability -------------------------------------------------------------------------


def test_supporters_on_duty_show_whether_they_can_be_reached(
    app: Any, auth: Any, factories: Any, circle: CareCircle, socket_client: Any
) -> None:
    staff(factories, circle)
    kari = auth.client_for("kari")
    socket_client(kari)
    ingrid = auth.client_for("ingrid")
    server = PushServer()
    try:
        assert subscribe(auth.client_for("silje"), server.url("silje")).status_code == 201
        rows = {r["display_name"]: r for r in auth.client_for("admin").get("/api/duty/reachability").json}
        assert {n: (r["app_open"], r["push_ok"]) for n, r in rows.items()} == {
            "Kari": (True, False),
            "Ingrid": (False, False),
            "Silje": (False, True),
        }
        assert ingrid.get("/api/duty/me").json == {"on_duty": True, "app_open": False, "push_ok": False}
        mine = kari.get("/api/duty/reachability").json
        assert [r["display_name"] for r in mine] == ["Kari"]  # own teams only
    finally:
        server.close()


def test_what_the_patient_is_told_is_on_duty_changes_at_each_shift_boundary_to_the_second(
    auth: Any, factories: Any, circle: CareCircle, clock: Any
) -> None:
    """Her reachable team kinds are remembered between boundaries (asked with
    every status): never past a shift's end, an override's start or its end."""
    factories.published_roster(circle.bolig, [([circle.kari], [("08:00", "22:00", False)])], start_date=FROM)
    mona = auth.client_for("mona")

    def kinds_at(hour: int, minute: int, second: int) -> list[str]:
        clock.set(datetime(2026, 11, 27, hour, minute, second, tzinfo=OSLO))
        return mona.get("/api/alerts/me").json["reachability"]["reachable_kinds"]

    assert kinds_at(21, 59, 59) == ["bolig"]
    assert kinds_at(22, 0, 0) == []
    factories.override(
        circle.bolig, circle.kari, starts_at=datetime(2026, 11, 27, 22, 30, tzinfo=OSLO), hours=1
    )
    assert kinds_at(22, 29, 59) == []
    assert kinds_at(22, 30, 0) == ["bolig"]
    assert kinds_at(23, 29, 59) == ["bolig"]
    assert kinds_at(23, 30, 0) == []
    assert kinds_at(21, 0, 0) == ["bolig"]  # a clock set back is asked afresh


def test_the_last_resort_number_must_look_like_a_phone_number(
    app: Any, auth: Any, circle: CareCircle
) -> None:
    admin = auth.client_for("admin")
    path = f"/api/patients/{circle.mona.id}/care-circle"
    current = admin.get(path).json
    update = {
        "tiers": [{"team_ids": [t["id"] for t in tier["teams"]]} for tier in current["tiers"]],
        "last_resort": {"label": "DPS", "phone": "ring meg"},
    }
    response = admin.put(path, json=update)
    assert response.status_code == 400
    assert admin.get(path).json["last_resort"] is None


def test_a_new_last_resort_number_is_what_the_patient_sees_next(
    app: Any, auth: Any, circle: CareCircle
) -> None:
    mona = auth.client_for("mona")
    assert mona.get("/api/alerts/me").json["reachability"]["last_resort"] is None
    admin = auth.client_for("admin")
    path = f"/api/patients/{circle.mona.id}/care-circle"
    tiers = [{"team_ids": [t["id"] for t in tier["teams"]]} for tier in admin.get(path).json["tiers"]]
    for label, phone in (("DPS akutt", "55 00 00 00"), ("Legevakt", "116 117")):
        response = admin.put(path, json={"tiers": tiers, "last_resort": {"label": label, "phone": phone}})
        assert response.status_code == 200, response.json
        shown = mona.get("/api/alerts/me").json["reachability"]["last_resort"]
        assert shown == {"label": label, "phone": phone}
    assert admin.put(path, json={"tiers": tiers, "last_resort": None}).status_code == 200
    assert mona.get("/api/alerts/me").json["reachability"]["last_resort"] is None


def test_alerts_move_on_within_a_tick_of_the_limit(
    app: Any, auth: Any, factories: Any, circle: CareCircle, clock: Any, socket_client: Any
) -> None:
    """The scheduler ticks every few seconds, so the next person is told within
    that much of the tier's limit."""
    from nattlys.scheduler import CHAT_TICK_SECONDS

    assert CHAT_TICK_SECONDS <= 5
    staff(factories, circle)
    socket_client(auth.client_for("kari"))
    auth.client_for("mona").post("/api/checkins", json=red())
    clock.advance(minutes=3, seconds=CHAT_TICK_SECONDS)
    assert run_ticks(app, clock)["alerts_escalated"] == 1
    assert timedelta(minutes=3) <= timedelta(minutes=3, seconds=CHAT_TICK_SECONDS)


def test_a_missed_checkin_the_patient_wanted_told_is_acknowledged_or_escalated_too(
    app: Any, auth: Any, factories: Any, circle: CareCircle, clock: Any, socket_client: Any
) -> None:
    from datetime import time

    from nattlys.checkins import reminders
    from nattlys.db import get_db

    staff(factories, circle)
    factories.checkin_schedule(circle.mona, evening_time=time(20, 0), after_missed="tell_on_duty")
    socket_client(auth.client_for("ola"))  # Ola (bolig, from 22:00) has the app open, but does not answer
    ingrid_socket = socket_client(auth.client_for("ingrid"))
    for hhmm in ("20:00", "20:30", "21:00", "21:30", "22:00", "22:05"):
        clock.set(datetime.combine(date(2026, 11, 25), time.fromisoformat(hhmm), tzinfo=OSLO))
        with app.app_context():
            reminders.run(get_db(), at=clock())
    ola_open = auth.client_for("ola").get("/api/alerts/open").json
    assert [(a["patient_name"], a["reason"]) for a in ola_open] == [("Mona", "missed")]
    clock.advance(minutes=3)
    assert run_ticks(app, clock)["alerts_escalated"] == 1
    told = events(ingrid_socket, "checkin:alert")
    assert [(a["reason"], a["patient_id"]) for a in told] == [("missed", circle.mona.id)]
    assert auth.client_for("ingrid").post(f"/api/alerts/{ola_open[0]['id']}/ack").status_code == 204
    assert auth.client_for("mona").get("/api/alerts/me").json["alert"]["status"] == "acknowledged"


def test_the_inbox_puts_tonights_red_first_then_the_longest_wait(
    app: Any, auth: Any, factories: Any, circle: CareCircle, clock: Any
) -> None:
    staff(factories, circle)
    per = factories.patient("per", display_name="Per")
    factories.care_circle(per, [[circle.bolig]])
    auth.client_for("per").post(
        "/api/checkins", json=red(pressure=2, self_harm_urge="none", wants_contact=True)
    )
    clock.advance(minutes=1)
    auth.client_for("mona").post("/api/checkins", json=red(wants_contact=True))
    inbox = auth.client_for("kari").get("/api/chat/inbox").json
    assert [(i["patient_name"], i["latest_checkin_level"]) for i in inbox] == [
        ("Mona", "red"),
        ("Per", "green"),
    ]


def test_after_escalation_the_next_supporter_sees_tonights_red_and_the_answers(
    app: Any, auth: Any, factories: Any, circle: CareCircle, clock: Any
) -> None:
    staff(factories, circle)
    body = auth.client_for("mona").post("/api/checkins", json=red(wants_contact=True)).json
    clock.advance(minutes=3)
    run_ticks(app, clock)  # Kari did not take it: now kommune (Ingrid)
    view = auth.client_for("ingrid").get(f"/api/chat/conversations/{body['conversation_id']}").json
    assert view["offered_to_me"] is True
    assert view["tonight"]["level"] == "red"
    assert view["tonight"]["reasons"] == body["reasons"] and body["reasons"]
    assert view["tonight"]["wants_contact"] is True


def test_an_alert_nobody_could_take_for_half_a_day_expires_and_its_wait_is_counted(
    app: Any, auth: Any, factories: Any, circle: CareCircle, clock: Any
) -> None:
    clock.set(datetime(2026, 11, 25, 23, 30, tzinfo=OSLO))  # nobody on duty: no roster at all
    auth.client_for("mona").post("/api/checkins", json=red())
    clock.advance(hours=12, minutes=1)
    assert run_ticks(app, clock)["alerts_expired"] == 1
    row = gap_rows(auth)[0]
    assert (row["kind"], row["still_open"], row["minutes"]) == ("red_alone", False, 12 * 60 + 1)
    assert auth.client_for("mona").get("/api/alerts/me").json["alert"] is None
