"""Session and account attacks (issue #8): session fixation, replay after
logout, a user disabled mid-session, CSRF on every state-changing route, and
invitation / calendar-feed tokens that are reused or guessed.

Covered elsewhere and not repeated here:
- a made-up cookie planted before login is not adopted, and a copied cookie is
  useless after logout or disabling: tests/test_sessions.py;
- a new socket connection after logout, disabling or expiry is refused:
  tests/test_realtime.py;
- every write refused without / with a wrong CSRF token or from a foreign origin
  *as an administrator*: tests/test_csrf_and_origin.py (here: as the caller who
  may really make the change, so the refusal is not hidden by a 403 for role);
- a used, expired (72 h) or replaced invitation link is refused on lookup and
  accept, and tokens are never stored, audited or logged:
  tests/test_invitations.py.

There is no self-service password reset: an administrator (or a supporter in a
patient's care circle) issues a new invitation link, which is tested below as
the re-enrolment link.
"""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass
from typing import Any, cast

import pytest
from flask import Flask
from sqlalchemy import select
from sqlmodel import Session

from nattlys.accounts.sessions import COOKIE_NAME, token_digest
from nattlys.care_circles.models import TeamKind
from nattlys.chat.models import Conversation
from nattlys.db import get_engine
from nattlys.realtime.connections import session_users, sweep_ended_sessions
from nattlys.schema import metadata
from tests.authorization_world import CALLERS, MATRIX, World, build_world, call, client_of
from tests.conftest import PASSWORD
from tests.csrf_checks import FOREIGN, snapshot
from tests.factories import Factories
from tests.invitation_links import NEW_PASSWORD, link_token, lookup_link
from tests.scenes.world import NUMBERED_TEAMS, CareCircle, build_care_circle, extend
from tests.session_cookies import alive, client_with_token, session_token

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
STATE_CHANGING = sorted(r for r in MATRIX if r[0] in UNSAFE)
# Public routes answer every caller alike; the others say 401 to anonymous callers.
LOGIN_FREE = [r for r in STATE_CHANGING if len(set(MATRIX[r][2].values())) == 1]
WITH_SESSION = [r for r in STATE_CHANGING if r not in LOGIN_FREE]
# Routes whose valid matrix request succeeds without changing a stored row.
NO_VISIBLE_CHANGE = {
    ("POST", "/api/chat/conversations/<int:conversation_id>/read"),  # upto_id 0: nothing newly read
    ("POST", "/api/chat/conversations/<int:conversation_id>/delivered"),
    ("DELETE", "/api/push/subscriptions"),  # removing a subscription that was never made
    ("POST", "/api/patients/<int:patient_id>/discharges/contact"),
    ("DELETE", "/api/me/calendar-feed"),  # no feed was on
    # Ids that do not exist (404): what they act on needs a second person first.
    ("DELETE", "/api/me/sessions/<handle>"),
    ("POST", "/api/me/reenrolments/<int:invitation_id>/confirm"),
    ("POST", "/api/me/reenrolments/<int:invitation_id>/decline"),
    ("POST", "/api/reenrolments/<int:invitation_id>/approve"),
    ("POST", "/api/second-factor-resets/<int:reset_id>/approve"),
    ("DELETE", "/api/me/deletion"),  # no deletion request was waiting
    ("POST", "/api/chat/conversations/<int:conversation_id>/take"),  # the caller already holds it
    ("POST", "/api/patients/<int:patient_id>/crisis-plan/versions/<int:number>/restore"),  # v1 is current
    ("POST", "/api/teams/<int:team_id>/roster/draft"),  # the team already has a draft
    ("POST", "/api/me/passkeys"),  # no authenticator answer in the matrix (see _allowed_caller)
}
URL_SAFE_TOKEN = re.compile(r"^[A-Za-z0-9_-]+$")


def _route_id(route: tuple[str, str]) -> str:
    return f"{route[0]} {route[1]}"


# --- helpers ------------------------------------------------------------------------


def _write(client: Any, text: str) -> None:
    response = client.post("/api/chat/messages", json={"client_id": uuid.uuid4().hex, "body": text})
    assert response.status_code == 201, response.json


