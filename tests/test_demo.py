"""`nattlys demo`: idempotent demo teams, users and care circles."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import func, select
from sqlmodel import Session, col

from nattlys.accounts.models import User
from nattlys.care_circles.models import CareTier, CareTierTeam, Team, TeamMembership
from nattlys.checkins.models import Discharge
from nattlys.clock import OSLO
from nattlys.crypto import keys
from nattlys.next_of_kin.models import NextOfKinConsent
from nattlys.plans.models import CrisisPlan, CrisisPlanProposal
from nattlys.schema import metadata

DEMO_PASSWORD = "demo-passord-123"
TEAMS = {
    "Bolig Askøy": "bolig",
    "Psykisk helse Askøy kommune": "kommune",
    "Øyane DPS akutt": "dps",
}
MEMBERS = {
    "Bolig Askøy": {"bolig1", "bolig2"},
    "Psykisk helse Askøy kommune": {"kommune1", "kommune2"},
    "Øyane DPS akutt": {"dps1", "dps2"},
}
PATIENTS = [f"pasient{n}" for n in range(1, 6)]  # bolig -> kommune -> dps
CIRCLES = {
    **{name: ["bolig", "kommune", "dps"] for name in PATIENTS},
    "pasient6": ["bolig"],
    "pasient7": ["kommune", "dps"],
}


def _counts(db: Session) -> dict[str, int]:
    counts = {
        t.name: int(db.execute(select(func.count()).select_from(t)).scalar_one())
        for t in metadata.sorted_tables
    }
    db.commit()  # end the read (SQLite: it holds the write lock)
    return counts


def _demo(runner: Any, *args: str) -> Any:
    return runner.invoke(args=["demo", *args])


def test_demo_creates_teams_users_and_care_circles(runner: Any, db: Session, clock: Any) -> None:
    result = _demo(runner, "--password", DEMO_PASSWORD)
    assert result.exit_code == 0, result.output
    assert "demo ready: administrators admin admin2;" in result.output

    users = {u.username: u for u in db.scalars(select(User))}
    # Two administrators: disabling a patient's account takes both.
    assert users["admin"].role == users["admin2"].role == "admin"
    assert users["admin2"].display_name == "Administrator 2"
    for name in ("bolig1", "bolig2", "kommune1", "kommune2", "dps1", "dps2"):
        assert users[name].role == "supporter", name
    for name in PATIENTS:
        assert users[name].role == "patient", name
    assert all(u.is_active and u.password_hash for u in users.values())
    # Lene, Mona's next of kin: some sections, told after a red check-in, may say she is worried.
    assert users["parorende1"].role == "next_of_kin"
    consent = db.scalars(select(NextOfKinConsent)).one()
    assert (consent.patient_id, consent.next_of_kin_id) == (users["pasient1"].id, users["parorende1"].id)
    assert consent.sections and consent.notify_on_red and consent.may_signal_worry

    teams = {t.name: t for t in db.scalars(select(Team))}
    assert {name: t.kind for name, t in teams.items()} == TEAMS
    by_id = {u.id: u.username for u in users.values()}
    expected: set[str] | list[str]  # a set of members per team, then a list of tier kinds per circle
    for name, expected in MEMBERS.items():
        member_ids = db.scalars(
            select(col(TeamMembership.user_id)).where(col(TeamMembership.team_id) == teams[name].id)
        )
        assert {by_id[i] for i in member_ids} == expected, name

    kinds = {t.id: t.kind for t in teams.values()}
    for name, expected in CIRCLES.items():
        rows = db.execute(
            select(col(CareTier.position), col(CareTierTeam.team_id))
            .join(CareTierTeam, col(CareTierTeam.tier_id) == col(CareTier.id))
            .where(col(CareTier.patient_id) == users[name].id)
            .order_by(col(CareTier.position))
        ).all()
        assert [kinds[team_id] for _, team_id in rows] == expected, name
    # Jon was discharged five days ago; Eva has a proposal to answer.
    [discharge] = db.scalars(select(Discharge).where(col(Discharge.patient_id) == users["pasient7"].id))
    assert (clock().astimezone(OSLO).date() - discharge.discharge_date).days == 5
    assert discharge.contact_at is None
    pending = db.scalars(
        select(CrisisPlanProposal)
        .join(CrisisPlan, col(CrisisPlan.id) == col(CrisisPlanProposal.plan_id))
        .where(
            col(CrisisPlan.patient_id) == users["pasient6"].id, col(CrisisPlanProposal.status) == "pending"
        )
    )
    assert len(list(pending)) == 1
    db.commit()


def test_running_the_demo_twice_changes_no_row_counts(runner: Any, db: Session) -> None:
    assert _demo(runner, "--password", DEMO_PASSWORD).exit_code == 0
    first = _counts(db)
    # Two administrators, six supporters, seven patients, one next of kin.
    assert first["users"] == 16
    assert first["teams"] == 3
    assert first["audit_entries"] > 0

    result = _demo(runner, "--password", DEMO_PASSWORD)
    assert result.exit_code == 0, result.output
    assert _counts(db) == first


def test_a_demo_patient_logs_in_with_the_given_password(app: Flask, runner: Any, auth: Any) -> None:
    assert _demo(runner, "--password", DEMO_PASSWORD).exit_code == 0
    client: Any = app.test_client()
    response = auth.login(client, "pasient1", DEMO_PASSWORD)
    assert response.json["user"]["role"] == "patient"
    circle = client.get(f"/api/patients/{response.json['user']['id']}/care-circle").json
    assert [tier["teams"][0]["name"] for tier in circle["tiers"]] == list(TEAMS)

    # bolig1 is in pasient1's circle and sees them.
    bolig1 = auth.client_for("bolig1", DEMO_PASSWORD)
    assert "pasient1" in {p["username"] for p in bolig1.get("/api/patients").json}


def test_rerunning_with_a_new_password_replaces_the_old_one(app: Flask, runner: Any, auth: Any) -> None:
    assert _demo(runner, "--password", DEMO_PASSWORD).exit_code == 0
    assert _demo(runner, "--password", "et-nytt-demo-passord").exit_code == 0
    auth.login(app.test_client(), "pasient2", "et-nytt-demo-passord")
    old = app.test_client().post("/api/auth/login", json={"username": "pasient2", "password": DEMO_PASSWORD})
    assert old.status_code == 401


def test_the_demo_refuses_a_common_password(runner: Any, db: Session) -> None:
    result = _demo(runner, "--password", "passord123")
    assert result.exit_code != 0
    assert "guess" in result.output.lower()
    assert _counts(db)["users"] == 0


def test_outside_development_the_demo_needs_a_password(make_app: Any, db: Session) -> None:
    app = make_app(ENV="production", SECRET_KEY=secrets.token_urlsafe(40)[:40], DATA_KEYS=keys.generate("t1"))
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code != 0
    assert "--password" in result.output
    assert _counts(db)["users"] == 0

    ok = app.test_cli_runner().invoke(args=["demo", "--password", DEMO_PASSWORD])
    assert ok.exit_code == 0, ok.output


def test_in_development_the_demo_has_a_default_password(runner: Any, db: Session) -> None:
    result = _demo(runner)
    assert result.exit_code == 0, result.output
    assert _counts(db)["users"] == 16


def test_the_demo_has_a_year_of_history_for_the_outcome_figures(
    app: Flask, runner: Any, db: Session, clock: Any
) -> None:
    from sqlalchemy import text

    from nattlys.audit.models import AuditEntry
    from nattlys.chat.models import Message, RoutingDecision
    from nattlys.outcomes import figures
    from nattlys.outcomes.models import NightOutcome
    from nattlys.rosters import duty

    assert _demo(runner, "--password", DEMO_PASSWORD).exit_code == 0
    now = clock()
    users = {u.username: u for u in db.scalars(select(User))}
    year = [users[name].id for name in PATIENTS]

    # Every month of the year has check-ins and chats from all five: shown, not hidden.
    with app.app_context():
        result = figures.compute(db, at=now)
    whole = {(r.figure, r.month): r for r in result.rows if r.team_id is None and r.tier is None}
    for month in result.months:
        checkins, activity = whole[("checkins", month)], whole[("activity", month)]
        assert not checkins.suppressed and checkins.values["adherence"], month
        assert not activity.suppressed and activity.values["chats"], month
    assert any(r.figure == "response" and not r.suppressed for r in result.rows)

    # A few admissions, each followed by a discharge and a first contact: some within the week, some later.
    nights = db.scalars(select(NightOutcome).where(col(NightOutcome.patient_id).in_(year))).all()
    assert {"nothing", "legevakt", "admission"} <= {n.outcome for n in nights}
    discharges = db.scalars(select(Discharge).where(col(Discharge.patient_id).in_(year))).all()
    assert len(discharges) == sum(n.outcome == "admission" for n in nights) >= 3
    days = [
        (d.contact_at.astimezone(OSLO).date() - d.discharge_date).days for d in discharges if d.contact_at
    ]
    assert len(days) == len(discharges) and min(days) <= 7 < max(days)
    assert all((now.astimezone(OSLO).date() - d.discharge_date).days > 14 for d in discharges)

    # Each chat was taken by a supporter on duty for the patient then; none in the last week but Per's.
    takes = db.scalars(
        select(RoutingDecision).where(
            col(RoutingDecision.action) == "take", col(RoutingDecision.patient_id).in_(year)
        )
    ).all()
    assert len(takes) > 5 * 12
    with app.app_context():
        off = [
            (t.at, t.actor_id, t.patient_id)
            for t in takes
            if not duty.is_on_duty_for(db, supporter_id=t.actor_id, patient_id=t.patient_id, at=t.at)  # type: ignore[arg-type]  # a take has an actor; the column is nullable
        ]
        assert off == []
    recent = db.scalars(select(Message).where(col(Message.created_at) > now - timedelta(days=7))).all()
    assert {m.client_id for m in recent} == {"demo-2230-per", "demo-2230-reply", "demo-2230-per-2"}
    # Stored encrypted like any message, and the history is not anybody's activity in the audit log.
    raw = db.execute(text("SELECT body FROM messages WHERE client_id = 'demo-history-0'")).scalars().all()
    assert raw and all("Hei" not in body for body in raw)
    writes = db.execute(
        select(func.count()).select_from(AuditEntry).where(col(AuditEntry.action) == "chat.write")
    )
    assert writes.scalar_one() == 3
    db.commit()
