"""Issue #13.3: staff who log in with a password also give a code from an
authenticator app (TOTP), set up at their first login, with one-time recovery
codes; an administrator resets it only with a second administrator."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest
from flask import Flask

from tests.conftest import PASSWORD


def _password_only(app: Flask, username: str) -> Any:
    client = app.test_client()
    response = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.json
    return client, response.json


def _enrolled(app: Flask, username: str, clock: Any) -> tuple[Any, pyotp.TOTP, list[str]]:
    client, answer = _password_only(app, username)
    assert answer["second_factor"] == "enrol"
    enrolment = client.post("/api/auth/second-factor/enrol").json
    totp = pyotp.TOTP(enrolment["secret"])
    assert enrolment["otpauth_url"].startswith("otpauth://totp/Nattlys:")
    assert enrolment["qr_svg"].lstrip().startswith("<svg")
    done = client.post("/api/auth/second-factor/verify", json={"code": totp.at(clock())})
    assert done.status_code == 200, done.json
    return client, totp, done.json["recovery_codes"]


@pytest.mark.parametrize("role", ["supporter", "admin"])
def test_a_staff_password_alone_opens_nothing(
    app: Flask, factories: Any, role: str, socket_client: Any
) -> None:
    user = getattr(factories, role)()
    client, answer = _password_only(app, user.username)
    assert answer["second_factor"] == "enrol"
    assert client.get("/api/auth/session").status_code == 401
    assert client.get("/api/patients").status_code == 401
    assert not socket_client(client).is_connected()


def test_a_patient_logs_in_with_the_password_alone(app: Flask, factories: Any) -> None:
    client, answer = _password_only(app, factories.patient().username)
    assert answer["second_factor"] is None
    assert client.get("/api/auth/session").status_code == 200


def test_enrolment_then_codes_recovery_codes_and_no_replay(app: Flask, factories: Any, clock: Any) -> None:
    kari = factories.supporter()
    client, totp, recovery = _enrolled(app, kari.username, clock)
    assert len(recovery) == 10 and len(set(recovery)) == 10
    assert client.get("/api/auth/session").status_code == 200

    clock.advance(minutes=1)
    second, answer = _password_only(app, kari.username)
    assert answer["second_factor"] == "verify"
    assert second.post("/api/auth/second-factor/enrol").status_code == 409, (
        "no second enrolment over the first"
    )
    assert second.post("/api/auth/second-factor/verify", json={"code": "000000"}).status_code == 401
    assert second.post("/api/auth/second-factor/verify", json={"code": totp.at(clock())}).status_code == 200
    # The same code again (a shoulder-surfed one) is refused.
    third, _ = _password_only(app, kari.username)
    replay = third.post("/api/auth/second-factor/verify", json={"code": totp.at(clock())})
    assert replay.status_code == 401
    assert third.post("/api/auth/second-factor/verify", json={"code": recovery[0]}).status_code == 200
    fourth, _ = _password_only(app, kari.username)
    assert fourth.post("/api/auth/second-factor/verify", json={"code": recovery[0]}).status_code == 401


def test_wrong_codes_are_counted_before_they_are_checked(app: Flask, factories: Any, clock: Any) -> None:
    kari = factories.supporter()
    _client, totp, _codes = _enrolled(app, kari.username, clock)
    clock.advance(minutes=1)
    client, _ = _password_only(app, kari.username)
    statuses = [
        client.post("/api/auth/second-factor/verify", json={"code": "123456"}).status_code for _ in range(6)
    ]
    assert statuses == [401] * 5 + [429]
    assert client.post("/api/auth/second-factor/verify", json={"code": totp.at(clock())}).status_code == 429


def test_resetting_a_second_factor_takes_two_administrators_and_the_supporter_is_told(
    app: Flask, factories: Any, auth: Any, clock: Any, socket_client: Any
) -> None:
    kari = factories.supporter(display_name="Kari Bolig")
    kari_client = auth.client_for(kari.username)
    kari_socket = socket_client(kari_client)
    kari_socket.get_received()
    anne = auth.client_for(factories.admin(display_name="Anne Admin").username)
    per = auth.client_for(factories.admin(display_name="Per Admin").username)

    asked = anne.post(f"/api/users/{kari.id}/second-factor/reset")
    assert asked.status_code == 202
    assert [e["args"][0]["action"] for e in kari_socket.get_received() if e["name"] == "account:event"] == [
        "auth.factor_reset_requested"
    ]
    own = anne.post(f"/api/second-factor-resets/{asked.json['id']}/approve")
    assert own.status_code == 403
    assert own.json["error"] == "second_person_required"
    assert kari_client.get("/api/auth/session").status_code == 200, "nothing happens on one admin's word"

    assert [r["user_display_name"] for r in per.get("/api/second-factor-resets").json] == ["Kari Bolig"]
    assert per.post(f"/api/second-factor-resets/{asked.json['id']}/approve").status_code == 204
    assert kari_client.get("/api/auth/session").status_code == 401, "her sessions end with the old factor"
    _client, answer = _password_only(app, kari.username)
    assert answer["second_factor"] == "enrol"

    events = auth.client_for(kari.username).get("/api/me/account-events").json
    told = [(e["action"], e["actor_name"]) for e in events]
    assert ("auth.factor_removed", "Per Admin") in told
    assert ("auth.factor_reset_requested", "Anne Admin") in told


def test_an_administrator_cannot_reset_her_own_second_factor(factories: Any, auth: Any) -> None:
    anne = factories.admin()
    refused = auth.client_for(anne.username).post(f"/api/users/{anne.id}/second-factor/reset")
    assert refused.status_code == 403
