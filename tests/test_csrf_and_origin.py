"""CSRF tokens and Origin checks on every state-changing API route."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session

from nattlys.accounts.sessions import COOKIE_NAME
from nattlys.care_circles.models import TeamKind
from tests.conftest import PASSWORD
from tests.csrf_checks import FOREIGN, snapshot

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


@dataclass
class Route:
    method: str
    rule: str

    def __str__(self) -> str:
        return f"{self.method} {self.rule}"


def unsafe_routes(app: Flask) -> list[Route]:
    """Every authenticated state-changing /api route, found from the URL map."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api"):
            continue
        spec = getattr(app.view_functions.get(rule.endpoint), "endpoint_spec", None)
        if spec is None or spec.public:
            continue
        for method in sorted(set(rule.methods or ()) & set(UNSAFE)):
            found.append(Route(method, rule.rule))
    return found


@pytest.fixture
def world(factories: Any) -> dict[str, Any]:
    supporter = factories.supporter()
    patient = factories.patient()
    team = factories.team(TeamKind.bolig)
    return {"admin": factories.admin(), "supporter": supporter, "patient": patient, "team": team}


def _url(rule: str, world: dict[str, Any]) -> str:
    ids = {
        "user_id": world["patient"].id,
        "patient_id": world["patient"].id,
        "team_id": world["team"].id,
    }
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: str(ids.get(m.group(1), 1)), rule)


def _bodies(world: dict[str, Any]) -> dict[str, Any]:
    """A valid body for the routes known today; others get {}."""
    return {
        "POST /api/users": {"username": "ny-bruker", "display_name": "Ny Bruker", "role": "supporter"},
        "PATCH /api/users/<int:user_id>": {"display_name": "Nytt Navn"},
        "POST /api/teams": {"name": "Nytt team", "kind": "dps"},
        "PATCH /api/teams/<int:team_id>": {"name": "Omdøpt team"},
        "PUT /api/teams/<int:team_id>/members": {"user_ids": [world["supporter"].id]},
        "POST /api/patients": {"username": "ny-pasient", "display_name": "Ny Pasient"},
        "PUT /api/patients/<int:patient_id>/care-circle": {"tiers": [{"team_ids": [world["team"].id]}]},
    }


# Routes whose valid request (with the right token) changes something we can see.
KNOWN_WRITES = {
    "POST /api/auth/logout",
    "POST /api/users",
    "PATCH /api/users/<int:user_id>",
    "POST /api/users/<int:user_id>/invitation",
    "POST /api/teams",
    "PATCH /api/teams/<int:team_id>",
    "PUT /api/teams/<int:team_id>/members",
    "POST /api/patients",
    "PUT /api/patients/<int:patient_id>/care-circle",
}


def _send(client: Any, route: Route, world: dict[str, Any], headers: dict[str, str]) -> Any:
    body = _bodies(world).get(str(route), {})
    return client.open(_url(route.rule, world), method=route.method, json=body, headers=headers)


def _admin_client(app: Flask, auth: Any, world: dict[str, Any]) -> tuple[Any, str]:
    client = auth.client_for(world["admin"].username)
    token = client.csrf_token
    assert token
    client.csrf_token = None  # send the header only when a test says so
    return client, token


def test_the_route_walk_finds_the_state_changing_routes(app: Flask) -> None:
    found = {str(r) for r in unsafe_routes(app)}
    assert found >= KNOWN_WRITES
    assert "POST /api/auth/login" not in found  # public: guarded by the Origin check only


def test_without_a_csrf_token_every_write_is_refused_and_changes_nothing(
    app: Flask, auth: Any, world: dict[str, Any], db: Session
) -> None:
    client, _token = _admin_client(app, auth, world)
    before = snapshot(db)
    for route in unsafe_routes(app):
        response = _send(client, route, world, headers={})
        assert response.status_code == 403, route
        assert response.json["error"] == "csrf_failed", route
    assert snapshot(db) == before
    assert client.get("/api/auth/session").status_code == 200, "the refused logout did not log out"


def test_with_a_wrong_csrf_token_every_write_is_refused_and_changes_nothing(
    app: Flask, auth: Any, world: dict[str, Any], db: Session
) -> None:
    client, token = _admin_client(app, auth, world)
    # The token of another live session is wrong too.
    other_token = auth.client_for(world["supporter"].username).csrf_token
    before = snapshot(db)
    for route in unsafe_routes(app):
        for wrong in ("", "x" * 43, token[:-1], other_token):
            response = _send(client, route, world, headers={"X-CSRF-Token": wrong})
            assert response.status_code == 403, (route, wrong)
            assert response.json["error"] == "csrf_failed", (route, wrong)
    assert snapshot(db) == before