def _heard(sio: Any) -> list[str]:
    """Bodies of the chat messages a socket received (even once disconnected)."""
    bodies = [p["args"][0]["body"] for p in sio.queue if p["name"] == "chat:message"]
    sio.queue.clear()
    return bodies


@dataclass(frozen=True, kw_only=True)
class HeldCircle(CareCircle):
    conversation: Conversation


@pytest.fixture
def held(factories: Factories) -> HeldCircle:
    """Kari (on duty round the clock) holds Mona's conversation."""
    c = build_care_circle(
        factories,
        supporters=("kari",),
        tiers=(TeamKind.bolig,),
        team_names=NUMBERED_TEAMS,
        named=False,
        admin=True,
    )
    factories.published_roster(c.bolig, [([c.kari], [("00:00", "00:00", True)])])
    return extend(c, HeldCircle, conversation=factories.conversation(c.mona, holder=c.kari))


# --- session fixation -----------------------------------------------------------------


def test_a_planted_live_session_id_is_replaced_at_login_and_stops_working(
    app: Flask, factories: Any, auth: Any, socket_client: Any
) -> None:
    # The attacker logs in with their own account and plants that live cookie
    # in the victim's browser, hoping the victim's login will take it over.
    attacker = factories.patient()
    planted = session_token(auth.client_for(attacker.username))
    assert planted and alive(client_with_token(app, planted))
    victim = factories.supporter()
    browser: Any = app.test_client()
    browser.set_cookie(COOKIE_NAME, planted)

    auth.login(browser, victim.username)

    assert session_token(browser) != planted
    assert browser.get("/api/auth/session").json["user"]["id"] == victim.id
    stale = client_with_token(app, planted)
    response = stale.get("/api/auth/session")
    assert response.status_code == 401
    assert not socket_client(stale).is_connected()


def test_accepting_an_invitation_in_a_browser_with_a_planted_session_starts_a_new_one(
    app: Flask, factories: Any, auth: Any
) -> None:
    planted = cast(str, session_token(auth.client_for(factories.patient().username)))
    admin = auth.client_for(factories.admin().username)
    created = admin.post("/api/patients", json={"username": "ny-pasient", "display_name": "Nora"})
    browser: Any = app.test_client()
    browser.set_cookie(COOKIE_NAME, planted)

    accepted = browser.post(
        "/api/invitations/accept",
        json={"token": link_token(created.json["invitation"]), "password": NEW_PASSWORD},
    )

    assert accepted.status_code == 200
    assert session_token(browser) != planted
    assert browser.get("/api/auth/session").json["user"]["username"] == "ny-pasient"
    assert not alive(client_with_token(app, planted))


# --- replay after logout ----------------------------------------------------------------


def test_after_logout_the_old_cookie_with_its_csrf_token_changes_nothing(
    app: Flask, factories: Any, auth: Any, db: Session
) -> None:
    admin = factories.admin()
    patient = factories.patient(display_name="Mona")
    client = auth.client_for(admin.username)
    cookie, csrf = cast(str, session_token(client)), client.csrf_token
    assert auth.logout(client).status_code == 204

    replay = client_with_token(app, cookie)
    before = snapshot(db)
    response = replay.patch(
        f"/api/users/{patient.id}", json={"display_name": "Overtatt"}, headers={"X-CSRF-Token": csrf}
    )
    assert response.status_code == 401
    assert response.json["error"] == "unauthorized"
    assert snapshot(db) == before


def test_logging_out_drops_that_sessions_sockets_and_keeps_the_other_devices(
    app: Flask, auth: Any, held: HeldCircle, socket_client: Any
) -> None:
    laptop = auth.client_for(held.mona.username)
    phone = auth.client_for(held.mona.username)
    laptop_socket = socket_client(laptop)
    thief_socket = socket_client(client_with_token(app, cast(str, session_token(laptop))))  # a copied cookie
    phone_socket = socket_client(phone)
    assert laptop_socket.is_connected() and thief_socket.is_connected()

    assert auth.logout(laptop).status_code == 204

    assert not laptop_socket.is_connected()
    assert not thief_socket.is_connected()
    assert phone_socket.is_connected()
    kari = auth.client_for(held.kari.username)
    reply = kari.post(
        f"/api/chat/conversations/{held.conversation.id}/messages",
        json={"client_id": uuid.uuid4().hex, "body": "Jeg er her."},
    )
    assert reply.status_code == 201, reply.json
    assert _heard(phone_socket) == ["Jeg er her."]
    assert _heard(laptop_socket) == [] and _heard(thief_socket) == []


