"""Check-ins: submitting, levels and what follows, alerts to whoever is on
duty, reminders across DST and restarts, discharge follow-up, trends."""

# The scene's `circle` and `plan` fixtures are imported by name; test arguments of
# those names use them.
# ruff: noqa: F811

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from nattlys.audit.models import AuditEntry
from nattlys.chat.models import Message
from nattlys.checkins import reminders, timing
from nattlys.checkins.models import Checkin, CheckinAlert, ReminderSent
from nattlys.checkins.plan_link import PlanBits
from nattlys.push import service as push
from tests.push_double import VAPID, Browser, PushServer, subscribe
from tests.scenes.checkins import (
    OSLO,
    SELF_HELP,
    SIGNS,
    answers,
    circle,  # noqa: F401  (the fixture)
    count,
    plan,  # noqa: F401  (the fixture)
    run_job,
    staff,
)
from tests.scenes.world import CareCircle

HEALTH_WORDS = ("selvmord", "skade", "trykk", "Mona", "strong", "suicid", "pressure", "rød", "red", "9")


@pytest.fixture
def app(make_app: Any) -> Any:
    return make_app(**VAPID)


def pushed(app: Any) -> list[tuple[int, push.PushMessage]]:
    return list(push.dispatcher(app).history)


# --- submitting and levels ---------------------------------------------------------


def test_green_check_in_is_stored_and_audited(auth: Any, circle: CareCircle, plan: Any, db: Any) -> None:
    mona = auth.client_for("mona")
    response = mona.post("/api/checkins", json=answers(note="Rolig kveld"))
    assert response.status_code == 201, response.json
    body = response.json
    assert body["level"] == "green" and body["duplicate"] is False
    assert body["self_help"] == [] and body["show_plan"] is False and body["alert"] is None
    assert body["checkin"]["note"] == "Rolig kveld"
    assert count(db, Checkin) == 1
    actions = [a.action for a in db.exec(select(AuditEntry)).all()]
    db.commit()
    assert "checkin.write" in actions


