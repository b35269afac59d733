"""Socket.IO connections authenticate with the HTTP session and our own origin."""

from __future__ import annotations

from typing import Any

from flask import Flask


def test_a_logged_in_client_connects(factories: Any, auth: Any, socket_client: Any) -> None:
    client = auth.client_for(factories.patient().username)
    sio = socket_client(client)
    assert sio.is_connected()


def test_an_anonymous_client_is_refused(app: Flask, socket_client: Any) -> None:
    assert not socket_client(app.test_client()).is_connected()


def test_a_made_up_session_cookie_is_refused(app: Flask, socket_client: Any) -> None:
    client = app.test_client()
    client.set_cookie("nattlys_session", "made-up-token-0123456789abcdef")
    assert not socket_client(client).is_connected()


def test_a_foreign_origin_is_refused(factories: Any, auth: Any, socket_client: Any) -> None:
    client = auth.client_for(factories.supporter().username)
    assert not socket_client(client, headers={"Origin": "https://evil.example"}).is_connected()
    # The control: the same client from our own origin is accepted.
    assert socket_client(client, headers={"Origin": "http://localhost"}).is_connected()


def test_a_cross_site_fetch_without_origin_is_refused(factories: Any, auth: Any, socket_client: Any) -> None:
    client = auth.client_for(factories.supporter().username)
    assert not socket_client(client, headers={"Sec-Fetch-Site": "cross-site"}).is_connected()


def test_after_logout_a_new_connection_is_refused(factories: Any, auth: Any, socket_client: Any) -> None:
    client = auth.client_for(factories.patient().username)
    assert socket_client(client).is_connected()
    assert auth.logout(client).status_code == 204
    assert not socket_client(client).is_connected()


def test_a_disabled_user_cannot_connect_again(factories: Any, auth: Any, socket_client: Any) -> None:
    supporter = factories.supporter()
    client = auth.client_for(supporter.username)
    assert socket_client(client).is_connected()

    admin = auth.client_for(factories.admin().username)
    assert admin.patch(f"/api/users/{supporter.id}", json={"is_active": False}).status_code == 200
    assert not socket_client(client).is_connected()


def test_an_expired_staff_session_cannot_connect(
    factories: Any, auth: Any, socket_client: Any, clock: Any
) -> None:
    client = auth.client_for(factories.supporter().username)
    clock.advance(minutes=31)
    assert not socket_client(client).is_connected()