def test_an_open_socket_whose_session_expired_is_refused_at_its_next_event(
    auth: Any, held: HeldCircle, socket_client: Any, clock: Any
) -> None:
    sio = socket_client(auth.client_for(held.kari.username))
    ref = {"conversation_id": held.conversation.id}
    assert "ok" in sio.emit("chat:sync", ref, callback=True)
    clock.advance(minutes=31)  # the staff session has timed out; nothing told the socket
    answer = sio.emit("chat:sync", ref, callback=True)
    assert answer["error"] == "unauthorized"
    assert not sio.is_connected()


def test_the_sweep_drops_an_idle_staff_socket_and_it_hears_no_more_patient_messages(
    app: Flask, auth: Any, held: HeldCircle, socket_client: Any, clock: Any
) -> None:
    """An idle supporter's socket sends nothing, so no event of hers notices
    that her session ended: the per-process sweep does, and disconnects it,
    while the patient's (30 days sliding) stays."""
    kari_socket = socket_client(auth.client_for(held.kari.username))
    mona = auth.client_for(held.mona.username)
    mona_socket = socket_client(mona)
    clock.advance(minutes=31)

    with app.app_context(), Session(get_engine(app)) as db:
        assert sweep_ended_sessions(db, at=clock()) == 1

    assert not kari_socket.is_connected()
    assert mona_socket.is_connected()
    _write(mona, "Er det noen der?")
    assert _heard(kari_socket) == []


def test_the_sweep_drops_a_copied_cookies_socket_after_logout_on_another_process(
    app: Flask, auth: Any, held: HeldCircle, socket_client: Any, clock: Any
) -> None:
    laptop = auth.client_for(held.mona.username)
    known = set(session_users)
    thief_socket = socket_client(client_with_token(app, cast(str, session_token(laptop))))
    (sid,) = set(session_users) - known
    # As if the copied cookie's socket were held by another server process:
    # logging out here cannot disconnect it.
    session_users.pop(sid)
    assert auth.logout(laptop).status_code == 204
    assert thief_socket.is_connected()

    with app.app_context(), Session(get_engine(app)) as db:
        assert sweep_ended_sessions(db, at=clock()) == 1
    assert not thief_socket.is_connected()


# --- a user disabled mid-session ---------------------------------------------------------


def test_a_disabled_supporters_open_socket_is_dropped_and_hears_no_more_patient_messages(
    auth: Any, held: HeldCircle, socket_client: Any
) -> None:
    kari_http = auth.client_for(held.kari.username)
    kari_socket = socket_client(kari_http)
    mona = auth.client_for(held.mona.username)
    _write(mona, "Er du der?")
    assert _heard(kari_socket) == ["Er du der?"], "the control: Kari hears Mona while active"

    admin = auth.client_for(held.admin.username)
    assert admin.patch(f"/api/users/{held.kari.id}", json={"is_active": False}).status_code == 200

    assert not kari_socket.is_connected()
    _write(mona, "Hallo?")
    assert _heard(kari_socket) == []
    assert kari_http.get("/api/auth/session").status_code == 401


def test_a_disabled_supporters_socket_on_another_process_hears_nothing_and_is_refused(
    auth: Any, held: HeldCircle, socket_client: Any
) -> None:
    known = set(session_users)
    kari_socket = socket_client(auth.client_for(held.kari.username))
    (sid,) = set(session_users) - known
    # As if the socket were held by another server process: this one cannot
    # disconnect it, only close the user's room on every process.
    session_users.pop(sid)
    mona = auth.client_for(held.mona.username)
    admin = auth.client_for(held.admin.username)

    assert admin.patch(f"/api/users/{held.kari.id}", json={"is_active": False}).status_code == 200
    _write(mona, "Hallo?")

    assert kari_socket.is_connected()
    assert _heard(kari_socket) == []
    answer = kari_socket.emit("chat:sync", {"conversation_id": held.conversation.id}, callback=True)
    assert answer["error"] == "unauthorized"
    assert not kari_socket.is_connected()


# --- CSRF on every state-changing route --------------------------------------------------