def test_yellow_shows_my_own_self_help_steps(auth: Any, circle: CareCircle, plan: Any) -> None:
    mona = auth.client_for("mona")
    body = mona.post("/api/checkins", json=answers(warning_signs=[1, SIGNS[2].upper()])).json
    assert body["level"] == "yellow"
    assert body["reasons"] == ["yellow.warning_signs"]
    assert body["self_help"] == SELF_HELP
    assert body["checkin"]["warning_signs"] == [SIGNS[1], SIGNS[2]]
    assert body["emergency_numbers"] == [] and body["show_plan"] is False


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"pressure": 11}, "pressure"),
        ({"pressure": -1}, "pressure"),
        ({"mood": 0}, "mood"),
        ({"mood": 6}, "mood"),
        ({"sleep": "bad"}, "sleep"),
        ({"suicidal_thoughts": "maybe"}, "suicidal_thoughts"),
        ({"self_harm_urge": None}, "self_harm_urge"),
        ({"warning_signs": [7]}, "warning_signs"),
        ({"warning_signs": ["Noe som ikke står i planen"]}, "warning_signs"),
        ({"idempotency_key": "x"}, "idempotency_key"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(
    auth: Any, circle: CareCircle, plan: Any, db: Any, change: dict[str, Any], field: str
) -> None:
    response = auth.client_for("mona").post("/api/checkins", json=answers(**change))
    assert response.status_code == 400, response.json
    assert field in response.json["fields"][0]["loc"]
    assert count(db, Checkin) == 0


def test_another_patients_id_is_refused(auth: Any, circle: CareCircle, plan: Any, db: Any) -> None:
    mona = auth.client_for("mona")
    other = circle.per.id
    assert mona.post("/api/checkins", json=answers(patient_id=other)).status_code == 403
    assert mona.get(f"/api/patients/{other}/checkins").status_code == 403
    assert mona.put(f"/api/patients/{other}/checkin-schedule", json={}).status_code == 403
    assert count(db, Checkin) == 0
    assert mona.post("/api/checkins", json=answers(patient_id=circle.mona.id)).status_code == 201


def test_a_duplicate_submission_returns_the_first_and_stores_once(
    app: Any, auth: Any, factories: Any, circle: CareCircle, plan: Any, db: Any, socket_client: Any
) -> None:
    staff(factories, circle)
    kari_socket = socket_client(auth.client_for("kari"))
    mona = auth.client_for("mona")
    same = answers(suicidal_thoughts="strong", pressure=9, wants_contact=True)
    first = mona.post("/api/checkins", json=same)
    again = mona.post("/api/checkins", json={**same, "pressure": 1})
    assert first.status_code == again.status_code == 201
    assert again.json["duplicate"] is True
    assert again.json["checkin"]["id"] == first.json["checkin"]["id"]
    assert again.json["checkin"]["pressure"] == 9 and again.json["level"] == "red"
    # A red check-in with a contact request makes one offer: the chat's.
    assert again.json["alert"]["status"] == "in_chat"
    assert again.json["contact"]["code"] in ("sent", "delivered")
    assert again.json["contact"]["tier_kind"] == "bolig"
    assert count(db, Checkin) == 1
    assert count(db, CheckinAlert) == 1
    assert count(db, Message) == 1
    received = [r["name"] for r in kari_socket.get_received()]
    assert received.count("chat:offer") == 1 and "checkin:alert" not in received


def test_a_resend_is_answered_with_the_stored_check_in_after_the_plans_signs_changed(
    auth: Any, circle: CareCircle, plan: Any, db: Any
) -> None:
    """Her outbox resends the check-in as it was sent; the plan may have lost
    that sign since. The stored check-in is the answer, not an error she
    cannot fix."""
    mona = auth.client_for("mona")
    sent = answers(warning_signs=[SIGNS[2]])
    first = mona.post("/api/checkins", json=sent)
    again = mona.post(
        "/api/checkins", json={**sent, "warning_signs": ["Et tegn som ikke står i planen lenger"]}
    )
    assert first.status_code == again.status_code == 201
    assert again.json["duplicate"] is True and again.json["checkin"]["id"] == first.json["checkin"]["id"]
    assert again.json["checkin"]["warning_signs"] == [SIGNS[2]]
    assert count(db, Checkin) == 1


def test_red_alerts_the_supporter_on_duty_live_and_by_push(
    app: Any, auth: Any, factories: Any, circle: CareCircle, plan: Any, db: Any, socket_client: Any
) -> None:
    staff(factories, circle)
    server = PushServer()
    try:
        kari = auth.client_for("kari")
        browser = Browser()
        assert subscribe(kari, server.url("kari"), browser).status_code == 201
        kari_socket = socket_client(kari)
        ola_socket = socket_client(auth.client_for("ola"))
        silje_socket = socket_client(auth.client_for("silje"))
        mona = auth.client_for("mona")
        body = mona.post(
            "/api/checkins",
            json=answers(suicidal_thoughts="some", pressure=9, note="Jeg orker ikke mer"),
        ).json
        assert body["level"] == "red" and body["reasons"] == ["red.suicidal_and_pressure"]
        assert body["show_plan"] is True and body["offer_chat"] is True
        assert [n["phone"] for n in body["emergency_numbers"]] == ["113", "116 117", "116 123"]
        assert body["self_help"] == SELF_HELP
        assert (body["alert"]["status"], body["alert"]["team_kind"]) == ("told", "bolig")
        alerts = [r["args"][0] for r in kari_socket.get_received() if r["name"] == "checkin:alert"]
        assert len(alerts) == 1
        assert alerts[0]["patient_id"] == circle.mona.id and alerts[0]["level"] == "red"
        assert "Jeg orker" not in str(alerts[0])
        # Only the first tier with someone on duty is told.
        assert ola_socket.get_received() == [] and silje_socket.get_received() == []
        queued = pushed(app)
        assert [(u, m.title) for u, m in queued] == [(circle.kari.id, "someone_needs_you")]
        assert push.dispatcher(app).drain(timeout=10)
        assert len(server.requests) == 1
        payload = browser.decrypt(server.requests[0]["body"])
        assert payload["title"] == "Noen trenger deg"
        for word in HEALTH_WORDS:
            assert word not in json.dumps(payload, ensure_ascii=False), word
    finally:
        server.close()


def test_red_with_nobody_on_duty_records_the_gap(auth: Any, circle: CareCircle, plan: Any, db: Any) -> None:
    body = auth.client_for("mona").post("/api/checkins", json=answers(self_harm_urge="strong")).json
    assert body["level"] == "red"
    assert body["alert"]["status"] == "no_one_on_duty"
    gap = db.exec(select(CheckinAlert)).one()
    db.commit()
    assert gap.outcome == "no_one_on_duty" and gap.reason == "red"


def test_wanting_contact_alone_starts_a_chat_with_the_supporter_on_duty(
    auth: Any, factories: Any, circle: CareCircle, plan: Any, db: Any
) -> None:
    staff(factories, circle)
    mona = auth.client_for("mona")
    body = mona.post("/api/checkins", json=answers(wants_contact=True)).json
    assert body["level"] == "green" and body["offer_chat"] is True
    assert body["conversation_id"] is not None
    inbox = auth.client_for("kari").get("/api/chat/inbox").json
    assert [i["patient_name"] for i in inbox] == ["Mona"]
    messages = mona.get("/api/chat/conversation").json["messages"]
    assert [m["body"] for m in messages] == ["Jeg ønsker at noen tar kontakt i kveld"]


# --- schedules ---------------------------------------------------------------------


def test_schedule_defaults_and_setting_it_together(
    auth: Any, circle: CareCircle, db: Any, factories: Any
) -> None:
    staff(factories, circle)  # Kari is on duty (08-22): she may set times with Mona
    mona = auth.client_for("mona")
    url = f"/api/patients/{circle.mona.id}/checkin-schedule"
    got = mona.get(url).json
    assert got["saved"] is False and got["evening_time"] == "20:00:00" and got["after_missed"] == "nothing"
    put = mona.put(
        url,
        json={
            "evening_time": "20:30",
            "night_time": "23:30",
            "weekdays": [0, 1, 2, 3, 4],
            "quiet_start": "00:30",
            "quiet_end": "07:00",
            "after_missed": "tell_on_duty",
        },
    )
    assert put.status_code == 200, put.json
    assert put.json["saved"] is True and put.json["weekdays"] == [0, 1, 2, 3, 4]
    kari = auth.client_for("kari")
    same_net = {"after_missed": "tell_on_duty"}
    assert kari.put(url, json={"evening_time": "21:00", **same_net}).json["evening_time"] == "21:00:00"
    inside = kari.put(
        url, json={"evening_time": "23:00", "quiet_start": "22:00", "quiet_end": "07:00", **same_net}
    )
    assert inside.status_code == 400 and inside.json["fields"][0]["loc"] == ["evening_time"]
    half = kari.put(url, json={"quiet_start": "22:00", **same_net})
    assert half.status_code == 400
    assert auth.client_for("per.s").get(url).status_code == 403


# --- reminders ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [
        (date(2026, 3, 28), 19),  # still winter time (UTC+1)
        (date(2026, 3, 29), 18),  # summer time from 02:00 (UTC+2)
        (date(2026, 10, 24), 18),
        (date(2026, 10, 25), 19),  # back to winter time
        (date(2027, 3, 28), 18),
        (date(2027, 10, 31), 19),
    ],
)
def test_evening_reminder_time_across_dst(day: date, utc_hour: int) -> None:
    due = timing.local_instant(day, time(20, 0), OSLO)
    assert due == datetime(day.year, day.month, day.day, utc_hour, 0, tzinfo=UTC)
    assert due.astimezone(OSLO).time() == time(20, 0)


