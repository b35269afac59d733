"""Issue #13.4: no staff member or admin can alone take over an account.

The attack found by the probe: a supporter in the patient's circle (even off
duty) or an administrator re-issued an invitation link for a patient who had a
password, accepted it, logged in as her, and her "who has seen my data" showed
nothing of it. Each test below repeats a step of that attack.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from flask import Flask

from nattlys.care_circles.models import TeamKind
from tests.conftest import PASSWORD
from tests.factories import Factories
from tests.scenes.world import NUMBERED_TEAMS, CareCircle, build_care_circle

TAKEN_OVER = "angriperens passord 77"


def _token(issued: dict[str, Any]) -> str:
    return issued["url"].split("/#/invitasjon/", 1)[1]


def _accept(app: Flask, token: str) -> Any:
    return app.test_client().post("/api/invitations/accept", json={"token": token, "password": TAKEN_OVER})


@pytest.fixture
def people(factories: Factories) -> CareCircle:
    """Kari and Ola ("Kari Bolig", "Ola Bolig") in a numbered bolig, Mona
    Berntsen in its care, and two administrators, Anne and Per."""
    c = build_care_circle(
        factories,
        supporters=("kari", "ola"),
        tiers=(TeamKind.bolig,),
        team_names=NUMBERED_TEAMS,
        surname=" Bolig",
        patient="Mona Berntsen",
    )
    admins = (
        factories.admin("admin1", display_name="Anne Admin"),
        factories.admin("admin2", display_name="Per Admin"),
    )
    return replace(c, admins=admins)


@pytest.mark.parametrize("issuer", ["kari", "admin"])
def test_one_staff_member_alone_cannot_take_over_a_patient_who_has_a_password(
    app: Flask, people: CareCircle, auth: Any, issuer: str
) -> None:
    patient = people.patient
    phone = auth.client_for(patient.username)
    staff = auth.client_for(getattr(people, issuer).username)

    issued = staff.post(f"/api/users/{patient.id}/invitation")
    assert issued.status_code == 201
    assert issued.json["awaiting"] == "account_holder"
    refused = _accept(app, _token(issued.json))
    assert refused.status_code == 409, refused.json
    assert refused.json["error"] == "invitation_awaiting_approval"

    # Her password and her phone keep working; the attacker's password does not.
    assert phone.get("/api/auth/session").status_code == 200
    assert auth.client_for(patient.username).get("/api/auth/session").status_code == 200
    attacker = app.test_client().post("/api/auth/login", json={"username": "mona", "password": TAKEN_OVER})
    assert attacker.status_code == 401
    # A colleague cannot approve in her place while she can confirm herself.
    ola = auth.client_for(people.ola.username)
    invitation_id = phone.get("/api/me/reenrolments").json[0]["id"]
    blocked = ola.post(f"/api/reenrolments/{invitation_id}/approve")
    assert blocked.status_code == 409
    assert blocked.json["error"] == "account_holder_must_confirm"


def test_she_is_told_on_every_device_and_can_stop_the_link(
    app: Flask, people: CareCircle, auth: Any, socket_client: Any
) -> None:
    patient = people.patient
    phone, tablet = auth.client_for(patient.username), auth.client_for(patient.username)
    sockets = [socket_client(phone), socket_client(tablet)]
    for sio in sockets:
        sio.get_received()
    kari = auth.client_for(people.kari.username)
    issued = kari.post(f"/api/users/{patient.id}/invitation").json

    for sio in sockets:
        events = [e for e in sio.get_received() if e["name"] == "account:event"]
        assert events == [
            {"name": "account:event", "args": [{"action": "invitation.issue"}], "namespace": "/"}
        ]
    waiting = tablet.get("/api/me/reenrolments").json
    assert [(w["issued_by_name"], w["awaiting"]) for w in waiting] == [("Kari Bolig", "account_holder")]

    assert tablet.post(f"/api/me/reenrolments/{waiting[0]['id']}/decline").status_code == 204
    assert _accept(app, _token(issued)).status_code == 410
    assert phone.get("/api/me/reenrolments").json == []
    seen = phone.get("/api/me/audit").json
    assert [(e["action"], e["actor_name"]) for e in seen][:2] == [
        ("invitation.decline", "Mona Berntsen"),
        ("invitation.issue", "Kari Bolig"),
    ]


def test_without_a_logged_in_device_two_different_staff_members_are_needed(
    app: Flask, people: CareCircle, auth: Any, clock: Any
) -> None:
    patient = people.patient
    kari = auth.client_for(people.kari.username)
    issued = kari.post(f"/api/users/{patient.id}/invitation").json
    assert issued["awaiting"] == "second_staff"
    token = _token(issued)
    invitation_id = kari.get("/api/reenrolments").json
    assert invitation_id == [], "the issuer is not offered her own link to approve"

    waiting = auth.client_for(people.ola.username).get("/api/reenrolments").json
    assert [(w["user_display_name"], w["issued_by_name"]) for w in waiting] == [
        ("Mona Berntsen", "Kari Bolig")
    ]
    self_approval = kari.post(f"/api/reenrolments/{waiting[0]['id']}/approve")
    assert self_approval.status_code == 403
    assert self_approval.json["error"] == "second_person_required"
    outside = auth.client_for(people.admin.username)  # an admin may approve a patient's link too
    outsider = auth.client_for(auth.factories.supporter().username)
    assert outsider.post(f"/api/reenrolments/{waiting[0]['id']}/approve").status_code == 403
    assert _accept(app, token).status_code == 409

    # The old password keeps working until the new link is used.
    assert outside.post(f"/api/reenrolments/{waiting[0]['id']}/approve").status_code == 204
    auth.login(app.test_client(), patient.username, PASSWORD)
    clock.advance(minutes=5)
    new_phone: Any = app.test_client()
    assert (
        new_phone.post("/api/invitations/accept", json={"token": token, "password": TAKEN_OVER}).status_code
        == 200
    )
    clock.advance(minutes=5)
    sent = new_phone.post("/api/chat/messages", json={"client_id": "via-link-1", "body": "Hei"})
    assert sent.status_code == 201, sent.json

    # Everything done through that link shows in her view, with who issued it.
    auth.login(new_phone, patient.username, TAKEN_OVER)
    seen = new_phone.get("/api/me/audit").json
    actions = {(e["action"], e["actor_name"], e["via_link_issued_by"]) for e in seen}
    assert ("invitation.issue", "Kari Bolig", None) in actions
    assert ("invitation.approve", "Anne Admin", None) in actions
    assert ("invitation.accept", "Mona Berntsen", "Kari Bolig") in actions
    assert ("chat.write", "Mona Berntsen", "Kari Bolig") in actions


def test_an_admin_cannot_take_over_a_colleague_alone(app: Flask, people: CareCircle, auth: Any) -> None:
    admin = auth.client_for(people.admin.username)
    issued = admin.post(f"/api/users/{people.ola.id}/invitation").json
    assert issued["awaiting"] == "second_staff"
    assert _accept(app, _token(issued)).status_code == 409
    kari = auth.client_for(people.kari.username)
    waiting = admin.get("/api/reenrolments").json
    assert waiting == []
    assert kari.get("/api/reenrolments").json == [], "only administrators approve staff links"
    second = auth.client_for(people.admins[1].username)
    [link] = second.get("/api/reenrolments").json
    assert second.post(f"/api/reenrolments/{link['id']}/approve").status_code == 204
    assert _accept(app, _token(issued)).status_code == 200
