"""Session cookies: the token a client holds, a client that carries a given
token, and whether its session is alive."""

from __future__ import annotations

from typing import Any

from flask import Flask

from nattlys.accounts.sessions import COOKIE_NAME


def session_token(client: Any, name: str = COOKIE_NAME) -> str | None:
    cookie = client.get_cookie(name)
    return cookie.value if cookie is not None else None


def client_with_token(app: Flask, token: str) -> Any:
    client = app.test_client()
    client.set_cookie(COOKIE_NAME, token)
    return client


def alive(client: Any) -> bool:
    response = client.get("/api/auth/session")
    assert response.status_code in (200, 401), response.json
    if response.status_code == 401:
        assert response.json["error"] == "unauthorized"
    return response.status_code == 200