def test_wall_times_skipped_or_repeated_by_dst() -> None:
    # 02:30 does not exist on 29 March 2026: it becomes 03:30 summer time.
    skipped = timing.local_instant(date(2026, 3, 29), time(2, 30), OSLO)
    assert skipped.astimezone(OSLO).time() == time(3, 30)
    # 02:30 happens twice on 25 October 2026: the first one (summer time).
    repeated = timing.local_instant(date(2026, 10, 25), time(2, 30), OSLO)
    assert repeated == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "day", [date(2026, 3, 29), date(2026, 10, 25), date(2027, 3, 28), date(2027, 10, 31)]
)
def test_the_job_reminds_at_local_20_00_on_dst_days(
    app: Any, factories: Any, clock: Any, db: Any, day: date
) -> None:
    mona = factories.patient("mona")
    factories.checkin_schedule(mona, evening_time=time(20, 0), night_time=time(23, 30))
    local = datetime.combine(day, time(19, 59), tzinfo=OSLO)
    clock.set(local)
    assert sum(run_job(app, clock).values()) == 0
    clock.set(local + timedelta(minutes=1))
    counts = run_job(app, clock)
    assert counts == {"reminder:in_app": 1}
    clock.set(datetime.combine(day, time(23, 30), tzinfo=OSLO))
    run_job(app, clock)
    rows = db.exec(select(ReminderSent).order_by(col(ReminderSent.id))).all()
    db.commit()
    assert next((r.kind, r.step, r.due_at.astimezone(OSLO).time()) for r in rows) == (
        "evening",
        "reminder",
        time(20, 0),
    )
    assert ("night", "reminder", time(23, 30)) in [
        (r.kind, r.step, r.due_at.astimezone(OSLO).time()) for r in rows
    ]


