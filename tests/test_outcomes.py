"""Outcome figures: what an administrator reads per month and team, with
groups under five patients suppressed, every read audited, and the "what
happened" record a supporter in the circle adds after a night."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, select

from nattlys.accounts.models import User
from nattlys.alerts.models import CareGap
from nattlys.audit.models import AuditEntry
from nattlys.care_circles.models import Team, TeamKind
from nattlys.chat.models import Conversation, Message, RoutingDecision
from nattlys.checkins.models import Checkin, ReminderSent
from nattlys.outcomes.models import NightOutcome

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # 13:00 in Oslo


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


@dataclass
class Town:
    patients: list[User]
    bolig: Team
    kommune: Team
    supporter: User
    admin: User


def _message(db: Session, conv: Conversation, sender: Any, at: datetime, n: int) -> None:
    db.add(
        Message(
            conversation_id=conv.id,
            sender_id=sender.id,
            sender_role=sender.role,
            client_id=f"m{n}",
            body="hei",
            created_at=at,
        )
    )
    db.flush()


def _decision(db: Session, conv: Conversation, action: str, tier: int, at: datetime) -> None:
    db.add(
        RoutingDecision(
            conversation_id=conv.id,
            patient_id=conv.patient_id,
            at=at,
            action=action,
            tier_position=tier,
            reason="test",
        )
    )


def _checkin(db: Session, patient: Any, at: datetime, level: str, key: str) -> None:
    db.add(
        Checkin(
            patient_id=patient.id,
            idempotency_key=key,
            created_at=at,
            pressure=2,
            mood=3,
            sleep="ok",
            self_harm_urge="no",
            suicidal_thoughts="no",
            level=level,
        )
    )


@pytest.fixture
def town(factories: Any, db: Session, clock: Any) -> Town:
    """Five patients in Bolig's circles; the first four also have Kommune as
    their second tier (a group of four). November 2026, Oslo winter time."""
    clock.set(NOW)
    supporter = factories.supporter()
    bolig = factories.team(TeamKind.bolig, members=[supporter], name="Bolig Test")
    kommune = factories.team(TeamKind.kommune, name="Kommune Test")
    patients = [factories.patient() for _ in range(5)]
    for i, p in enumerate(patients):
        factories.care_circle(p, [[bolig], [kommune]] if i < 4 else [[bolig]])
    admin = factories.admin()

    # Discharged on 2 November; first contact after 1, 3, 10, none and 7 days.
    for p, contact in zip(patients, (utc(3, 10), utc(5, 9), utc(12, 9), None, utc(9, 9)), strict=True):
        d = factories.discharge(p, date(2026, 11, 2))
        d.contact_at = contact
        db.add(d)

    n = 0
    for i, p in enumerate(patients):
        conv = factories.conversation(p)
        asked = utc(10, 22)  # 23:00 in Oslo
        _decision(db, conv, "offer", 0, asked)
        _message(db, conv, p, asked, n := n + 1)
        _message(db, conv, p, asked + timedelta(seconds=30), n := n + 1)  # the same wait
        _message(db, conv, supporter, asked + timedelta(seconds=60 * (i + 1)), n := n + 1)
        if i == 4:  # a second wait at 10:00, escalated and answered in tier 1
            asked = utc(11, 9)
            _decision(db, conv, "offer", 0, asked)
            _message(db, conv, p, asked, n := n + 1)
            _decision(db, conv, "escalate", 1, asked + timedelta(minutes=3))
            _message(db, conv, supporter, asked + timedelta(minutes=10), n := n + 1)
        # Check-ins at 21:00 and 12:00 Oslo; one red, one yellow.
        _checkin(db, p, utc(10, 20), {0: "red", 1: "yellow"}.get(i, "green"), f"a{i}")
        _checkin(db, p, utc(11, 11), "green", f"b{i}")
        for day in (10, 11):
            done = not (i == 0 and day == 11)
            db.add(
                ReminderSent(
                    patient_id=p.id,
                    local_date=date(2026, 11, day),
                    kind="evening",
                    step="missed",
                    due_at=utc(day, 21),
                    sent_at=utc(day, 21),
                    outcome="done" if done else "not_chosen",
                )
            )
        db.add(NightOutcome(patient_id=p.id, night=date(2026, 11, 10), outcome=("nothing", "nothing", "legevakt", "admission", "nothing")[i], recorded_at=NOW))  # fmt: skip

    # A summer check-in at 22:30 Oslo time (20:30 UTC): the hour is read in summer time.
    _checkin(db, patients[0], datetime(2026, 7, 1, 20, 30, tzinfo=UTC), "green", "summer")
    # The gap log: two hours and a half alone, two red check-ins with nobody on
    # duty for an hour, and a wait where every tier was tried.
    gaps = [
        (patients[2], "chat_alone", utc(12, 1), utc(12, 3, 30)),
        (patients[0], "red_alone", utc(13, 1), utc(13, 2)),
        (patients[1], "red_alone", utc(13, 1), utc(13, 2)),
        (patients[3], "chat_unanswered", utc(14, 1), utc(14, 1, 20)),
    ]
    for p, kind, start, end in gaps:
        db.add(CareGap(patient_id=p.id, kind=kind, started_at=start, ended_at=end, shown="test"))
    db.commit()
    return Town(patients=patients, bolig=bolig, kommune=kommune, supporter=supporter, admin=admin)


def figures(auth: Any, town: Town, **query: Any) -> dict[str, Any]:
    response = auth.client_for(town.admin.username).get("/api/outcomes", query_string=query)
    assert response.status_code == 200, response.json
    return response.json


def row(
    data: dict[str, Any], figure: str, team: Any, month: str | None = "2026-11", **keys: Any
) -> dict[str, Any]:
    team_id = team.id if team is not None else None
    (found,) = [
        r
        for r in data["rows"]
        if r["figure"] == figure
        and r["team_id"] == team_id
        and r["month"] == month
        and all(r[k] == v for k, v in keys.items())
    ]
    return found


def test_contact_within_seven_days_of_discharge_against_the_baseline(auth: Any, town: Town) -> None:
    data = figures(auth, town)
    follow = row(data, "follow_up", town.bolig)
    assert follow["patients"] == 5 and not follow["suppressed"]
    assert follow["values"] == {
        "discharges": 5,
        "contact_within_7_days": 3,
        "waiting_under_7_days": 0,
        "share_within_7_days": 0.6,
        "days_to_contact_median": 3,
        "days_to_contact_p90": 10,
    }
    assert data["assumptions"]["baseline_contact_within_7_days"] == 0.45
    assert data["months"][-1] == "2026-11" and len(data["months"]) == 12


def test_chats_and_checkins_by_hour_and_out_of_office_hours(auth: Any, town: Town) -> None:
    data = figures(auth, town)
    activity = row(data, "activity", None)
    assert activity["values"]["chats"] == 6  # the second message of a wait is the same wait
    assert activity["values"]["share_chats_out_of_hours"] == 0.8333
    assert activity["values"]["checkins"] == 10
    assert activity["values"]["share_checkins_out_of_hours"] == 0.5
    hours = {
        r["hour"]: r["values"] for r in data["rows"] if r["figure"] == "by_hour" and r["team_id"] is None
    }
    assert hours[23]["chats"] == 5 and hours[10]["chats"] == 1
    assert hours[21]["checkins"] == 5 and hours[12]["checkins"] == 5
    assert hours[22]["checkins"] == 1  # 20:30 UTC in July is 22:30 in Oslo


def test_time_to_first_human_answer_per_tier_escalations_and_nights_alone(auth: Any, town: Town) -> None:
    data = figures(auth, town)
    tier0 = row(data, "response", town.bolig, tier=0)
    assert tier0["values"] == {"answered": 5, "seconds_median": 180, "seconds_p90": 300}
    tier1 = row(data, "response", town.bolig, tier=1)  # one patient: suppressed
    assert tier1["suppressed"] and tier1["values"]["seconds_median"] is None
    escalation = row(data, "escalation", None)
    assert escalation["values"] == {
        "escalations": 1,
        "reached_last_resort": 1,
        "unanswered_chats": 0,
        "hours_nobody_on_duty": 4.5,
    }


def test_hours_nobody_on_duty_are_summed_in_seconds_before_rounding(
    auth: Any, town: Town, db: Session
) -> None:
    """Three nights alone of 21 minutes are 1.05 hours: 1.1, on SQLite as on
    PostgreSQL (adding 0.35 hours three times in floating point gave 1.0)."""
    for i, p in enumerate(town.patients):
        start = datetime(2026, 10, 10 + i, 1, tzinfo=UTC)
        kind = "chat_alone" if i < 3 else "chat_unanswered"
        ended = start + timedelta(minutes=21 if i < 3 else 5)
        db.add(CareGap(patient_id=p.id, kind=kind, started_at=start, ended_at=ended, shown="test"))
    db.commit()
    escalation = row(figures(auth, town), "escalation", None, month="2026-10")
    assert escalation["values"]["hours_nobody_on_duty"] == 1.1


def test_the_first_half_hour_of_a_month_and_the_nights_the_clocks_change(
    auth: Any, town: Town, db: Session
) -> None:
    """00:30 in Oslo on 1 July (summer time, 22:30 UTC the day before) and on
    1 November (winter time, 23:30 UTC) is hour 0 of the new month; on the
    nights the clocks change, 00:30 and 01:30 UTC are 01:30 and 03:30 in March
    and both 02:30 in October."""
    for i, p in enumerate(town.patients):
        _checkin(db, p, datetime(2026, 6, 30, 22, 30, tzinfo=UTC), "green", f"july{i}")
        _checkin(db, p, datetime(2026, 10, 31, 23, 30, tzinfo=UTC), "green", f"november{i}")
    for n, at in enumerate(
        datetime(2026, m, d, h, 30, tzinfo=UTC) for m, d in ((3, 29), (10, 25)) for h in (0, 1)
    ):
        _checkin(db, town.patients[0], at, "green", f"change{n}")
    db.commit()
    data = figures(auth, town)
    assert row(data, "activity", None, month="2026-07")["values"]["checkins"] == 6  # and the 22:30 one
    assert row(data, "activity", None)["values"]["checkins"] == 15
    assert not [r for r in data["rows"] if r["figure"] == "activity" and r["month"] == "2026-06"]
    hours = {
        r["hour"]: r["values"]["checkins"]
        for r in data["rows"]
        if r["figure"] == "by_hour" and r["team_id"] is None
    }
    assert (hours[0], hours[1], hours[2], hours[3], hours[22], hours[23]) == (10, 1, 2, 1, 1, 0)


def test_a_single_month_without_a_change_of_the_clocks(auth: Any, town: Town) -> None:
    data = figures(auth, town, months=1)
    assert data["months"] == ["2026-11"]
    assert row(data, "activity", None) == row(figures(auth, town), "activity", None)


def test_checkin_adherence_and_yellow_and_red_only_as_aggregates(auth: Any, town: Town) -> None:
    data = figures(auth, town)
    checkins = row(data, "checkins", town.bolig)
    assert checkins["values"] == {
        "checkins": 10,
        "share_yellow": 0.1,
        "share_red": 0.1,
        "scheduled": 10,
        "scheduled_done": 9,
        "adherence": 0.9,
    }
    # Counts are whole numbers on every database (PostgreSQL sums counts as numeric).
    counts = [checkins["values"][k] for k in ("checkins", "scheduled", "scheduled_done")]
    assert [type(n) for n in counts] == [int, int, int]
    assert all("patient_id" not in r for r in data["rows"])


def test_what_happened_after_nights_with_the_cost_assumption(auth: Any, town: Town) -> None:
    data = figures(auth, town)
    nights = row(data, "nights", town.bolig)
    assert nights["values"] == {
        "nothing": 3,
        "legevakt": 1,
        "admission": 1,
        "police": 0,
        "cost_avoided_nok_estimate": 142_500,
        "cost_of_admissions_nok_estimate": 47_500,
    }
    assert data["assumptions"]["cost_per_round_nok"] == 47_500
    assert "assumes" in data["assumptions"]["cost_avoided_means"]


def test_a_group_of_four_patients_is_suppressed_not_rounded(auth: Any, town: Town) -> None:
    data = figures(auth, town)
    for figure in ("follow_up", "activity", "checkins", "nights"):
        small = row(data, figure, town.kommune)
        assert small["suppressed"] is True
        assert small["patients"] is None
        assert set(small["values"].values()) == {None}
    assert row(data, "follow_up", town.bolig)["suppressed"] is False


def test_reading_and_exporting_the_figures_is_audited(auth: Any, town: Town, db: Session) -> None:
    admin = auth.client_for(town.admin.username)
    assert admin.get("/api/outcomes").status_code == 200
    assert admin.get("/api/outcomes.csv").status_code == 200
    rows = db.exec(
        select(AuditEntry)
        .where(col(AuditEntry.object_type) == "outcome_figures")
        .order_by(col(AuditEntry.id))
    ).all()
    assert [(r.action, r.actor_id, r.patient_id, r.at) for r in rows] == [
        ("outcomes.read", town.admin.id, None, NOW),
        ("outcomes.export", town.admin.id, None, NOW),
    ]


def test_the_csv_holds_the_same_numbers_as_the_json(auth: Any, town: Town) -> None:
    admin = auth.client_for(town.admin.username)
    data = admin.get("/api/outcomes").json
    response = admin.get("/api/outcomes.csv")
    assert response.mimetype == "text/csv"
    lines = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    expected = [
        (r["figure"], r["team_id"], r["month"], r["tier"], r["hour"], r["suppressed"], measure, value)
        for r in data["rows"]
        for measure, value in r["values"].items()
    ]

    def parsed(line: dict[str, str]) -> tuple[Any, ...]:
        def number(text: str) -> Any:
            return None if text == "" else (float(text) if "." in text else int(text))

        return (
            line["figure"],
            number(line["team_id"]),
            line["month"] or None,
            number(line["tier"]),
            number(line["hour"]),
            line["suppressed"] == "true",
            line["measure"],
            number(line["value"]),
        )

    assert sorted(map(parsed, lines), key=repr) == sorted(expected, key=repr)
    assert {line["team"] for line in lines} >= {"Bolig Test", "Kommune Test", ""}


def test_a_supporter_in_the_circle_records_what_happened_and_the_patient_sees_it(
    auth: Any, town: Town, factories: Any, db: Session
) -> None:
    patient = town.patients[0]
    staff = auth.client_for(town.supporter.username)
    path = f"/api/patients/{patient.id}/night-outcomes"
    saved = staff.post(path, json={"night": "2026-11-19", "outcome": "legevakt"})
    assert saved.status_code == 201, saved.json
    assert saved.json["outcome"] == "legevakt"
    changed = staff.post(path, json={"night": "2026-11-19", "outcome": "admission"})
    assert changed.json["id"] == saved.json["id"] and changed.json["outcome"] == "admission"
    assert staff.post(path, json={"night": "2026-11-21", "outcome": "nothing"}).status_code == 400

    outsider = factories.supporter()
    factories.team(TeamKind.dps, members=[outsider])
    refused = auth.client_for(outsider.username).post(path, json={"night": "2026-11-19", "outcome": "police"})
    assert refused.status_code == 403

    seen = auth.client_for(patient.username).get("/api/me/audit").json
    assert [(e["action"], e["actor_id"]) for e in seen if e["object_type"] == "night_outcome"] == [
        ("outcome.write", town.supporter.id),
        ("outcome.write", town.supporter.id),
    ]