def _allowed_caller(route: tuple[str, str]) -> str:
    """A caller the route lets through (to a 2xx, or to a 404 for an id that does not exist)."""
    expected = MATRIX[route][2]
    allowed = [c for c in CALLERS if 200 <= expected[c] < 300] or [c for c in CALLERS if expected[c] == 404]
    # Adding a passkey needs an authenticator's answer, which the matrix has not:
    # its control gets past the CSRF check and is refused as a bad answer (400).
    return allowed[0] if allowed else next(c for c in CALLERS if expected[c] == 400)


def test_the_route_lists_follow_the_server(app: Flask) -> None:
    """Which routes are login-free is read from the matrix; it must match the code."""
    public = set()
    for rule in app.url_map.iter_rules():
        spec = getattr(app.view_functions.get(rule.endpoint), "endpoint_spec", None)
        if spec is not None and spec.public:
            public |= {(m, rule.rule) for m in rule.methods or () if m in UNSAFE}
    assert set(LOGIN_FREE) == public
    assert set(LOGIN_FREE) == {
        ("POST", "/api/auth/login"),
        ("POST", "/api/invitations/lookup"),
        ("POST", "/api/invitations/accept"),
        # Open only to a password login waiting for its second factor.
        ("POST", "/api/auth/second-factor/enrol"),
        ("POST", "/api/auth/second-factor/verify"),
        ("POST", "/api/auth/eid/<provider>/start"),
        ("POST", "/api/auth/passkey/options"),
        ("POST", "/api/auth/passkey/login"),
    }
    assert len(WITH_SESSION) > 30


@pytest.fixture
def world(factories: Any, db: Session, clock: Any) -> World:
    """The authorization matrix's patients, supporters, teams and conversation."""
    return build_world(factories, db, clock)


@pytest.mark.parametrize("route", WITH_SESSION, ids=_route_id)
def test_a_forged_request_is_refused_and_changes_nothing(
    route: tuple[str, str], app: Flask, world: World, auth: Any, db: Session
) -> None:
    caller = _allowed_caller(route)
    client = client_of(caller, app, world, auth)
    token = client.csrf_token
    # The token of another live session of the same person is wrong too.
    other_token = client_of(caller, app, world, auth).csrf_token
    before = snapshot(db)

    for sent_token, origin, error in (
        (None, None, "csrf_failed"),
        (other_token, None, "csrf_failed"),
        (token, FOREIGN, "bad_origin"),
    ):
        client.csrf_token = sent_token
        client.environ_base.pop("HTTP_ORIGIN", None)
        if origin:
            client.environ_base["HTTP_ORIGIN"] = origin
        response = call(route, client, world)
        assert response.status_code == 403, (caller, sent_token, origin, response.get_json(silent=True))
        assert response.json["error"] == error
    assert snapshot(db) == before

    # The control: the same request with the session's own token goes through.
    client.csrf_token = token
    client.environ_base.pop("HTTP_ORIGIN")
    response = call(route, client, world)
    assert response.status_code == MATRIX[route][2][caller], response.get_json(silent=True)
    if route not in NO_VISIBLE_CHANGE:
        assert snapshot(db) != before, "the control request changed nothing: the refusals above prove little"