def test_a_restart_across_the_reminder_time_sends_exactly_one(
    app: Any, make_app: Any, auth: Any, factories: Any, clock: Any, db: Any
) -> None:
    mona = factories.patient("mona")
    factories.checkin_schedule(mona, evening_time=time(20, 0))
    subscribe(auth.client_for("mona"), "https://push.example.net/send/mona")
    clock.set(datetime(2026, 11, 25, 19, 58, tzinfo=OSLO))
    run_job(app, clock)  # the first process, before the time
    second = make_app(**VAPID)  # the restarted process (or a stray second scheduler)
    clock.set(datetime(2026, 11, 25, 20, 3, tzinfo=OSLO))  # it was down across 20:00
    first_counts = run_job(second, clock)
    again = run_job(app, clock)
    run_job(second, clock)
    assert first_counts == {"reminder:pushed": 1}
    assert sum(again.values()) == 0
    assert count(db, ReminderSent) == 1
    titles = [m.title for _, m in pushed(app) + pushed(second)]
    assert titles == ["checkin_evening"]


def test_a_step_another_scheduler_records_in_between_is_neither_doubled_nor_lost(
    app: Any, auth: Any, factories: Any, clock: Any, db: Any, monkeypatch: Any
) -> None:
    """The evening burst records its push steps in batches; a step a second
    scheduler records after this one read what was taken is skipped, and the
    rest of the batch still goes out."""
    mona, siri = factories.patient("mona"), factories.patient("siri")
    for patient in (mona, siri):
        factories.checkin_schedule(patient, evening_time=time(20, 0))
        subscribe(auth.client_for(patient.username), f"https://push.example.net/send/{patient.username}")
    clock.set(datetime(2026, 11, 25, 20, 1, tzinfo=OSLO))
    record_and_push = reminders._record_and_push

    def second_scheduler_first(db: Any, records: list[reminders.StepRecord], counts: Any) -> None:
        taken_elsewhere = next(r for r in records if r["patient_id"] == mona.id)
        db.add(ReminderSent(**taken_elsewhere))
        db.commit()
        record_and_push(db, records, counts)

    monkeypatch.setattr(reminders, "_record_and_push", second_scheduler_first)
    counts = run_job(app, clock)
    assert counts == {"reminder:pushed": 1, "already_taken": 1}
    assert count(db, ReminderSent) == 2
    assert [user_id for user_id, _ in pushed(app)] == [siri.id]


