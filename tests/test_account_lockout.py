"""Issue #13.4: no staff member or administrator can alone lock a patient out.

The probe found that one administrator could disable a patient
(`PATCH /api/users/{id}` with `is_active: false`): she was logged out
everywhere at once and could no longer reach the crisis chat. Disabling a
patient now takes two administrators, she keeps her access until the second
one approves, and she is told of each step with who took it. Staff accounts
are still disabled by one administrator at once (someone who leaves must lose
access now), and the chats such a supporter holds move on.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import pytest
from flask import Flask

from server.care_circles.models import TeamKind
from server.chat.service import tick
from server.clock import OSLO
from tests.conftest import PASSWORD

REASON = "Flyttet til en annen kommune, avtalt i møte 3. desember"


@pytest.fixture
def people(factories: Any) -> dict[str, Any]:
    kari = factories.supporter("kari", display_name="Kari Bolig")
    mona = factories.patient("mona", display_name="Mona Berntsen")
    factories.care_circle(mona, [[factories.team(TeamKind.bolig, members=[kari])]])
    return {
        "kari": kari,
        "mona": mona,
        "anne": factories.admin("anne", display_name="Anne Admin"),
        "per": factories.admin("per", display_name="Per Admin"),
    }


def _account_events(client: Any) -> list[tuple[str, str | None, str | None]]:
    return [(e["action"], e["actor_name"], e["reason"]) for e in client.get("/api/me/account-events").json]


def _told(sio: Any) -> list[str]:
    # `queue`, not get_received(): a socket the server has just dropped still
    # shows what reached it before.
    received, sio.queue = sio.queue, []
    return [e["args"][0]["action"] for e in received if e["name"] == "account:event"]


def _still_in(app: Flask, phone: Any) -> None:
    assert phone.get("/api/auth/session").status_code == 200
    sent = phone.post("/api/chat/messages", json={"client_id": uuid.uuid4().hex, "body": "Er det noen der?"})
    assert sent.status_code == 201, sent.json
    fresh = app.test_client().post("/api/auth/login", json={"username": "mona", "password": PASSWORD})
    assert fresh.status_code == 200


def test_one_administrator_alone_cannot_disable_a_patient(
    app: Flask, people: dict[str, Any], auth: Any, socket_client: Any
) -> None:
    phone = auth.client_for("mona")
    sio = socket_client(phone)
    anne = auth.client_for("anne")

    refused = anne.patch(f"/api/users/{people['mona'].id}", json={"is_active": False, "display_name": "M."})
    assert refused.status_code == 409
    assert refused.json["error"] == "second_administrator_required"
    assert sio.is_connected()
    _still_in(app, phone)
    [user] = [u for u in anne.get("/api/users?role=patient").json if u["id"] == people["mona"].id]
    assert (user["is_active"], user["display_name"]) == (True, "Mona Berntsen"), "nothing half-saved"


def test_disabling_a_patient_takes_a_second_administrator_and_she_is_told(
    app: Flask, people: dict[str, Any], auth: Any, socket_client: Any
) -> None:
    mona = people["mona"]
    phone, tablet = auth.client_for("mona"), auth.client_for("mona")
    sockets = [socket_client(phone), socket_client(tablet)]
    for sio in sockets:
        sio.get_received()
    anne, per = auth.client_for("anne"), auth.client_for("per")

    asked = anne.post(f"/api/users/{mona.id}/disable-request", json={"reason": REASON})
    assert asked.status_code == 202, asked.json
    for sio in sockets:
        assert _told(sio) == ["auth.disable_requested"]
    waiting = phone.get("/api/me/account-approvals").json
    assert [(w["kind"], w["requested_by_name"], w["reason"]) for w in waiting] == [
        ("disable", "Anne Admin", REASON)
    ]
    _still_in(app, tablet)

    [shown] = anne.get("/api/account-approvals").json
    assert shown["may_approve"] is False, "the one who asked waits for someone else"
    own = anne.post(f"/api/account-approvals/{asked.json['id']}/approve")
    assert (own.status_code, own.json["error"]) == (403, "second_person_required")
    kari = auth.client_for("kari")
    assert kari.post(f"/api/account-approvals/{asked.json['id']}/approve").status_code == 403
    assert kari.post(f"/api/users/{mona.id}/disable-request", json={"reason": REASON}).status_code == 403
    _still_in(app, phone)

    [offered] = per.get("/api/account-approvals").json
    assert (
        offered["user_display_name"],
        offered["requested_by_name"],
        offered["reason"],
        offered["may_approve"],
    ) == (
        "Mona Berntsen",
        "Anne Admin",
        REASON,
        True,
    )
    assert per.post(f"/api/account-approvals/{offered['id']}/approve").status_code == 204
    assert _told(sockets[0])[-1] == "auth.disabled", "told before her devices are logged out"
    assert phone.get("/api/auth/session").status_code == 401
    assert tablet.get("/api/auth/session").status_code == 401
    assert not any(sio.is_connected() for sio in sockets)
    login = app.test_client().post("/api/auth/login", json={"username": "mona", "password": PASSWORD})
    assert (login.status_code, login.json["error"]) == (403, "account_disabled"), (
        "told the truth, not 'wrong password'"
    )
    wrong = app.test_client().post(
        "/api/auth/login", json={"username": "mona", "password": "feil passord 123"}
    )
    assert wrong.status_code == 401

    # Enabling gives access back, and one administrator may do it.
    assert anne.patch(f"/api/users/{mona.id}", json={"is_active": True}).status_code == 200
    events = _account_events(auth.client_for("mona"))
    assert ("auth.disable_requested", "Anne Admin", REASON) in events
    assert ("auth.disabled", "Per Admin", None) in events
    assert ("auth.enabled", "Anne Admin", None) in events


def test_a_disable_request_needs_a_reason_waits_once_and_expires(
    app: Flask, people: dict[str, Any], auth: Any, clock: Any
) -> None:
    mona = people["mona"]
    anne, per = auth.client_for("anne"), auth.client_for("per")
    assert anne.post(f"/api/users/{mona.id}/disable-request", json={}).status_code == 400
    assert anne.post(f"/api/users/{mona.id}/disable-request", json={"reason": "      "}).status_code == 400
    assert (
        anne.post(f"/api/users/{people['kari'].id}/disable-request", json={"reason": REASON}).status_code
        == 404
    )
    asked = anne.post(f"/api/users/{mona.id}/disable-request", json={"reason": REASON})
    again = per.post(f"/api/users/{mona.id}/disable-request", json={"reason": REASON})
    assert (again.status_code, again.json["error"]) == (409, "already_requested")

    clock.advance(hours=73)
    per = auth.client_for("per")
    assert per.get("/api/account-approvals").json == []
    assert per.post(f"/api/account-approvals/{asked.json['id']}/approve").status_code == 404
    _still_in(app, auth.client_for("mona"))


def test_no_staff_member_can_end_her_sessions_remove_her_passkeys_or_rename_her_login(
    app: Flask, people: dict[str, Any], auth: Any
) -> None:
    phone = auth.client_for("mona")
    [device] = phone.get("/api/me/sessions").json
    for who in ("anne", "kari"):
        staff = auth.client_for(who)
        # "My devices" and "my passkeys" are only ever one's own.
        assert staff.delete(f"/api/me/sessions/{device['id']}").status_code == 404
        assert staff.delete("/api/me/passkeys/1").status_code == 404
    # Her username and password are not the staff's to set: such fields are ignored.
    renamed = auth.client_for("anne").patch(
        f"/api/users/{people['mona'].id}", json={"username": "mona2", "password": "x" * 20}
    )
    assert renamed.status_code == 200
    assert renamed.json["username"] == "mona"
    _still_in(app, phone)


def _run_tick(app: Flask, clock: Any) -> dict[str, int]:
    from server.db import get_db

    with app.app_context():
        return tick(get_db(), at=clock())


def test_a_leaving_supporter_is_disabled_at_once_and_the_chat_she_held_moves_on(
    app: Flask, factories: Any, auth: Any, clock: Any, socket_client: Any
) -> None:
    clock.set(datetime(2026, 11, 25, 20, 0, tzinfo=OSLO))
    kari = factories.supporter("kari", display_name="Kari")
    ingrid = factories.supporter("ingrid", display_name="Ingrid")
    bolig = factories.team(TeamKind.bolig, members=[kari])
    kommune = factories.team(TeamKind.kommune, members=[ingrid])
    mona = factories.patient("mona", display_name="Mona")
    factories.care_circle(mona, [[bolig], [kommune]])
    factories.published_roster(bolig, [([kari], [("08:00", "22:00", False)])])
    factories.published_roster(kommune, [([ingrid], [("15:30", "23:00", False)])])
    factories.admin("anne")

    phone = auth.client_for("mona")
    phone.post("/api/chat/messages", json={"client_id": uuid.uuid4().hex, "body": "Hei"})
    kari_client = auth.client_for("kari")
    assert kari_client.post("/api/chat/conversations/1/take").status_code == 204
    ingrid_socket = socket_client(auth.client_for("ingrid"))

    gone = auth.client_for("anne").patch(f"/api/users/{kari.id}", json={"is_active": False})
    assert gone.status_code == 200, gone.json
    assert kari_client.get("/api/auth/session").status_code == 401
    assert _run_tick(app, clock)["handed_over"] == 1
    assert any(r["name"] == "chat:offer" for r in ingrid_socket.get_received())
    status = phone.get("/api/chat/conversation").json["status"]
    assert "Kari" not in str(status), status
