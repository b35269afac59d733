"""Issue #13.4, "no takeover": no administrator alone can lock a patient out.
Disabling her account (she is logged out everywhere and loses the crisis
chat) takes two administrators: one asks with a reason, another decides."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.conftest import PASSWORD

REASON = "Flyttet fra kommunen, bekreftet av fastlegen"


@pytest.fixture
def people(factories: Any, auth: Any) -> dict[str, Any]:
    mona = factories.patient(display_name="Mona")
    return {
        "mona": mona,
        "mona_phone": auth.client_for(mona.username),
        "anne": auth.client_for(factories.admin(display_name="Anne Admin").username),
        "per": auth.client_for(factories.admin(display_name="Per Admin").username),
    }


def _ask(admin: Any, patient_id: int, reason: str = REASON) -> Any:
    return admin.post(f"/api/users/{patient_id}/disable-request", json={"reason": reason})


def test_one_administrator_alone_cannot_disable_a_patient(people: dict[str, Any]) -> None:
    refused = people["anne"].patch(f"/api/users/{people['mona'].id}", json={"is_active": False})
    assert refused.status_code == 409
    assert refused.json["error"] == "second_admin_required"
    assert people["mona_phone"].get("/api/auth/session").status_code == 200, "she keeps her sessions"
    assert people["anne"].get("/api/users?role=patient").json[0]["is_active"] is True


def test_asking_changes_nothing_and_the_asker_cannot_approve_or_decline_her_own_request(
    people: dict[str, Any],
) -> None:
    anne, mona = people["anne"], people["mona"]
    asked = _ask(anne, mona.id)
    assert asked.status_code == 202
    assert people["mona_phone"].get("/api/auth/session").status_code == 200, "nothing changes for her yet"
    for step in ("approve", "decline"):
        own = anne.post(f"/api/disable-requests/{asked.json['id']}/{step}")
        assert own.status_code == 403
        assert own.json["error"] == "second_person_required"
    [waiting] = anne.get("/api/disable-requests").json
    assert (waiting["user_display_name"], waiting["reason"], waiting["may_decide"]) == ("Mona", REASON, False)
    assert people["per"].get("/api/disable-requests").json[0]["may_decide"] is True
    assert people["mona_phone"].get("/api/auth/session").status_code == 200
    assert _ask(people["per"], mona.id).json["error"] == "already_requested"


def test_a_second_administrators_approval_disables_her_and_ends_her_sessions(
    app: Flask, people: dict[str, Any], socket_client: Any
) -> None:
    mona, per = people["mona"], people["per"]
    socket = socket_client(people["mona_phone"])
    assert socket.is_connected()
    asked = _ask(people["anne"], mona.id)

    assert per.post(f"/api/disable-requests/{asked.json['id']}/approve").status_code == 204
    assert people["mona_phone"].get("/api/auth/session").status_code == 401
    assert not socket.is_connected()
    assert per.get("/api/users?role=patient").json[0]["is_active"] is False
    assert per.get("/api/disable-requests").json == []
    assert per.post(f"/api/disable-requests/{asked.json['id']}/approve").status_code == 404
    # Re-enabling her stays one administrator's step.
    assert per.patch(f"/api/users/{mona.id}", json={"is_active": True}).status_code == 200
    login = app.test_client().post("/api/auth/login", json={"username": mona.username, "password": PASSWORD})
    assert login.status_code == 200


def test_each_step_is_in_her_who_has_seen_my_data_with_who_took_it(people: dict[str, Any], auth: Any) -> None:
    mona = people["mona"]
    first = _ask(people["anne"], mona.id).json["id"]
    assert people["per"].post(f"/api/disable-requests/{first}/decline").status_code == 204
    assert people["mona_phone"].get("/api/auth/session").status_code == 200, "declined: nothing changes"
    second = _ask(people["per"], mona.id).json["id"]
    assert people["anne"].post(f"/api/disable-requests/{second}/approve").status_code == 204

    assert people["anne"].patch(f"/api/users/{mona.id}", json={"is_active": True}).status_code == 200

    seen = [
        (e["action"], e["actor_name"], e["reason"])
        for e in auth.client_for(mona.username).get("/api/me/audit").json
        if e["action"].startswith("user.disable")
    ]
    assert sorted(seen) == sorted(
        [
            ("user.disable_request", "Anne Admin", REASON),
            ("user.disable_decline", "Per Admin", None),
            ("user.disable_request", "Per Admin", REASON),
            ("user.disable_approve", "Anne Admin", None),
        ]
    )


def test_a_patient_sees_the_request_in_her_own_list(people: dict[str, Any]) -> None:
    _ask(people["anne"], people["mona"].id)
    mine = people["mona_phone"].get("/api/me/audit").json
    assert [(e["action"], e["actor_name"]) for e in mine if e["action"].startswith("user.disable")] == [
        ("user.disable_request", "Anne Admin")
    ]


def test_she_is_told_on_every_device_when_a_disable_is_asked_for_and_when_it_is_declined(
    people: dict[str, Any], auth: Any, socket_client: Any
) -> None:
    mona = people["mona"]
    devices = [socket_client(people["mona_phone"]), socket_client(auth.client_for(mona.username))]
    for device in devices:
        device.get_received()

    asked = _ask(people["anne"], mona.id).json["id"]
    assert people["per"].post(f"/api/disable-requests/{asked}/decline").status_code == 204

    for device in devices:
        told = [e["args"][0]["action"] for e in device.get_received() if e["name"] == "account:event"]
        assert told == ["user.disable_request", "user.disable_decline"]


@pytest.mark.parametrize("who", ["in_circle", "outside"])
def test_a_supporter_can_neither_ask_nor_decide(
    people: dict[str, Any], factories: Any, auth: Any, who: str
) -> None:
    from nattlys.care_circles.models import TeamKind

    kari = factories.supporter(display_name="Kari")
    if who == "in_circle":
        factories.care_circle(people["mona"], [[factories.team(TeamKind.bolig, members=[kari])]])
    kari_client = auth.client_for(kari.username)
    assert _ask(kari_client, people["mona"].id).status_code == 403
    asked = _ask(people["anne"], people["mona"].id).json["id"]
    assert kari_client.get("/api/disable-requests").status_code == 403
    for step in ("approve", "decline"):
        assert kari_client.post(f"/api/disable-requests/{asked}/{step}").status_code == 403
    assert kari_client.patch(f"/api/users/{people['mona'].id}", json={"is_active": False}).status_code == 403
    assert people["mona_phone"].get("/api/auth/session").status_code == 200


def test_a_request_nobody_decides_lapses_after_seven_days(
    people: dict[str, Any], auth: Any, clock: Any, factories: Any
) -> None:
    asked = _ask(people["anne"], people["mona"].id).json
    clock.advance(days=7, seconds=1)
    per = auth.client_for(factories.admin(display_name="Ida Admin").username)  # staff sessions end after 12 h
    assert per.get("/api/disable-requests").json == []
    assert per.post(f"/api/disable-requests/{asked['id']}/approve").status_code == 404
    assert _ask(per, people["mona"].id).status_code == 202, "a new request may be made"


def test_a_reason_is_required_and_short(people: dict[str, Any]) -> None:
    mona_id = people["mona"].id
    assert people["anne"].post(f"/api/users/{mona_id}/disable-request", json={}).status_code == 400
    assert _ask(people["anne"], mona_id, "   ").status_code == 400
    assert _ask(people["anne"], mona_id, "x" * 301).status_code == 400
    assert people["anne"].get("/api/disable-requests").json == []


def test_disabling_staff_stays_one_administrators_step(
    people: dict[str, Any], factories: Any, auth: Any
) -> None:
    kari = factories.supporter()
    kari_client = auth.client_for(kari.username)
    assert people["anne"].patch(f"/api/users/{kari.id}", json={"is_active": False}).status_code == 200
    assert kari_client.get("/api/auth/session").status_code == 401
    assert _ask(people["anne"], kari.id).status_code == 404, "only a patient's account is asked for"