def test_a_reminder_overdue_by_more_than_the_catch_up_window_is_not_sent_late(
    app: Any, factories: Any, clock: Any, db: Any
) -> None:
    mona = factories.patient("mona")
    factories.checkin_schedule(mona, evening_time=time(20, 0))
    clock.set(datetime(2026, 11, 25, 20, 45, tzinfo=OSLO))
    assert sum(run_job(app, clock).values()) == 0
    assert count(db, ReminderSent) == 0


@pytest.mark.parametrize("choice", ["tell_on_duty", "nothing"])
def test_missed_check_in_one_gentle_reminder_then_what_the_patient_chose(
    app: Any,
    auth: Any,
    factories: Any,
    circle: CareCircle,
    clock: Any,
    db: Any,
    socket_client: Any,
    choice: str,
) -> None:
    staff(factories, circle)
    factories.checkin_schedule(circle.mona, evening_time=time(20, 0), after_missed=choice)
    subscribe(auth.client_for("mona"), "https://push.example.net/send/mona")
    ola_socket = socket_client(auth.client_for("ola"))
    steps = []
    for hhmm in ("20:00", "20:30", "21:00", "21:01", "21:30", "22:00", "22:05"):
        clock.set(datetime.combine(date(2026, 11, 25), time.fromisoformat(hhmm), tzinfo=OSLO))
        steps.append(dict(run_job(app, clock)))
    told = "missed:told_on_duty" if choice == "tell_on_duty" else "missed:not_chosen"
    assert [s for s in steps if s] == [{"reminder:pushed": 1}, {"gentle:pushed": 1}, {told: 1}]
    mona_titles = [m.title for u, m in pushed(app) if u == circle.mona.id]
    assert mona_titles == ["checkin_evening", "checkin_evening_waiting"]
    staff_titles = [m.title for u, m in pushed(app) if u != circle.mona.id]
    alerts = [r for r in ola_socket.get_received() if r["name"] == "checkin:alert"]
    if choice == "tell_on_duty":
        assert staff_titles == ["checkin_evening_missed"]  # Ola is on duty from 22:00
        assert len(alerts) == 1 and alerts[0]["args"][0]["reason"] == "missed"
    else:
        assert staff_titles == [] and alerts == []


def test_no_gentle_reminder_when_the_check_in_is_done(
    app: Any, auth: Any, factories: Any, circle: CareCircle, plan: Any, clock: Any
) -> None:
    factories.checkin_schedule(circle.mona, evening_time=time(20, 0), after_missed="tell_on_duty")
    clock.set(datetime(2026, 11, 25, 20, 0, tzinfo=OSLO))
    assert run_job(app, clock) == {"reminder:in_app": 1}
    mona = auth.client_for("mona")
    assert mona.get("/api/checkins/state").json["pending_reminder"]["title"] == "checkin_evening"
    clock.set(datetime(2026, 11, 25, 20, 10, tzinfo=OSLO))
    mona.post("/api/checkins", json=answers())
    assert mona.get("/api/checkins/state").json["pending_reminder"] is None
    clock.set(datetime(2026, 11, 25, 21, 0, tzinfo=OSLO))
    assert run_job(app, clock) == {"gentle:done": 1}
    clock.set(datetime(2026, 11, 25, 22, 0, tzinfo=OSLO))
    assert run_job(app, clock) == {"missed:done": 1}


def test_without_a_subscription_the_reminder_waits_in_the_app(
    app: Any, auth: Any, factories: Any, clock: Any
) -> None:
    mona = factories.patient("mona")
    factories.checkin_schedule(mona, evening_time=time(21, 15))
    clock.set(datetime(2026, 11, 25, 21, 15, tzinfo=OSLO))
    assert run_job(app, clock) == {"reminder:in_app": 1}
    assert pushed(app) == []
    pending = auth.client_for("mona").get("/api/checkins/state").json["pending_reminder"]
    assert pending["kind"] == "evening" and pending["pushed"] is False


