"""Server-side sessions: new ids at login, revocation, lifetimes and cookie flags."""

from __future__ import annotations

from typing import Any

from flask import Flask

from nattlys.accounts.sessions import COOKIE_NAME, SECURE_COOKIE_NAME
from tests.conftest import PASSWORD
from tests.session_cookies import alive, client_with_token, session_token


def test_login_issues_a_new_session_id_and_the_previous_one_stops_working(
    app: Flask, factories: Any, auth: Any
) -> None:
    user = factories.supporter()
    client = app.test_client()
    auth.login(client, user.username)
    first = session_token(client)
    assert first

    auth.login(client, user.username)
    second = session_token(client)
    assert second and second != first
    assert alive(client)
    assert not alive(client_with_token(app, first))


def test_a_cookie_planted_before_login_is_not_adopted(app: Flask, factories: Any, auth: Any) -> None:
    user = factories.patient()
    client = app.test_client()
    planted = "planted-by-an-attacker-0123456789abcdef"
    client.set_cookie(COOKIE_NAME, planted)
    auth.login(client, user.username)
    assert session_token(client) != planted
    assert not alive(client_with_token(app, planted))


def test_logout_invalidates_the_session_on_the_server(app: Flask, factories: Any, auth: Any) -> None:
    user = factories.patient()
    client = auth.client_for(user.username)
    copy = session_token(client)
    assert copy and alive(client_with_token(app, copy))

    response = auth.logout(client)
    assert response.status_code == 204
    assert session_token(client) is None, "the browser is told to drop the cookie"
    assert not alive(client)
    assert not alive(client_with_token(app, copy)), "a copied cookie is useless after logout"


def test_disabling_a_user_ends_all_their_sessions(app: Flask, factories: Any, auth: Any) -> None:
    admin = factories.admin()
    supporter = factories.supporter()
    phone = auth.client_for(supporter.username)
    laptop = auth.client_for(supporter.username)
    assert alive(phone) and alive(laptop)

    response = auth.client_for(admin.username).patch(f"/api/users/{supporter.id}", json={"is_active": False})
    assert response.status_code == 200
    assert response.json["is_active"] is False

    assert not alive(phone)
    assert not alive(laptop)
    # Nor can they log in again.
    again = app.test_client().post(
        "/api/auth/login", json={"username": supporter.username, "password": PASSWORD}
    )
    assert again.status_code == 401


def test_re_enabling_does_not_bring_old_sessions_back(app: Flask, factories: Any, auth: Any) -> None:
    admin_client = auth.client_for(factories.admin().username)
    supporter = factories.supporter()
    phone = auth.client_for(supporter.username)
    assert admin_client.patch(f"/api/users/{supporter.id}", json={"is_active": False}).status_code == 200
    assert admin_client.patch(f"/api/users/{supporter.id}", json={"is_active": True}).status_code == 200
    assert not alive(phone)
    assert alive(auth.client_for(supporter.username))


def test_staff_session_ends_after_30_idle_minutes(factories: Any, auth: Any, clock: Any) -> None:
    client = auth.client_for(factories.supporter().username)
    clock.advance(minutes=29)
    assert alive(client)
    clock.advance(minutes=31)
    assert not alive(client)


def test_staff_activity_keeps_the_session_alive_up_to_12_hours(factories: Any, auth: Any, clock: Any) -> None:
    client = auth.client_for(factories.admin().username)
    for _ in range(35):  # 35 x 20 min = 11 h 40 min
        clock.advance(minutes=20)
        assert alive(client)
    clock.advance(minutes=19)  # 11 h 59 min
    assert alive(client)
    clock.advance(minutes=2)  # 12 h 1 min, idle only 2 minutes
    assert not alive(client)


def test_patient_session_slides_for_30_days_up_to_90(factories: Any, auth: Any, clock: Any) -> None:
    client = auth.client_for(factories.patient().username)
    for _ in range(4):  # 80 days in all, never 30 idle
        clock.advance(days=20)
        assert alive(client)
    clock.advance(days=9, hours=23)
    assert alive(client)
    # Issue #13: a phone used every day stayed logged in forever; now 90 days after login it ends.
    clock.advance(hours=1, minutes=1)
    assert not alive(client)


def test_patient_session_ends_after_31_idle_days(factories: Any, auth: Any, clock: Any) -> None:
    client = auth.client_for(factories.patient().username)
    clock.advance(days=31)
    assert not alive(client)


def _set_cookie_header(response: Any, name: str) -> str:
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "=")]
    assert len(headers) == 1, response.headers.getlist("Set-Cookie")
    return headers[0]


def _attributes(header: str) -> dict[str, str]:
    parts = [p.strip() for p in header.split(";")[1:]]
    return {p.split("=", 1)[0].lower(): (p.split("=", 1)[1] if "=" in p else "") for p in parts}


def test_cookie_flags_over_http(app: Flask, factories: Any, auth: Any) -> None:
    staff = factories.supporter()
    response = auth.login(app.test_client(), staff.username)
    attrs = _attributes(_set_cookie_header(response, COOKIE_NAME))
    assert "httponly" in attrs
    assert attrs["samesite"] == "Lax"
    assert attrs["path"] == "/"
    assert "secure" not in attrs, "a Secure cookie would never come back over plain http"
    assert "domain" not in attrs
    # Staff cookies last only as long as the browser session.
    assert "max-age" not in attrs and "expires" not in attrs


def test_patient_cookie_lasts_30_days_on_their_phone(app: Flask, factories: Any, auth: Any) -> None:
    patient = factories.patient()
    response = auth.login(app.test_client(), patient.username)
    attrs = _attributes(_set_cookie_header(response, COOKIE_NAME))
    assert attrs["max-age"] == str(30 * 24 * 3600)
    assert "httponly" in attrs


def test_cookie_over_https_is_a_secure_host_cookie(app: Flask, factories: Any) -> None:
    user = factories.patient()
    client: Any = app.test_client()
    response = client.post(
        "/api/auth/login",
        json={"username": user.username, "password": PASSWORD},
        base_url="https://localhost",
    )
    assert response.status_code == 200
    header = _set_cookie_header(response, SECURE_COOKIE_NAME)
    attrs = _attributes(header)
    assert "secure" in attrs
    assert attrs["path"] == "/"
    assert "domain" not in attrs
    assert "httponly" in attrs
    assert attrs["samesite"] == "Lax"
    assert not any(h.startswith(COOKIE_NAME + "=") for h in response.headers.getlist("Set-Cookie"))
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")

    session = client.get("/api/auth/session", base_url="https://localhost")
    assert session.status_code == 200
    assert session.json["user"]["id"] == user.id
