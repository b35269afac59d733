"""One-time invitation links: creating patients, choosing a password, re-issuing."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlmodel import Session, col

from nattlys.accounts.models import User
from nattlys.care_circles.models import TeamKind
from nattlys.schema import metadata
from tests.invitation_links import NEW_PASSWORD, link_token, lookup_link


def _create_patient(client: Any, username: str = "ny-pasient", **extra: Any) -> Any:
    return client.post("/api/patients", json={"username": username, "display_name": "Mona Ny", **extra})


def _stored_user(db: Session, user_id: int) -> User:
    user = db.get(User, user_id, populate_existing=True)
    db.commit()  # end the read (SQLite: it holds the write lock)
    assert user is not None
    return user


@pytest.fixture
def admin_client(factories: Any, auth: Any) -> Any:
    return auth.client_for(factories.admin("admin-inv").username)


def test_admin_creates_a_patient_with_an_invitation(app: Flask, admin_client: Any, clock: Any) -> None:
    response = _create_patient(admin_client)
    assert response.status_code == 201, response.json
    body = response.json
    assert body["patient"]["username"] == "ny-pasient"
    assert body["patient"]["has_password"] is False
    invitation = body["invitation"]
    assert invitation["url"].startswith("http://localhost/#/invitasjon/")
    assert len(link_token(invitation)) >= 32
    expires = datetime.fromisoformat(invitation["expires_at"])
    assert expires == clock() + timedelta(hours=72)
    assert invitation["qr_svg"].lstrip().startswith("<svg")
    assert invitation["qr_svg"].rstrip().endswith("</svg>")

    lookup = lookup_link(app, link_token(invitation))
    assert lookup.status_code == 200
    assert lookup.json["display_name"] == "Mona Ny"
    assert lookup.json["role"] == "patient"


def test_public_base_url_is_used_for_the_link(make_app: Any, factories: Any, auth: Any) -> None:
    app = make_app(PUBLIC_BASE_URL="https://nattlys.example/")
    admin = factories.admin()
    client = app.test_client()
    auth.login(client, admin.username)
    response = _create_patient(client)
    assert response.json["invitation"]["url"].startswith("https://nattlys.example/#/invitasjon/")


def test_accepting_sets_the_password_and_logs_in(
    app: Flask, admin_client: Any, db: Session, auth: Any
) -> None:
    created = _create_patient(admin_client).json
    token = link_token(created["invitation"])
    patient_id = created["patient"]["id"]
    phone: Any = app.test_client()

    too_short = phone.post("/api/invitations/accept", json={"token": token, "password": "kort"})
    assert too_short.status_code == 400
    assert too_short.json["error"] == "password_too_short"
    too_common = phone.post("/api/invitations/accept", json={"token": token, "password": "passord123"})
    assert too_common.status_code == 400
    assert too_common.json["error"] == "password_too_common"
    assert lookup_link(app, token).status_code == 200, "a refused password does not use up the link"
    assert _stored_user(db, patient_id).password_hash is None
    assert phone.get("/api/auth/session").status_code == 401

    accepted = phone.post("/api/invitations/accept", json={"token": token, "password": NEW_PASSWORD})
    assert accepted.status_code == 200
    assert accepted.json["user"]["id"] == patient_id
    assert accepted.json["user"]["has_password"] is True
    session = phone.get("/api/auth/session")
    assert session.status_code == 200
    assert session.json["user"]["username"] == "ny-pasient"

    again: Any = app.test_client().post(
        "/api/invitations/accept", json={"token": token, "password": "et annet passord"}
    )
    assert again.status_code == 410
    assert again.json["error"] == "invitation_used"
    assert lookup_link(app, token).json["error"] == "invitation_used"

    # The chosen password works for a normal login; the refused attempt's does not.
    auth.login(app.test_client(), "ny-pasient", NEW_PASSWORD)
    wrong = app.test_client().post(
        "/api/auth/login", json={"username": "ny-pasient", "password": "et annet passord"}
    )
    assert wrong.status_code == 401


# Issue #13: the probe chose each of these through an invitation link and was let in.
@pytest.mark.parametrize(
    "weak",
    ["aaaaaaaa", "abcdefgh", " " * 8, "nattlys-demo", "ny-pasient1", "sommer2027", "monany2027"],
    ids=["repeated", "sequence", "spaces", "readme-demo", "username+1", "season+year", "own-name"],
)
def test_a_guessable_password_is_refused_when_accepting_a_link(
    app: Flask, admin_client: Any, db: Session, weak: str
) -> None:
    created = _create_patient(admin_client).json
    token = link_token(created["invitation"])
    phone: Any = app.test_client()

    refused = phone.post("/api/invitations/accept", json={"token": token, "password": weak})
    assert refused.status_code == 400, refused.json
    assert refused.json["error"] == "password_too_common"
    assert _stored_user(db, created["patient"]["id"]).password_hash is None
    assert phone.get("/api/auth/session").status_code == 401
    assert lookup_link(app, token).status_code == 200, "she can still choose a better one"


def test_an_invitation_expires_after_72_hours(app: Flask, admin_client: Any, clock: Any, db: Session) -> None:
    created = _create_patient(admin_client).json
    token = link_token(created["invitation"])
    clock.advance(hours=72, seconds=-1)
    assert lookup_link(app, token).status_code == 200
    clock.advance(seconds=2)
    expired = lookup_link(app, token)
    assert expired.status_code == 410
    assert expired.json["error"] == "invitation_expired"
    accept: Any = app.test_client().post(
        "/api/invitations/accept", json={"token": token, "password": NEW_PASSWORD}
    )
    assert accept.status_code == 410
    assert accept.json["error"] == "invitation_expired"
    assert _stored_user(db, created["patient"]["id"]).password_hash is None


def test_a_reissued_link_replaces_the_old_one(app: Flask, admin_client: Any, clock: Any, auth: Any) -> None:
    created = _create_patient(admin_client).json
    old = link_token(created["invitation"])
    clock.advance(hours=71)
    auth.login(admin_client, "admin-inv")  # the staff session has long timed out
    reissued = admin_client.post(f"/api/users/{created['patient']['id']}/invitation")
    assert reissued.status_code == 201
    new = link_token(reissued.json)
    assert new != old
    assert datetime.fromisoformat(reissued.json["expires_at"]) == clock() + timedelta(hours=72)

    replaced = lookup_link(app, old)
    assert replaced.status_code == 410
    assert replaced.json["error"] == "invitation_replaced"
    refused: Any = app.test_client().post(
        "/api/invitations/accept", json={"token": old, "password": NEW_PASSWORD}
    )
    assert refused.json["error"] == "invitation_replaced"

    clock.advance(hours=2)  # the old link would have expired by now; the new one has not
    accepted = app.test_client().post(
        "/api/invitations/accept", json={"token": new, "password": NEW_PASSWORD}
    )
    assert accepted.status_code == 200


def test_an_unknown_token_is_404(app: Flask, factories: Any) -> None:
    lookup = lookup_link(app, "x" * 43)
    assert lookup.status_code == 404
    assert lookup.json["error"] == "not_found"
    accept = app.test_client().post(
        "/api/invitations/accept", json={"token": "y" * 43, "password": NEW_PASSWORD}
    )
    assert accept.status_code == 404


def test_accepting_ends_sessions_that_used_the_old_password(
    app: Flask, admin_client: Any, factories: Any, auth: Any
) -> None:
    patient = factories.patient()
    old_phone = auth.client_for(patient.username)
    reissued = admin_client.post(f"/api/users/{patient.id}/invitation")
    assert reissued.json["awaiting"] == "account_holder"
    token = link_token(reissued.json)
    # She confirms on the phone where she is still logged in (tests/test_account_takeover.py).
    pending = old_phone.get("/api/me/reenrolments").json
    assert old_phone.post(f"/api/me/reenrolments/{pending[0]['id']}/confirm").status_code == 204
    assert old_phone.get("/api/auth/session").status_code == 200, (
        "the old password works until the link is used"
    )
    accepted = app.test_client().post(
        "/api/invitations/accept", json={"token": token, "password": NEW_PASSWORD}
    )
    assert accepted.status_code == 200
    assert old_phone.get("/api/auth/session").status_code == 401


def test_a_disabled_users_invitation_no_longer_works(
    app: Flask, admin_client: Any, factories: Any, auth: Any
) -> None:
    created = _create_patient(admin_client).json
    token = link_token(created["invitation"])
    patient_id = created["patient"]["id"]
    # A patient's account is disabled by two administrators.
    asked = admin_client.post(f"/api/users/{patient_id}/disable-request", json={"reason": "Registrert feil"})
    second = auth.client_for(factories.admin().username)
    assert second.post(f"/api/disable-requests/{asked.json['id']}/approve").status_code == 204
    assert lookup_link(app, token).status_code == 410


def test_a_supporter_creates_patients_only_in_their_own_teams(
    app: Flask, factories: Any, auth: Any, db: Session
) -> None:
    supporter = factories.supporter()
    own = factories.team(TeamKind.kommune, members=[supporter])
    other = factories.team(TeamKind.bolig)
    client = auth.client_for(supporter.username)

    refused = _create_patient(client, "pasient-feil", team_id=other.id)
    assert refused.status_code == 403
    no_team = _create_patient(client, "pasient-uten")
    assert no_team.status_code == 403
    usernames = set(db.scalars(select(col(User.username))))
    db.commit()
    assert not usernames & {"pasient-feil", "pasient-uten"}

    created = _create_patient(client, "pasient-egen", team_id=own.id)
    assert created.status_code == 201
    patient_id = created.json["patient"]["id"]
    circle = client.get(f"/api/patients/{patient_id}/care-circle")
    assert circle.status_code == 200
    assert [[t["id"] for t in tier["teams"]] for tier in circle.json["tiers"]] == [[own.id]]
    assert circle.json["primary_contacts"] == []
    assert patient_id in [p["id"] for p in client.get("/api/patients").json]


def test_patients_cannot_create_patients(factories: Any, auth: Any) -> None:
    team = factories.team()
    client = auth.client_for(factories.patient().username)
    assert _create_patient(client, team_id=team.id).status_code == 403


def test_who_may_reissue_a_patients_invitation(factories: Any, auth: Any) -> None:
    inside = factories.supporter()
    outside = factories.supporter()
    patient = factories.patient()
    factories.care_circle(patient, [[factories.team(members=[inside])]])
    factories.team(members=[outside])

    assert auth.client_for(inside.username).post(f"/api/users/{patient.id}/invitation").status_code == 201
    refused = auth.client_for(outside.username).post(f"/api/users/{patient.id}/invitation")
    assert refused.status_code == 403
    other_patient = auth.client_for(factories.patient().username).post(f"/api/users/{patient.id}/invitation")
    assert other_patient.status_code == 403
    # Staff accounts are the administrator's business only.
    colleague = factories.supporter()
    assert auth.client_for(inside.username).post(f"/api/users/{colleague.id}/invitation").status_code == 403


def test_invitation_tokens_are_never_stored_audited_or_logged(
    app: Flask, admin_client: Any, factories: Any, auth: Any, db: Session, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    supporter = factories.supporter()
    team = factories.team(members=[supporter])
    tokens = []

    created = _create_patient(admin_client).json
    tokens.append(link_token(created["invitation"]))
    reissued = admin_client.post(f"/api/users/{created['patient']['id']}/invitation").json
    tokens.append(link_token(reissued))
    by_supporter = _create_patient(auth.client_for(supporter.username), "pasient-to", team_id=team.id).json
    tokens.append(link_token(by_supporter["invitation"]))

    lookup_link(app, tokens[0])
    lookup_link(app, tokens[1])
    app.test_client().post("/api/invitations/accept", json={"token": tokens[1], "password": "kort"})
    app.test_client().post("/api/invitations/accept", json={"token": tokens[1], "password": NEW_PASSWORD})
    app.test_client().post("/api/invitations/accept", json={"token": tokens[1], "password": NEW_PASSWORD})

    conn = db.connection()
    stored = " ".join(
        repr(tuple(row)) for table in metadata.sorted_tables for row in conn.execute(select(table))
    )
    audit_rows = list(conn.execute(select(metadata.tables["audit_entries"])))
    db.commit()
    assert len(audit_rows) >= 4, "issuing and accepting are audited"
    for token in tokens:
        assert token not in stored
        assert token not in caplog.text
    assert NEW_PASSWORD not in caplog.text