def test_no_reminder_pushed_in_quiet_hours(app: Any, auth: Any, factories: Any, clock: Any) -> None:
    mona = factories.patient("mona")
    factories.checkin_schedule(mona, evening_time=time(22, 0), quiet_start=time(22, 30), quiet_end=time(7, 0))
    subscribe(auth.client_for("mona"), "https://push.example.net/send/mona")
    clock.set(datetime(2026, 11, 25, 22, 0, tzinfo=OSLO))
    assert run_job(app, clock) == {"reminder:pushed": 1}
    clock.set(datetime(2026, 11, 25, 23, 0, tzinfo=OSLO))
    assert run_job(app, clock) == {"gentle:quiet": 1}
    assert [m.title for _, m in pushed(app)] == ["checkin_evening"]


# --- discharge follow-up -----------------------------------------------------------


def test_after_discharge_daily_check_ins_and_the_recently_discharged_list(
    app: Any, auth: Any, factories: Any, circle: CareCircle, clock: Any
) -> None:
    staff(factories, circle)
    # Check-ins on Mondays only: a Wednesday brings no reminder...
    factories.checkin_schedule(circle.mona, evening_time=time(20, 0), weekdays=0b0000001)
    clock.set(datetime(2026, 11, 25, 20, 0, tzinfo=OSLO))
    assert sum(run_job(app, clock).values()) == 0
    kari = auth.client_for("kari")
    mona_id = circle.mona.id
    recorded = kari.post(f"/api/patients/{mona_id}/discharges", json={"discharge_date": "2026-11-25"})
    assert recorded.status_code == 201, recorded.json
    assert recorded.json["follow_up_until"] == "2026-12-09"
    # ...but after a discharge every day does, for 14 days.
    clock.set(datetime(2026, 11, 26, 20, 0, tzinfo=OSLO))
    assert run_job(app, clock) == {"reminder:in_app": 1}
    kari = auth.client_for("kari")  # a new staff session the next evening
    listed = kari.get("/api/checkins/recently-discharged").json
    assert [(i["patient_name"], i["day"]) for i in listed] == [("Mona", 1)]
    assert auth.client_for("silje").get("/api/checkins/recently-discharged").json == listed  # on duty too
    assert auth.client_for("per.s").get("/api/checkins/recently-discharged").json == []
    future = kari.post(f"/api/patients/{mona_id}/discharges", json={"discharge_date": "2026-12-30"})
    assert future.status_code == 400
    contact = kari.post(f"/api/patients/{mona_id}/discharges/contact")
    assert contact.status_code == 200 and contact.json["contact_by_name"] == "Kari"
    assert kari.get("/api/checkins/recently-discharged").json == []
    clock.set(datetime(2026, 12, 9, 20, 0, tzinfo=OSLO))  # day 14: still daily
    assert run_job(app, clock) == {"reminder:in_app": 1}
    clock.set(datetime(2026, 12, 10, 20, 0, tzinfo=OSLO))  # a Thursday after the period
    assert sum(run_job(app, clock).values()) == 0
    assert auth.client_for("mona").post(f"/api/patients/{mona_id}/discharges", json={}).status_code == 403


# --- trends and tonight ------------------------------------------------------------


def test_trends_for_the_patient_and_those_on_duty_audited_for_staff(
    auth: Any, factories: Any, circle: CareCircle, plan: Any, clock: Any, db: Any
) -> None:
    staff(factories, circle)
    mona = auth.client_for("mona")
    for days_ago, pressure in ((30, 7), (10, 3), (2, 6), (0, 9)):
        clock.set(datetime(2026, 11, 25, 20, 30, tzinfo=OSLO) - timedelta(days=days_ago))
        extra = {"warning_signs": [0]} if pressure == 6 else {}
        mona.post("/api/checkins", json=answers(pressure=pressure, **extra))
    url = f"/api/patients/{circle.mona.id}/checkins"
    own = mona.get(url).json
    assert [p["pressure"] for p in own["points"]] == [3, 6, 9]
    assert [i["pressure"] for i in own["items"]] == [9, 6, 3]
    assert [p["level"] for p in own["points"]] == ["green", "yellow", "yellow"]
    before = count(db, AuditEntry)
    kari_view = auth.client_for("kari").get(url + "?days=7").json  # on duty 08-22
    assert [p["pressure"] for p in kari_view["points"]] == [6, 9]
    assert kari_view["items"][1]["warning_signs"] == [SIGNS[0]]
    reads = db.exec(select(AuditEntry).where(AuditEntry.action == "checkin.read")).all()
    db.commit()
    assert count(db, AuditEntry) > before and reads[-1].patient_id == circle.mona.id
    assert auth.client_for("per.s").get(url).status_code == 403
    # Ola is in the circle but works nights from 22:00: not yet.
    off_duty = auth.client_for("ola").get(url)
    assert off_duty.status_code == 403 and off_duty.json["error"] == "break_glass_available"
    assert mona.get(url + "?days=500").status_code == 400