@pytest.mark.parametrize("route", LOGIN_FREE, ids=_route_id)
@pytest.mark.parametrize(
    "headers", [{"Origin": FOREIGN}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"}]
)
def test_login_free_routes_refuse_other_sites(
    route: tuple[str, str], headers: dict[str, str], app: Flask, factories: Any, db: Session
) -> None:
    """Login and invitation routes do not act with a cookie's authority; the
    origin check is their CSRF defence."""
    before = snapshot(db)
    body = MATRIX[route][1]
    response: Any = app.test_client().open(route[1], method=route[0], json=body, headers=headers)
    assert response.status_code == 403
    assert response.json["error"] == "bad_origin"
    assert snapshot(db) == before


def test_a_cross_site_invitation_accept_sets_no_password(
    app: Flask, factories: Any, auth: Any, db: Session
) -> None:
    admin = auth.client_for(factories.admin().username)
    created = admin.post("/api/patients", json={"username": "ny-pasient", "display_name": "Nora"}).json
    body = {"token": link_token(created["invitation"]), "password": NEW_PASSWORD}
    before = snapshot(db)

    forged = app.test_client()
    response = forged.post("/api/invitations/accept", json=body, headers={"Origin": FOREIGN})
    assert response.status_code == 403
    assert forged.get_cookie(COOKIE_NAME) is None
    assert snapshot(db) == before
    own = app.test_client().post("/api/invitations/accept", json=body, headers={"Origin": "http://localhost"})
    assert own.status_code == 200


# --- guessing link tokens ----------------------------------------------------------------


def _stored_text(db: Session) -> str:
    conn = db.connection()
    text = " ".join(
        repr(tuple(row)) for table in metadata.sorted_tables for row in conn.execute(select(table))
    )
    db.commit()
    return text


def _feed_token(client: Any) -> str:
    response = client.post("/api/me/calendar-feed")
    assert response.status_code == 201
    return response.json["url"].rsplit("/", 1)[1].removesuffix(".ics")


def test_link_tokens_carry_at_least_128_random_bits_and_only_digests_are_stored(
    factories: Any, auth: Any, db: Session
) -> None:
    admin = auth.client_for(factories.admin().username)
    supporter = factories.supporter()
    invitations = [link_token(admin.post(f"/api/users/{supporter.id}/invitation").json) for _ in range(5)]
    # (Re-enrolment links wait for approval, but their tokens are made the same way.)
    feeds = [_feed_token(auth.client_for(supporter.username)) for _ in range(5)]
    stored = _stored_text(db)
    for token in invitations + feeds:
        # base64url: 6 bits a character, so at least 22 characters for 128 bits.
        assert URL_SAFE_TOKEN.match(token), token
        assert len(token) * 6 >= 128, token
        assert token not in stored
        assert token_digest(token) in stored
    assert len(set(invitations + feeds)) == 10


def _wrong_tokens(real: str) -> list[str]:
    near_miss = real[:-1] + ("A" if real[-1] != "A" else "B")
    # The digest is what a leaked database copy holds; it must not work as a token.
    return [secrets.token_urlsafe(32), near_miss, real[:22], token_digest(real), real + "A"]


def test_wrong_invitation_tokens_all_get_the_same_answer(app: Flask, factories: Any, auth: Any) -> None:
    """A guesser learns nothing from the answer. (A used, replaced or expired link
    answers 410 with its reason on purpose: only someone who holds a real link
    can see that, and the patient needs to know to ask for a new one.)"""
    admin = auth.client_for(factories.admin().username)
    real = link_token(admin.post(f"/api/users/{factories.patient(password_hash=None).id}/invitation").json)
    lookups = {(r.status_code, r.get_data()) for r in (lookup_link(app, t) for t in _wrong_tokens(real))}
    accepts = {
        (r.status_code, r.get_data())
        for r in (
            app.test_client().post("/api/invitations/accept", json={"token": t, "password": NEW_PASSWORD})
            for t in _wrong_tokens(real)
        )
    }
    assert len(lookups) == 1 and len(accepts) == 1
    assert next(iter(lookups))[0] == 404
    assert lookups == accepts
    assert lookup_link(app, real).status_code == 200, "the real link still works"


def test_wrong_revoked_and_disabled_calendar_tokens_get_the_same_answer(
    app: Flask, factories: Any, auth: Any
) -> None:
    """Feeds are polled by calendar services sharing a few IPs, so wrong tokens
    are not throttled per IP; 256-bit tokens and one answer for every miss are
    the defence."""
    kari, ola = factories.supporter(), factories.supporter()
    kari_client = auth.client_for(kari.username)
    revoked = _feed_token(kari_client)
    live = _feed_token(kari_client)  # replaces the first
    disabled = _feed_token(auth.client_for(ola.username))
    admin = auth.client_for(factories.admin().username)
    assert admin.patch(f"/api/users/{ola.id}", json={"is_active": False}).status_code == 200

    anonymous = app.test_client()
    answers = {
        (r.status_code, r.mimetype, r.get_data())
        for r in (anonymous.get(f"/calendar/{t}.ics") for t in [revoked, disabled, *_wrong_tokens(live)])
    }
    assert answers == {(404, "text/plain", b"Not found\n")}
    assert anonymous.get(f"/calendar/{live}.ics").status_code == 200


def _guess(app: Flask, token: str, ip: str, *, accept: bool = False) -> Any:
    path, body = (
        ("/api/invitations/accept", {"token": token, "password": NEW_PASSWORD})
        if accept
        else ("/api/invitations/lookup", {"token": token})
    )
    return app.test_client().post(path, json=body, environ_base={"REMOTE_ADDR": ip})


def _assert_limited(response: Any) -> int:
    assert response.status_code == 429, response.json
    assert response.json["error"] == "rate_limited"
    retry_after = response.headers.get("Retry-After", "")
    assert retry_after.isdigit() and 0 < int(retry_after) <= 900, retry_after
    return int(retry_after)


def test_guessing_invitation_tokens_from_one_ip_is_throttled(
    make_app: Any, factories: Any, auth: Any
) -> None:
    app = make_app(LOGIN_MAX_FAILURES_PER_IP=4)
    admin = app.test_client()
    auth.login(admin, factories.admin().username)
    real = link_token(admin.post(f"/api/users/{factories.patient(password_hash=None).id}/invitation").json)

    for n in range(4):  # lookups and accepts count together
        assert _guess(app, secrets.token_urlsafe(32), "10.6.6.6", accept=n % 2 == 1).status_code == 404
    _assert_limited(_guess(app, secrets.token_urlsafe(32), "10.6.6.6"))
    # Locked out, even the real link is refused from that IP: a lucky guess gains nothing.
    _assert_limited(_guess(app, real, "10.6.6.6"))
    _assert_limited(_guess(app, real, "10.6.6.6", accept=True))
    # Another IP is not affected.
    assert _guess(app, real, "10.5.5.5").status_code == 200
    assert _guess(app, real, "10.5.5.5", accept=True).status_code == 200


def test_the_invitation_lock_ends_with_its_window_and_dead_links_do_not_count(
    make_app: Any, factories: Any, auth: Any, clock: Any
) -> None:
    # Database counters follow the app's clock (Redis TTLs run in real time).
    app = make_app(REDIS_URL="", LOGIN_MAX_FAILURES_PER_IP=2)
    admin = app.test_client()
    auth.login(admin, factories.admin().username)
    patient = factories.patient(password_hash=None)
    used = link_token(admin.post(f"/api/users/{patient.id}/invitation").json)
    assert _guess(app, used, "10.4.4.4", accept=True).status_code == 200
    # A patient opening their old, used link again and again is not a guesser.
    for _ in range(4):
        assert _guess(app, used, "10.4.4.4").status_code == 410

    for _ in range(2):
        assert _guess(app, secrets.token_urlsafe(32), "10.4.4.4").status_code == 404
    assert _assert_limited(_guess(app, used, "10.4.4.4")) == 900
    clock.advance(seconds=901)
    assert _guess(app, used, "10.4.4.4").status_code == 410


def test_a_re_enrolment_link_replaces_the_password_and_ends_old_sessions_and_sockets(
    app: Flask, factories: Any, auth: Any, socket_client: Any
) -> None:
    """There is no password-reset flow: a forgotten password is replaced
    through a new invitation link from an administrator, which the patient
    confirms on a device where she is still logged in."""
    patient = factories.patient()
    old_phone = auth.client_for(patient.username)
    old_socket = socket_client(old_phone)
    admin = auth.client_for(factories.admin().username)
    token = link_token(admin.post(f"/api/users/{patient.id}/invitation").json)
    waiting = old_phone.get("/api/me/reenrolments").json
    assert old_phone.post(f"/api/me/reenrolments/{waiting[0]['id']}/confirm").status_code == 204

    new_phone = app.test_client()
    accepted = new_phone.post("/api/invitations/accept", json={"token": token, "password": NEW_PASSWORD})
    assert accepted.status_code == 200

    assert not old_socket.is_connected()
    assert not alive(old_phone)
    assert alive(new_phone)
    login = app.test_client().post(
        "/api/auth/login", json={"username": patient.username, "password": PASSWORD}
    )
    assert login.status_code == 401, "the old password no longer works"
    auth.login(app.test_client(), patient.username, NEW_PASSWORD)
    again = app.test_client().post(
        "/api/invitations/accept", json={"token": token, "password": "et tredje passord"}
    )
    assert again.status_code == 410
