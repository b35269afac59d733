"""Passkeys on the server: adding, logging in, listing and removing, and the
challenges that are single-use, short-lived and bound to their purpose."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlmodel import Session, select

from nattlys.accounts.passkeys import has_passkey
from nattlys.audit.models import AuditEntry
from tests.soft_authenticator import SoftPasskey


def _add_passkey(client: Any, passkey: SoftPasskey) -> Any:
    started = client.post("/api/me/passkeys/options")
    assert started.status_code == 200, started.json
    options = started.json["options"]
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    return client.post(
        "/api/me/passkeys",
        json={
            "ceremony": started.json["ceremony"],
            "credential": passkey.create(options),
            "name": "Telefonen min",
        },
    )


def _login_options(app: Flask) -> tuple[Any, dict[str, Any]]:
    client: Any = app.test_client()
    started = client.post("/api/auth/passkey/options")
    assert started.status_code == 200
    return client, started.json


def _log_in(app: Flask, passkey: SoftPasskey, **kwargs: Any) -> Any:
    client, started = _login_options(app)
    return client.post(
        "/api/auth/passkey/login",
        json={"ceremony": started["ceremony"], "credential": passkey.get(started["options"], **kwargs)},
    )


def test_a_patient_adds_a_passkey_and_opens_the_app_with_it(
    app: Flask, auth: Any, factories: Any, db: Session
) -> None:
    patient = factories.patient()
    phone = auth.client_for(patient.username)
    passkey = SoftPasskey()

    added = _add_passkey(phone, passkey)

    assert added.status_code == 201, added.json
    assert added.json["name"] == "Telefonen min"
    listed = phone.get("/api/me/passkeys").json
    assert [p["id"] for p in listed] == [added.json["id"]]
    assert listed[0]["last_used_at"] is None
    with app.app_context():
        assert has_passkey(db, patient.id)
    db.commit()  # end the read: SQLite lets one writer in at a time

    # Later, logged out: no username, no password; the phone offers the passkey.
    _client, started = _login_options(app)
    assert started["options"].get("allowCredentials", []) == []
    logged_in = _log_in(app, passkey)
    assert logged_in.status_code == 200, logged_in.json
    assert logged_in.json["user"]["id"] == patient.id
    actions = list(db.exec(select(AuditEntry.action).where(AuditEntry.patient_id == patient.id)).all())
    assert actions == ["passkey.register", "passkey.login"]


def test_a_login_answer_cannot_be_replayed(app: Flask, auth: Any, factories: Any) -> None:
    passkey = SoftPasskey()
    assert _add_passkey(auth.client_for(factories.patient().username), passkey).status_code == 201
    client, started = _login_options(app)
    answer = {"ceremony": started["ceremony"], "credential": passkey.get(started["options"])}

    assert client.post("/api/auth/passkey/login", json=answer).status_code == 200
    replayed: Any = app.test_client().post("/api/auth/passkey/login", json=answer)

    assert replayed.status_code == 400
    assert replayed.json["error"] == "passkey_challenge_unknown"


def test_an_answer_to_another_challenge_is_refused(app: Flask, auth: Any, factories: Any) -> None:
    passkey = SoftPasskey()
    assert _add_passkey(auth.client_for(factories.patient().username), passkey).status_code == 201
    client, started = _login_options(app)
    _other, other = _login_options(app)
    # Signed over the other ceremony's challenge, sent with this one's.
    answer = {"ceremony": started["ceremony"], "credential": passkey.get(other["options"])}
    refused = client.post("/api/auth/passkey/login", json=answer)
    assert refused.status_code == 401
    assert client.get("/api/auth/session").status_code == 401
    # And a ceremony nobody was handed out.
    made_up = {"ceremony": "y" * 43, "credential": passkey.get(started["options"])}
    assert client.post("/api/auth/passkey/login", json=made_up).status_code == 400


def test_a_challenge_expires_after_five_minutes(app: Flask, auth: Any, factories: Any, clock: Any) -> None:
    passkey = SoftPasskey()
    assert _add_passkey(auth.client_for(factories.patient().username), passkey).status_code == 201
    client, started = _login_options(app)
    clock.advance(minutes=5, seconds=1)
    late = client.post(
        "/api/auth/passkey/login",
        json={"ceremony": started["ceremony"], "credential": passkey.get(started["options"])},
    )
    assert late.status_code == 400 and late.json["error"] == "passkey_challenge_unknown"


def test_a_registration_challenge_is_only_for_its_own_user_and_purpose(
    app: Flask, auth: Any, factories: Any, db: Session
) -> None:
    mine = auth.client_for(factories.patient().username)
    someone = auth.client_for(factories.patient().username)
    started = mine.post("/api/me/passkeys/options").json
    credential = SoftPasskey().create(started["options"])
    stolen = someone.post(
        "/api/me/passkeys", json={"ceremony": started["ceremony"], "credential": credential}
    )
    assert stolen.status_code == 400
    as_login = app.test_client().post(
        "/api/auth/passkey/login", json={"ceremony": started["ceremony"], "credential": credential}
    )
    assert as_login.status_code == 400
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "passkey.register")).first() is None


def test_a_passkey_from_another_site_is_refused(app: Flask, auth: Any, factories: Any) -> None:
    phone = auth.client_for(factories.patient().username)
    started = phone.post("/api/me/passkeys/options").json
    phishing = SoftPasskey(rp_id="nattlys.example.com", origin="https://nattlys.example.com")
    refused = phone.post(
        "/api/me/passkeys",
        json={"ceremony": started["ceremony"], "credential": phishing.create(started["options"])},
    )
    assert refused.status_code == 400
    assert phone.get("/api/me/passkeys").json == []


def test_a_cloned_passkey_whose_counter_goes_back_is_refused(app: Flask, auth: Any, factories: Any) -> None:
    passkey = SoftPasskey()
    assert _add_passkey(auth.client_for(factories.patient().username), passkey).status_code == 201
    assert _log_in(app, passkey).status_code == 200
    assert _log_in(app, passkey, count=False).status_code == 401


def test_only_the_owner_removes_a_passkey_and_a_removed_one_opens_nothing(
    app: Flask, auth: Any, factories: Any, db: Session
) -> None:
    patient, supporter = factories.patient(), factories.supporter()
    phone = auth.client_for(patient.username)
    passkey = SoftPasskey()
    passkey_id = _add_passkey(phone, passkey).json["id"]

    assert auth.client_for(supporter.username).delete(f"/api/me/passkeys/{passkey_id}").status_code == 404
    assert phone.delete(f"/api/me/passkeys/{passkey_id}").status_code == 204

    assert phone.get("/api/me/passkeys").json == []
    assert _log_in(app, passkey).status_code == 401
    with app.app_context():
        assert not has_passkey(db, patient.id)
    removed = db.exec(select(AuditEntry).where(AuditEntry.action == "passkey.remove")).one()
    assert (removed.actor_id, removed.patient_id) == (patient.id, patient.id)


def test_staff_passkeys_count_as_a_strong_factor(app: Flask, auth: Any, factories: Any, db: Session) -> None:
    supporter = factories.supporter()
    with app.app_context():
        assert not has_passkey(db, supporter.id)
    db.commit()
    assert _add_passkey(auth.client_for(supporter.username), SoftPasskey()).status_code == 201
    with app.app_context():
        assert has_passkey(db, supporter.id)


def test_expired_challenges_are_cleared_away(app: Flask, db: Session, clock: Any) -> None:
    from nattlys.accounts.strong_models import WebauthnChallenge

    for _ in range(3):
        _login_options(app)
    clock.advance(minutes=6)
    _login_options(app)
    assert len(db.exec(select(WebauthnChallenge)).all()) == 1


def test_a_stranger_locking_out_her_password_does_not_stop_her_passkey(
    app: Flask, auth: Any, factories: Any
) -> None:
    """Anyone who knows her username can lock the password login for a while;
    the passkey on a new phone is not a guess and opens the app all the same."""
    patient = factories.patient()
    passkey = SoftPasskey()
    assert _add_passkey(auth.client_for(patient.username), passkey).status_code == 201

    stranger = app.test_client()
    statuses = [
        stranger.post(
            "/api/auth/login",
            json={"username": patient.username, "password": "feil passord"},
            environ_base={"REMOTE_ADDR": "10.66.0.1"},
        ).status_code
        for _ in range(8)
    ]
    assert statuses[-1] == 429, statuses

    assert _log_in(app, passkey).status_code == 200
