"""National eID login (ID-porten for patients, HelseID for staff) against a real
OpenID provider: the npm package `oidc-provider`, started on loopback."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask
from joserfc.jwk import RSAKey
from sqlmodel import Session, col, or_, select

from nattlys.accounts import auth_events, invitations
from nattlys.accounts.strong_models import EidIdentity, EidSession
from nattlys.audit.models import AuditEntry
from tests.oidc_provider import APP_BASE, REDIRECT_URI, OpenIdProvider, running_provider

PID_KEY = "test-pid-key-" + "x" * 32
MONA, KARI, SILJE = "01017012345", "02028054321", "03039011111"
ACCOUNTS = {
    "mona": {"pid": MONA, "name": "Mona Berg"},
    "kari": {"pid": KARI, "name": "Kari Dahl"},
    "silje": {"pid": SILJE, "name": "Silje Lund"},
}
STAFF_PID_CLAIM = "helseid://claims/identity/pid"


def _client(client_id: str, **auth: Any) -> dict[str, Any]:
    return {
        "client_id": client_id,
        "redirect_uris": [REDIRECT_URI],
        "post_logout_redirect_uris": [APP_BASE + "/"],
        **auth,
    }


@pytest.fixture(scope="module")
def staff_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@pytest.fixture(scope="module")
def idporten(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpenIdProvider]:
    config = {
        "pid_claim": "pid",
        "accounts": ACCOUNTS,
        "clients": [_client("nattlys-patient", client_secret="patient-secret-" + "s" * 32)],
    }
    with running_provider(config, tmp_path_factory.mktemp("idporten")) as provider:
        yield provider


@pytest.fixture(scope="module")
def helseid(tmp_path_factory: pytest.TempPathFactory, staff_key: str) -> Iterator[OpenIdProvider]:
    public = RSAKey.import_key(staff_key).as_dict(private=False)
    config = {
        "pid_claim": STAFF_PID_CLAIM,
        "accounts": ACCOUNTS,
        "clients": [
            _client(
                "nattlys-staff",
                token_endpoint_auth_method="private_key_jwt",
                token_endpoint_auth_signing_alg="RS256",
                jwks={"keys": [public]},
            )
        ],
    }
    with running_provider(config, tmp_path_factory.mktemp("helseid")) as provider:
        yield provider


@pytest.fixture
def app(make_app: Any, idporten: OpenIdProvider, helseid: OpenIdProvider, staff_key: str) -> Flask:
    return make_app(
        PUBLIC_BASE_URL=APP_BASE,
        EID_PID_KEY=PID_KEY,
        EID_PATIENT_ISSUER=idporten.issuer,
        EID_PATIENT_CLIENT_ID="nattlys-patient",
        EID_PATIENT_CLIENT_SECRET="patient-secret-" + "s" * 32,
        EID_STAFF_ISSUER=helseid.issuer,
        EID_STAFF_CLIENT_ID="nattlys-staff",
        EID_STAFF_PRIVATE_KEY=staff_key,
        EID_STAFF_SCOPES="openid profile",
    )


def _invitation(db: Session, user: Any, by: Any, app: Flask) -> str:
    with app.test_request_context():
        token, _ = invitations.issue(db, user=user, created_by=by, at=_now(app))
    db.commit()
    return token


def _now(app: Flask) -> Any:
    from nattlys import clock

    with app.app_context():
        return clock.now()


def eid_login(
    client: Any,
    provider: OpenIdProvider,
    account: str,
    *,
    audience: str = "patient",
    invitation: str | None = None,
    acr: str = "idporten-loa-high",
    tamper: Any = None,
) -> Any:
    """The whole browser round: start, log in at the provider, come back."""
    started = client.post(f"/api/auth/eid/{audience}/start", json={"invitation": invitation})
    assert started.status_code == 200, started.json
    url = started.json["authorization_url"]
    if tamper is not None:
        url = tamper(url)
    provider.next_login(account, acr)
    return client.get(provider.authorize(url).removeprefix(APP_BASE))


def _refused_with(response: Any, code: str) -> None:
    assert response.status_code == 302
    assert response.headers["Location"] == f"/#/logg-inn/eid/{code}"


def _session_user(client: Any) -> Any:
    answer = client.get("/api/auth/session")
    return answer.json["user"] if answer.status_code == 200 else None


@pytest.fixture
def mona(factories: Any, db: Session, app: Flask, idporten: OpenIdProvider) -> Any:
    """A patient whose invitation Mona used with ID-porten: bound to her."""
    patient = factories.patient(password_hash=None)
    admin = factories.admin()
    answer = eid_login(app.test_client(), idporten, "mona", invitation=_invitation(db, patient, admin, app))
    assert answer.headers["Location"] == "/#/"
    return patient


def test_an_invitation_binds_the_first_eid_login_and_later_logins_match_it(
    app: Flask, db: Session, factories: Any, idporten: OpenIdProvider
) -> None:
    patient = factories.patient(password_hash=None)
    token = _invitation(db, patient, factories.admin(), app)
    phone = app.test_client()

    answer = eid_login(phone, idporten, "mona", invitation=token)

    assert answer.status_code == 302 and answer.headers["Location"] == "/#/"
    assert _session_user(phone)["id"] == patient.id
    bound = db.exec(select(EidIdentity).where(EidIdentity.user_id == patient.id)).one()
    assert bound.pid_hash == hmac.new(PID_KEY.encode(), MONA.encode(), hashlib.sha256).hexdigest()
    # The identity number itself is stored nowhere, not even inside the kept ID token.
    assert MONA not in db.exec(select(EidSession)).one().id_token
    about_her = or_(AuditEntry.patient_id == patient.id, auth_events.is_about(patient.id))
    actions = list(db.exec(select(AuditEntry.action).where(about_her).order_by(col(AuditEntry.id))).all())
    # The first login on this phone is also an account event: a new device.
    assert actions == ["invitation.issue", "eid.enrol", "eid.login", "auth.new_device"]
    db.commit()  # end the read: SQLite lets one writer in at a time

    # The link is used up; the next time she just logs in with ID-porten.
    again = app.test_client()
    assert app.test_client().post("/api/invitations/lookup", json={"token": token}).status_code == 410
    assert eid_login(again, idporten, "mona").headers["Location"] == "/#/"
    assert _session_user(again)["id"] == patient.id


def test_someone_never_invited_gets_no_account(app: Flask, idporten: OpenIdProvider, mona: Any) -> None:
    phone = app.test_client()
    _refused_with(eid_login(phone, idporten, "kari"), "not_enrolled")
    assert _session_user(phone) is None


def test_a_lower_security_level_than_required_is_refused(
    app: Flask, idporten: OpenIdProvider, mona: Any
) -> None:
    phone = app.test_client()
    _refused_with(eid_login(phone, idporten, "mona", acr="idporten-loa-substantial"), "wrong_acr")
    assert _session_user(phone) is None


def test_a_replayed_code_logs_nobody_in(app: Flask, idporten: OpenIdProvider, mona: Any) -> None:
    phone: Any = app.test_client()
    started = phone.post("/api/auth/eid/patient/start", json={})
    idporten.next_login("mona")
    callback = idporten.authorize(started.json["authorization_url"]).removeprefix(APP_BASE)
    assert phone.get(callback).headers["Location"] == "/#/"

    # The same answer again: its state was used.
    attacker = app.test_client()
    attacker.post("/api/auth/eid/patient/start", json={})  # has a browser cookie of its own
    _refused_with(attacker.get(callback), "unknown_login")
    _refused_with(phone.get(callback), "unknown_login")
    # The same code under a fresh login's state: the provider refuses the code.
    fresh = phone.post("/api/auth/eid/patient/start", json={}).json["authorization_url"]
    state = parse_qs(urlsplit(fresh).query)["state"][0]
    code = parse_qs(urlsplit(callback).query)["code"][0]
    replay = phone.get("/api/auth/eid/callback?" + urlencode({"state": state, "code": code}))
    _refused_with(replay, "code_refused")


def _with_nonce(nonce: str) -> Any:
    def tamper(url: str) -> str:
        parts = urlsplit(url)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        query["nonce"] = nonce
        return urlunsplit(parts._replace(query=urlencode(query)))

    return tamper


def test_an_id_token_with_another_nonce_is_refused(app: Flask, idporten: OpenIdProvider, mona: Any) -> None:
    phone = app.test_client()
    _refused_with(
        eid_login(phone, idporten, "mona", tamper=_with_nonce("someone-elses-nonce")), "wrong_nonce"
    )
    assert _session_user(phone) is None


def test_a_callback_in_another_browser_than_the_one_that_started_is_refused(
    app: Flask, idporten: OpenIdProvider, mona: Any
) -> None:
    victim = app.test_client()
    started: Any = app.test_client().post("/api/auth/eid/patient/start", json={})  # the attacker's
    idporten.next_login("kari")
    callback = idporten.authorize(started.json["authorization_url"]).removeprefix(APP_BASE)
    _refused_with(victim.get(callback), "other_browser")
    assert _session_user(victim) is None


def test_a_new_invitation_for_a_bound_account_accepts_only_the_same_person(
    app: Flask, db: Session, factories: Any, idporten: OpenIdProvider, mona: Any
) -> None:
    token = _invitation(db, mona, factories.admin(), app)
    intruder = app.test_client()

    _refused_with(eid_login(intruder, idporten, "kari", invitation=token), "other_person")

    assert _session_user(intruder) is None
    bound = db.exec(select(EidIdentity).where(EidIdentity.user_id == mona.id)).all()
    assert [b.pid_hash for b in bound] == [
        hmac.new(PID_KEY.encode(), MONA.encode(), hashlib.sha256).hexdigest()
    ]
    db.commit()
    # Kari got nothing: she still cannot log in, and Mona's link still works for Mona.
    _refused_with(eid_login(app.test_client(), idporten, "kari"), "not_enrolled")
    phone = app.test_client()
    assert eid_login(phone, idporten, "mona", invitation=token).headers["Location"] == "/#/"
    assert _session_user(phone)["id"] == mona.id


def test_a_staff_link_for_an_account_with_a_password_binds_no_eid_until_approved(
    app: Flask, db: Session, factories: Any, idporten: OpenIdProvider
) -> None:
    """The takeover: a supporter issues a new link for a patient who has a
    password and uses it with their own BankID to bind themselves to her."""
    patient = factories.patient()  # has a password, no eID bound
    supporter = factories.supporter()
    token = _invitation(db, patient, supporter, app)

    intruder = app.test_client()
    _refused_with(eid_login(intruder, idporten, "kari", invitation=token), "invitation_awaiting_approval")

    assert _session_user(intruder) is None
    assert db.exec(select(EidIdentity).where(EidIdentity.user_id == patient.id)).first() is None


def test_an_identity_bound_to_one_account_cannot_take_another(
    app: Flask, db: Session, factories: Any, idporten: OpenIdProvider, mona: Any
) -> None:
    other = factories.patient(password_hash=None)
    token = _invitation(db, other, factories.admin(), app)
    _refused_with(eid_login(app.test_client(), idporten, "mona", invitation=token), "identity_in_use")
    assert db.exec(select(EidIdentity).where(EidIdentity.user_id == other.id)).first() is None


def test_logout_ends_the_session_here_and_at_the_provider(
    app: Flask, idporten: OpenIdProvider, mona: Any
) -> None:
    phone: Any = app.test_client()
    eid_login(phone, idporten, "mona")
    assert _session_user(phone)["id"] == mona.id  # as the app does after the redirect (CSRF token)

    out = phone.post("/api/auth/eid/logout")

    assert out.status_code == 200
    assert _session_user(phone) is None
    url = out.json["end_session_url"]
    assert url.startswith(idporten.issuer + "/session/end?")
    assert parse_qs(urlsplit(url).query)["post_logout_redirect_uri"] == [APP_BASE + "/"]
    assert idporten.log_out(url) == APP_BASE + "/"


def test_a_password_session_logs_out_without_a_provider_round(app: Flask, auth: Any, factories: Any) -> None:
    patient = factories.patient()
    phone = auth.client_for(patient.username)
    out = phone.post("/api/auth/eid/logout")
    assert out.status_code == 200 and out.json == {"end_session_url": None}
    assert _session_user(phone) is None


def test_staff_log_in_with_helseid_by_private_key_jwt(
    app: Flask, db: Session, factories: Any, helseid: OpenIdProvider
) -> None:
    supporter = factories.supporter(password_hash=None)
    token = _invitation(db, supporter, factories.admin(), app)
    desk = app.test_client()
    answer = eid_login(desk, helseid, "silje", audience="staff", invitation=token)
    assert answer.headers["Location"] == "/#/"
    assert _session_user(desk)["id"] == supporter.id
    # A patient's invitation cannot be used with the staff provider, nor staff's with ID-porten.
    patient_token = _invitation(db, factories.patient(), factories.admin(), app)
    refused = app.test_client().post("/api/auth/eid/staff/start", json={"invitation": patient_token})
    assert refused.status_code == 400


def test_password_login_can_be_switched_off_per_role(make_app: Any, factories: Any) -> None:
    app = make_app(PASSWORD_LOGIN_ROLES="supporter,admin")
    patient, supporter = factories.patient(), factories.supporter()
    client = app.test_client()
    refused = client.post(
        "/api/auth/login", json={"username": patient.username, "password": factories.password}
    )
    assert refused.status_code == 403 and refused.json["error"] == "password_login_off"
    ok = client.post("/api/auth/login", json={"username": supporter.username, "password": factories.password})
    assert ok.status_code == 200
    methods = app.test_client().get("/api/auth/methods").json
    assert methods == {"eid_patient": False, "eid_staff": False, "password_roles": ["admin", "supporter"]}
    # Nor can a patient choose a password with an invitation link.
    from nattlys.db import get_engine

    with Session(get_engine(app), expire_on_commit=False) as db:
        token = _invitation(db, factories.patient(password_hash=None), factories.admin(), app)
    chosen = client.post(
        "/api/invitations/accept", json={"token": token, "password": "et langt og godt passord"}
    )
    assert chosen.status_code == 403 and chosen.json["error"] == "password_login_off"


def test_an_unconfigured_provider_is_not_offered(make_app: Any) -> None:
    app = make_app()
    assert app.test_client().post("/api/auth/eid/patient/start", json={}).status_code == 404
    assert app.test_client().post("/api/auth/eid/nobody/start", json={}).status_code == 404


def test_production_refuses_an_eid_provider_set_up_halfway() -> None:
    from nattlys.config import ConfigError, Settings
    from nattlys.crypto import keys

    base = {
        "NATTLYS_ENV": "production",
        "SECRET_KEY": "s" * 40,
        "DATA_KEYS": keys.generate("t1"),
        "EID_PATIENT_ISSUER": "https://idporten.no",
    }
    with pytest.raises(ConfigError, match="EID_PATIENT_CLIENT_ID"):
        Settings.from_env(base)
    with pytest.raises(ConfigError, match="EID_PATIENT_CLIENT_SECRET or EID_PATIENT_PRIVATE_KEY"):
        Settings.from_env({**base, "EID_PATIENT_CLIENT_ID": "nattlys"})
    with pytest.raises(ConfigError, match="EID_PID_KEY"):
        Settings.from_env({**base, "EID_PATIENT_CLIENT_ID": "nattlys", "EID_PATIENT_CLIENT_SECRET": "x" * 40})
    with pytest.raises(ConfigError, match="PASSWORD_LOGIN_ROLES"):
        Settings.from_env({"NATTLYS_ENV": "testing", "PASSWORD_LOGIN_ROLES": "patient,root"})


def test_a_provider_that_does_not_answer_is_said_so(make_app: Any) -> None:
    import socket

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    app = make_app(
        EID_PATIENT_ISSUER=f"http://127.0.0.1:{port}",
        EID_PATIENT_CLIENT_ID="x",
        EID_PATIENT_CLIENT_SECRET="y",
    )
    answer = app.test_client().post("/api/auth/eid/patient/start", json={})
    assert answer.status_code == 502 and answer.json["error"] == "eid_unavailable"
