"""`nattlys demo`: idempotent demo teams, users and care circles."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Flask
from sqlalchemy import func, select
from sqlmodel import Session, col

from server.accounts.models import User
from server.care_circles.models import CareTier, CareTierTeam, Team, TeamMembership
from server.checkins.models import Discharge
from server.clock import OSLO
from server.crypto import keys
from server.next_of_kin.models import NextOfKinConsent
from server.plans.models import CrisisPlan, CrisisPlanProposal
from server.schema import metadata

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

    users = {u.username: u for u in db.exec(select(User)).scalars()}
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
    consent = db.exec(select(NextOfKinConsent)).scalars().one()
    assert (consent.patient_id, consent.next_of_kin_id) == (users["pasient1"].id, users["parorende1"].id)
    assert consent.sections and consent.notify_on_red and consent.may_signal_worry

    teams = {t.name: t for t in db.exec(select(Team)).scalars()}
    assert {name: t.kind for name, t in teams.items()} == TEAMS
    by_id = {u.id: u.username for u in users.values()}
    for name, expected in MEMBERS.items():
        member_ids = db.exec(
            select(TeamMembership.user_id).where(TeamMembership.team_id == teams[name].id)
        ).scalars()
        assert {by_id[i] for i in member_ids} == expected, name

    kinds = {t.id: t.kind for t in teams.values()}
    for name, expected in CIRCLES.items():
        rows = db.exec(
            select(CareTier.position, CareTierTeam.team_id)
            .join(CareTierTeam, col(CareTierTeam.tier_id) == col(CareTier.id))
            .where(CareTier.patient_id == users[name].id)
            .order_by(col(CareTier.position))
        ).all()
        assert [kinds[team_id] for _, team_id in rows] == expected, name
    # Jon was discharged five days ago; Eva has a proposal to answer.
    [discharge] = db.exec(select(Discharge).where(Discharge.patient_id == users["pasient7"].id)).scalars()
    assert (clock().astimezone(OSLO).date() - discharge.discharge_date).days == 5
    assert discharge.contact_at is None
    pending = db.exec(
        select(CrisisPlanProposal)
        .join(CrisisPlan, col(CrisisPlan.id) == col(CrisisPlanProposal.plan_id))
        .where(CrisisPlan.patient_id == users["pasient6"].id, CrisisPlanProposal.status == "pending")
    ).scalars()
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
    client = app.test_client()
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
