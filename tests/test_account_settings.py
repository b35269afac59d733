"""Issue #13.6 and #13.7: changing one's password, "Mine enheter" (my devices),
and the account events every user sees about their own account."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from nattlys.accounts.auth_events import ACCOUNT_ACTIONS
from tests.conftest import PASSWORD

NEW = "blåbær og tyttebær i mai"
PHONE = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36"
LAPTOP = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15"


def _client(app: Flask, user_agent: str) -> Any:
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = user_agent
    return client


@pytest.mark.parametrize("role", ["patient", "supporter", "admin"])
def test_changing_the_password_needs_the_current_one_and_logs_out_other_devices(
    app: Flask, factories: Any, auth: Any, role: str
) -> None:
    user = getattr(factories, role)(display_name="Mona Berntsen")
    here, elsewhere = auth.client_for(user.username), auth.client_for(user.username)

    wrong = here.post("/api/me/password", json={"current_password": "ikke mitt passord", "new_password": NEW})
    assert wrong.status_code == 401
    weak = here.post("/api/me/password", json={"current_password": PASSWORD, "new_password": "monaberntsen1"})
    assert weak.status_code == 400
    assert weak.json["error"] == "password_too_common"
    assert elsewhere.get("/api/auth/session").status_code == 200, "a refused change changes nothing"

    done = here.post("/api/me/password", json={"current_password": PASSWORD, "new_password": NEW})
    assert done.status_code == 204, done.json
    assert here.get("/api/auth/session").status_code == 200
    assert elsewhere.get("/api/auth/session").status_code == 401
    assert (
        app.test_client()
        .post("/api/auth/login", json={"username": user.username, "password": PASSWORD})
        .status_code
        == 401
    )
    auth.login(app.test_client(), user.username, NEW)
    assert "auth.password_changed" in [e["action"] for e in here.get("/api/me/account-events").json]


def test_my_devices_lists_each_session_with_its_device_and_ends_one(
    app: Flask, factories: Any, auth: Any, clock: Any
) -> None:
    patient = factories.patient()
    phone, laptop = _client(app, PHONE), _client(app, LAPTOP)
    auth.login(phone, patient.username)
    clock.advance(minutes=10)
    auth.login(laptop, patient.username)
    clock.advance(minutes=5)
    phone.get("/api/auth/session")

    devices = phone.get("/api/me/sessions").json
    by_label = {d["device_label"]: d for d in devices}
    assert set(by_label) == {"Chrome · Android", "Safari · Mac"}
    assert by_label["Chrome · Android"]["current"] is True
    assert by_label["Safari · Mac"]["current"] is False
    assert by_label["Chrome · Android"]["last_seen_at"] > by_label["Chrome · Android"]["created_at"]
    assert all(len(d["id"]) == 24 for d in devices), "a handle, never the session's own digest"

    assert phone.delete(f"/api/me/sessions/{by_label['Safari · Mac']['id']}").status_code == 204
    assert laptop.get("/api/auth/session").status_code == 401
    assert [d["device_label"] for d in phone.get("/api/me/sessions").json] == ["Chrome · Android"]
    other = auth.client_for(factories.patient().username)
    assert other.delete(f"/api/me/sessions/{by_label['Chrome · Android']['id']}").status_code == 404


def test_logins_failures_lockouts_and_new_devices_are_shown_to_the_account_holder(
    app: Flask, factories: Any, auth: Any, socket_client: Any
) -> None:
    patient = factories.patient()
    phone = _client(app, PHONE)
    auth.login(phone, patient.username)
    sio = socket_client(phone)
    sio.get_received()
    auth.login(_client(app, LAPTOP), patient.username)  # a new device: her phone is told at once
    told = [e["args"][0]["action"] for e in sio.get_received() if e["name"] == "account:event"]
    assert told == ["auth.new_device"]
    for _ in range(6):  # a stranger: five wrong passwords, then locked out
        app.test_client().post(
            "/api/auth/login", json={"username": patient.username, "password": "feil passord"}
        )
    auth.login(phone, patient.username)  # her phone is known: a plain login, lock-out or not

    actions = [e["action"] for e in phone.get("/api/me/account-events").json]
    assert actions[0] == "auth.login"
    assert actions.count("auth.login_failed") == 5
    assert actions.count("auth.lockout") == 1
    assert actions.count("auth.new_device") == 2  # the phone's first login, then the laptop
    # Failed logins by a stranger are account events, not "who has seen my data".
    assert [e for e in phone.get("/api/me/audit").json if e["object_type"] == "account"] == []


def test_every_account_event_has_words_in_both_languages() -> None:
    i18n = Path(__file__).resolve().parents[1] / "pwa" / "app" / "i18n"
    for language in ("nb", "en"):
        words = json.loads((i18n / f"{language}.json").read_text(encoding="utf-8"))["account"]["event"]
        missing = sorted(a for a in ACCOUNT_ACTIONS if a.replace(".", "_") not in words)
        assert not missing, f"{language}.json account.event lacks {missing}"