def test_warning_signs_hidden_from_a_team_kind_the_patient_did_not_share_with(
    auth: Any, factories: Any, circle: CareCircle, plan: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    staff(factories, circle)
    private = PlanBits(
        warning_signs=SIGNS, self_help=SELF_HELP, sharing={"warning_signs": ["dps"]}, exists=True
    )
    monkeypatch.setattr("nattlys.checkins.plan_link.plan_bits", lambda db, patient_id: private)
    auth.client_for("mona").post("/api/checkins", json=answers(warning_signs=[0, 1]))
    url = f"/api/patients/{circle.mona.id}/checkins"
    kari_item = auth.client_for("kari").get(url).json["items"][0]
    # Neither the signs, nor how many, nor that they made the check-in yellow.
    assert kari_item["warning_signs"] is None and kari_item["warning_sign_count"] is None
    assert kari_item["level"] == "yellow" and "yellow.warning_signs" not in kari_item["reasons"]
    silje_item = auth.client_for("silje").get(url).json["items"][0]
    assert silje_item["warning_signs"] == SIGNS[:2] and silje_item["warning_sign_count"] == 2
    assert "yellow.warning_signs" in silje_item["reasons"]


def test_tonight_lists_my_on_duty_patients_red_first(
    auth: Any, factories: Any, circle: CareCircle, plan: Any, clock: Any
) -> None:
    staff(factories, circle)
    mona = auth.client_for("mona")
    per = auth.client_for("per")
    clock.set(datetime(2026, 11, 25, 15, 0, tzinfo=OSLO))
    mona.post("/api/checkins", json=answers(pressure=9))  # before 16:00: not tonight
    clock.set(datetime(2026, 11, 25, 18, 0, tzinfo=OSLO))
    mona.post("/api/checkins", json=answers(self_harm_urge="strong"))
    clock.set(datetime(2026, 11, 25, 19, 0, tzinfo=OSLO))
    mona.post("/api/checkins", json=answers(pressure=1))
    per.post("/api/checkins", json=answers(pressure=7))
    clock.set(datetime(2026, 11, 25, 20, 0, tzinfo=OSLO))
    kari_list = auth.client_for("kari").get("/api/checkins/tonight").json
    assert [(i["patient_name"], i["checkin"]["level"]) for i in kari_list] == [
        ("Mona", "red"),
        ("Mona", "green"),
    ]
    silje_list = auth.client_for("silje").get("/api/checkins/tonight").json
    assert [(i["patient_name"], i["checkin"]["level"]) for i in silje_list] == [
        ("Mona", "red"),
        ("Per", "yellow"),
        ("Mona", "green"),
    ]
    assert auth.client_for("ola").get("/api/checkins/tonight").json == []  # not on duty until 22:00


# --- with the real crisis plan and the demo ----------------------------------------


def test_demo_gives_schedules_history_and_a_red_for_pasient2(
    app: Any, runner: Any, auth: Any, db: Any, clock: Any
) -> None:
    from nattlys.accounts.models import User
    from nattlys.checkins.models import CheckinSchedule

    result = runner.invoke(args=["demo", "--password", "demo-passord-123"])
    assert result.exit_code == 0, result.output
    first = count(db, Checkin)
    assert count(db, CheckinSchedule) == 7  # pasient1..pasient7
    again = runner.invoke(args=["demo", "--password", "demo-passord-123"])
    assert again.exit_code == 0 and count(db, Checkin) == first  # idempotent
    users = {u.username: u for u in db.exec(select(User)).all()}
    history = {
        name: db.exec(select(Checkin).where(Checkin.patient_id == users[name].id)).all()
        for name in (f"pasient{n}" for n in range(1, 8))
    }
    db.commit()
    # A year behind pasient1..pasient5 (some evenings missed), four weeks behind pasient6 and pasient7.
    for name, rows in history.items():
        oldest = (clock() - min(r.created_at for r in rows)).days
        assert (oldest in range(360, 366)) if name <= "pasient5" else (oldest in range(20, 29)), (
            name,
            oldest,
        )
        assert len(rows) < (366 if name <= "pasient5" else 29), name
    year = [r for name, rows in history.items() if name <= "pasient5" for r in rows]
    share = {level: sum(r.level == level for r in year) / len(year) for level in ("green", "yellow", "red")}
    assert share["green"] > 0.6 and 0.1 < share["yellow"] < 0.35 and 0 < share["red"] < 0.05, share
    # Per's latest red evening is a week ago (the demo's "what happened" record is about it).
    red = max((r for r in history["pasient2"] if r.level == "red"), key=lambda r: r.created_at)
    assert 6 <= (clock() - red.created_at).days <= 7
    # The patient's own warning signs come from their real crisis plan.
    client = auth.client_for("pasient1", "demo-passord-123")
    signs = client.get("/api/checkins/state").json["warning_signs"]
    assert signs, "the demo plan has warning signs"
    body = client.post("/api/checkins", json=answers(warning_signs=[0])).json
    assert body["level"] == "yellow" and body["checkin"]["warning_signs"] == [signs[0]]
    assert body["self_help"], "the demo plan has self-help steps"
    chart = client.get(f"/api/patients/{body['checkin']['patient_id']}/checkins").json
    assert chart["points"][-1]["level"] == "yellow"


def test_a_resent_red_checkin_tells_the_patient_the_same_as_the_first(
    auth: Any, factories: Any, circle: CareCircle, plan: Any, socket_client: Any
) -> None:
    staff(factories, circle)
    socket_client(auth.client_for("kari"))
    mona = auth.client_for("mona")
    red = answers(suicidal_thoughts="strong")
    first = mona.post("/api/checkins", json=red).json
    again = mona.post("/api/checkins", json=red).json
    assert again["duplicate"] is True
    assert again["alert"] == first["alert"]
    assert (first["alert"]["status"], first["alert"]["team_kind"]) == ("told", "bolig")


def test_a_reminder_push_lost_with_its_process_is_sent_again_once(
    app: Any, auth: Any, factories: Any, circle: CareCircle, clock: Any, db: Any, monkeypatch: Any
) -> None:
    """The scheduler records the 20:00 step and is killed before the push goes
    out. The next scheduler sends it again, once; a confirmed one never."""
    factories.checkin_schedule(circle.mona, evening_time=time(20, 0))
    subscribe(auth.client_for("mona"), "https://push.example.net/send/mona")
    clock.set(datetime(2026, 11, 25, 20, 0, tzinfo=OSLO))
    with monkeypatch.context() as died:
        died.setattr(push.PushDispatcher, "submit", lambda *args, **kwargs: None)
        assert dict(run_job(app, clock)) == {"reminder:pushed": 1}
    reminders._in_flight.clear()  # a new process: nothing of the old one's is under way
    assert db.exec(select(ReminderSent.outcome)).all() == ["pushing"]
    db.commit()
    assert pushed(app) == []

    clock.advance(minutes=4)
    assert dict(run_job(app, clock)) == {}, "the first sender may still be at it"
    clock.advance(minutes=1)
    assert dict(run_job(app, clock)) == {"resent": 1}
    assert push.dispatcher(app).drain()
    assert [m.title for _, m in pushed(app)] == ["checkin_evening"]
    assert db.exec(select(ReminderSent.outcome)).all() == ["pushed"]
    db.commit()

    clock.advance(minutes=10)
    run_job(app, clock)
    assert len(pushed(app)) == 1, "sent once more, not twice"
