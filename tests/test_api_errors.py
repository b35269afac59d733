"""JSON errors, security headers, the OpenAPI document and what reaches the logs."""

from __future__ import annotations

import json
import logging
from typing import Any, cast

import pytest
from flask import Flask

from nattlys.accounts.sessions import COOKIE_NAME
from tests.conftest import PASSWORD


@pytest.fixture
def admin(factories: Any, auth: Any) -> Any:
    return auth.client_for(factories.admin().username)


def _assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:200])
    assert response.mimetype == "application/json"
    body = response.json
    assert body["error"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert set(body) <= {"error", "message", "fields"}
    assert response.headers["Cache-Control"] == "no-store"
    return body


def test_malformed_json_is_400(admin: Any) -> None:
    for raw in ('{"name": "Bolig", ', "not json at all", "\xff\xfe", ""):
        response = admin.post("/api/teams", data=raw, content_type="application/json")
        _assert_error(response, 400, "malformed_json")


@pytest.mark.parametrize("raw", ["[]", '[{"name": "Bolig Nord", "kind": "bolig"}]', '"text"', "42", "null"])
def test_a_json_body_that_is_not_an_object_is_400(admin: Any, raw: str) -> None:
    response = admin.post("/api/teams", data=raw, content_type="application/json")
    _assert_error(response, 400, "malformed_json")
    assert admin.get("/api/teams").json == []


def test_invalid_fields_are_400_with_the_fields_named(admin: Any) -> None:
    response = admin.post("/api/teams", json={"name": "B", "kind": "sykehus"})
    body = _assert_error(response, 400, "invalid_input")
    locations = {tuple(f["loc"]) for f in body["fields"]}
    assert ("name",) in locations
    assert ("kind",) in locations
    for field in body["fields"]:
        assert set(field) == {"loc", "type", "message"}
        assert "sykehus" not in json.dumps(field), "input values are not echoed"


def test_a_missing_required_field_is_invalid_input(app: Flask) -> None:
    response = app.test_client().post("/api/auth/login", json={"username": "kari"})
    body = _assert_error(response, 400, "invalid_input")
    assert [f["loc"] for f in body["fields"]] == [["password"]]


def test_missing_login_is_401(app: Flask) -> None:
    client = app.test_client()
    for method, url in (("GET", "/api/patients"), ("GET", "/api/auth/session"), ("POST", "/api/teams")):
        _assert_error(client.open(url, method=method, json={}), 401, "unauthorized")


def test_a_stale_session_cookie_is_401_and_cleared(app: Flask) -> None:
    client = app.test_client()
    client.set_cookie(COOKIE_NAME, "no-such-session-token-0123456789")
    response = client.get("/api/auth/session")
    _assert_error(response, 401, "unauthorized")
    assert client.get_cookie(COOKIE_NAME) is None


def test_an_unknown_api_route_is_a_json_404(app: Flask) -> None:
    _assert_error(app.test_client().get("/api/finnes-ikke"), 404, "not_found")
    _assert_error(app.test_client().post("/api/finnes/ikke", json={}), 404, "not_found")


def test_a_wrong_method_is_a_json_405(app: Flask, admin: Any) -> None:
    response = app.test_client().get("/api/auth/login")
    _assert_error(response, 405, "method_not_allowed")
    assert "POST" in response.headers["Allow"]
    _assert_error(admin.delete("/api/teams"), 405, "method_not_allowed")


def test_a_body_over_the_limit_is_413(app: Flask, admin: Any) -> None:
    big = {"username": "kari", "password": "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)}
    _assert_error(app.test_client().post("/api/auth/login", json=big), 413, "too_large")
    _assert_error(admin.post("/api/teams", json={"name": "y" * 300_000, "kind": "bolig"}), 413, "too_large")


def test_an_unexpected_error_is_a_json_500_without_details(
    make_app: Any, factories: Any, auth: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nattlys.care_circles import service

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internals: Mona's crisis plan")

    monkeypatch.setattr(service, "list_teams", boom)
    app = make_app()
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    auth.login(client, factories.admin().username)
    body = _assert_error(client.get("/api/teams"), 500, "internal_error")
    assert "Mona" not in body["message"]


def test_security_headers(app: Flask) -> None:
    for response in (
        app.test_client().get("/api/openapi.json"),
        app.test_client().get("/api/patients"),
        app.test_client().get("/healthz"),
    ):
        csp = response.headers["Content-Security-Policy"]
        assert "'unsafe-inline'" not in csp
        assert "'unsafe-eval'" not in csp
        assert "frame-ancestors 'none'" in csp
        assert "default-src 'self'" in csp
        assert "object-src 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Request-ID"]
        assert "Strict-Transport-Security" not in response.headers, "HSTS only over https"


def test_api_responses_are_not_cached(app: Flask, admin: Any) -> None:
    for response in (
        admin.get("/api/auth/session"),
        admin.get("/api/teams"),
        app.test_client().get("/api/patients"),
        app.test_client().get("/api/openapi.json"),
    ):
        assert response.headers["Cache-Control"] == "no-store"


def _walk(node: Any) -> Any:
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def test_openapi_lists_every_route_and_every_ref_resolves(app: Flask) -> None:
    response: Any = app.test_client().get("/api/openapi.json")
    assert response.status_code == 200
    doc = response.json
    assert doc["openapi"].startswith("3.")
    schemas = doc["components"]["schemas"]

    expected = set()
    for rule in app.url_map.iter_rules():
        if getattr(app.view_functions[rule.endpoint], "endpoint_spec", None) is None:
            continue
        path = rule.rule.replace("<int:", "<").replace("<", "{").replace(">", "}")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            expected.add((path, method.lower()))
    listed = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    assert len(expected) >= 15
    assert expected == listed

    refs = [n["$ref"] for n in _walk(doc) if isinstance(n, dict) and "$ref" in n]
    assert refs
    for ref in refs:
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.removeprefix("#/components/schemas/") in schemas, ref

    for node in _walk(doc):
        if isinstance(node, dict) and isinstance(node.get("properties"), dict):
            assert "password_hash" not in node["properties"]
    assert "password_hash" not in json.dumps(doc)


def test_openapi_marks_public_and_protected_operations(app: Flask) -> None:
    paths = cast(dict[str, Any], app.test_client().get("/api/openapi.json").json)["paths"]
    assert "security" not in paths["/api/auth/login"]["post"]
    assert paths["/api/patients/{patient_id}"]["get"]["security"] == [{"sessionCookie": []}]
    params = paths["/api/patients/{patient_id}"]["get"]["parameters"]
    assert {"name": "patient_id", "in": "path", "required": True, "schema": {"type": "integer"}} in params
    login = paths["/api/auth/login"]["post"]
    assert login["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/LoginRequest"
    }
    assert "429" in login["responses"]


def test_logs_hold_neither_password_nor_session_token(
    app: Flask, factories: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    user = factories.patient()
    client: Any = app.test_client()
    wrong = "et-galt-men-hemmelig-passord"
    assert (
        client.post("/api/auth/login", json={"username": user.username, "password": wrong}).status_code == 401
    )
    response = client.post("/api/auth/login", json={"username": user.username, "password": PASSWORD})
    assert response.status_code == 200
    token = client.get_cookie(COOKIE_NAME).value
    client.get("/api/auth/session")
    client.post("/api/auth/logout", headers={"X-CSRF-Token": response.json["csrf_token"]})

    assert caplog.records, "the login produced log lines to check"
    text = caplog.text + " ".join(repr(r.__dict__) for r in caplog.records)
    assert PASSWORD not in text
    assert wrong not in text
    assert token not in text
    assert response.json["csrf_token"] not in text