def test_a_foreign_origin_is_refused_even_with_the_right_token(
    app: Flask, auth: Any, world: dict[str, Any], db: Session
) -> None:
    client, token = _admin_client(app, auth, world)
    before = snapshot(db)
    for route in unsafe_routes(app):
        for origin in (FOREIGN, "http://localhost.evil.example", "null"):
            response = _send(client, route, world, headers={"X-CSRF-Token": token, "Origin": origin})
            assert response.status_code == 403, (route, origin)
            assert response.json["error"] == "bad_origin", (route, origin)
    assert snapshot(db) == before


def test_cross_site_fetch_without_origin_is_refused(
    app: Flask, auth: Any, world: dict[str, Any], db: Session
) -> None:
    client, token = _admin_client(app, auth, world)
    before = snapshot(db)
    for route in unsafe_routes(app):
        response = _send(
            client, route, world, headers={"X-CSRF-Token": token, "Sec-Fetch-Site": "cross-site"}
        )
        assert response.status_code == 403, route
        assert response.json["error"] == "bad_origin", route
    assert snapshot(db) == before


def test_with_the_right_token_and_our_own_origin_every_write_goes_through(
    app: Flask, auth: Any, world: dict[str, Any]
) -> None:
    """The control: the refusals above are due to the token and the origin."""
    for route in unsafe_routes(app):
        client, token = _admin_client(app, auth, world)
        headers = {"X-CSRF-Token": token, "Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}
        response = _send(client, route, world, headers=headers)
        if str(route) in KNOWN_WRITES:
            assert response.status_code in (200, 201, 204), (route, response.json)
        else:
            error = response.json.get("error") if response.is_json else None
            assert error not in ("csrf_failed", "bad_origin"), route


def test_csrf_applies_to_patients_and_supporters_too(app: Flask, auth: Any, world: dict[str, Any]) -> None:
    for who in ("patient", "supporter"):
        client = auth.client_for(world[who].username)
        token = client.csrf_token
        client.csrf_token = None
        refused = client.post("/api/auth/logout")
        assert refused.status_code == 403
        assert refused.json["error"] == "csrf_failed"
        assert client.get("/api/auth/session").status_code == 200
        assert client.post("/api/auth/logout", headers={"X-CSRF-Token": token}).status_code == 204


def test_the_csrf_token_belongs_to_one_session(app: Flask, auth: Any, world: dict[str, Any]) -> None:
    client = auth.client_for(world["admin"].username)
    old_token = client.csrf_token
    auth.login(client, world["admin"].username)  # a new session and a new token
    assert client.csrf_token != old_token
    response = client.patch(
        f"/api/users/{world['patient'].id}", json={"display_name": "X"}, headers={"X-CSRF-Token": old_token}
    )
    assert response.status_code == 403
    assert response.json["error"] == "csrf_failed"


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": FOREIGN},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ],
)
def test_login_from_another_site_is_refused(
    app: Flask, world: dict[str, Any], headers: dict[str, str]
) -> None:
    client: Any = app.test_client()
    response = client.post(
        "/api/auth/login", json={"username": world["admin"].username, "password": PASSWORD}, headers=headers
    )
    assert response.status_code == 403
    assert response.json["error"] == "bad_origin"
    assert client.get_cookie(COOKIE_NAME) is None
    assert "csrf_token" not in response.json


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Origin": "http://localhost"},
        {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "none"},
    ],
)
def test_login_from_our_own_origin_works(app: Flask, world: dict[str, Any], headers: dict[str, str]) -> None:
    response = app.test_client().post(
        "/api/auth/login", json={"username": world["admin"].username, "password": PASSWORD}, headers=headers
    )
    assert response.status_code == 200


def test_configured_allowed_origins_are_accepted(make_app: Any, world: dict[str, Any]) -> None:
    app = make_app(ALLOWED_ORIGINS="https://nattlys.example, https://app.nattlys.example/")
    for origin, status in (
        ("https://nattlys.example", 200),
        ("https://app.nattlys.example", 200),
        (FOREIGN, 403),
    ):
        response = app.test_client().post(
            "/api/auth/login",
            json={"username": world["admin"].username, "password": PASSWORD},
            headers={"Origin": origin},
        )
        assert response.status_code == status, origin
