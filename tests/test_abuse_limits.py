"""Abuse limits (issue #14.7): JSON nested too deeply, push endpoints that
point inside our network or redirect there, a flood of sockets on one
session, and a staff member making accounts or invitation links in bulk.
Each answer is a clear error, and nothing is half-saved."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from flask import Flask
from sqlmodel import func, select

from nattlys.accounts.models import Invitation, Role, User
from nattlys.care_circles.models import TeamKind
from nattlys.config import Settings
from nattlys.crypto import keys
from nattlys.push import service as push
from nattlys.push.models import PushSubscription
from nattlys.realtime.connections import socketio
from tests.push_double import VAPID, Browser, subscribe

DEEP_BODIES = {"brackets": "[" * 100_000, "objects": '{"a":' * 3_000}


def _json_routes(app: Flask) -> list[tuple[str, str, Any]]:
    routes = []
    for rule in app.url_map.iter_rules():
        spec = getattr(app.view_functions[rule.endpoint], "endpoint_spec", None)
        if spec is None or spec.body is None:
            continue
        path = rule.rule
        for arg in rule.arguments:
            path = path.replace(f"<int:{arg}>", "1").replace(f"<{arg}>", "x")
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS", "GET"}):
            routes.append((method, path, spec))
    return routes


@pytest.mark.parametrize("body", sorted(DEEP_BODIES))
def test_json_nested_too_deeply_is_a_clear_400_on_every_json_route(
    app: Flask, factories: Any, auth: Any, body: str
) -> None:
    factories.admin("ada")
    factories.supporter("kari")
    factories.patient("mona")
    clients = {Role.admin: auth.client_for("ada"), Role.supporter: auth.client_for("kari")}
    clients[Role.patient] = auth.client_for("mona")
    routes = _json_routes(app)
    assert ("POST", "/api/auth/login") in {(m, p) for m, p, _ in routes}
    for method, path, spec in routes:
        allowed = spec.roles or (Role.admin, Role.supporter, Role.patient)
        client: Any = app.test_client() if spec.public else clients[allowed[0]]
        response = client.open(path, method=method, data=DEEP_BODIES[body], content_type="application/json")
        assert response.status_code == 400, (method, path, response.status_code)
        assert response.json["error"] == "too_deep", (method, path, response.json)


def test_json_a_few_levels_deep_is_still_read(app: Flask, factories: Any, auth: Any) -> None:
    mona = factories.patient("mona")
    plan = {"base_version": 0, "sections": {"self_help": ["Gå en tur", "Ringe Per"]}}
    response = auth.client_for("mona").put(f"/api/patients/{mona.id}/crisis-plan", json=plan)
    assert response.status_code != 400 or response.json["error"] != "too_deep"


def test_a_socket_event_nested_too_deeply_gets_an_error_acknowledgement(
    factories: Any, auth: Any, socket_client: Any
) -> None:
    factories.patient("mona")
    sio = socket_client(auth.client_for("mona"))
    for n, deep in enumerate(('{"a":' * 3_000 + "1" + "}" * 3_000, "[" * 100_000), start=1):
        # The test client would encode (and choke on) the data itself: send the raw packet.
        socketio.server._handle_eio_message(sio.eio_sid, f'2{n}["chat:send",{deep}]')
        ack = sio.acks
        sio.acks = None
        assert ack is not None, "no acknowledgement"
        assert ack["args"][0]["error"] == "invalid_input", ack
    assert sio.is_connected()
    assert "ok" in sio.emit("chat:send", {"client_id": "after-0001", "body": "Hei"}, callback=True)


# --- push endpoints -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("endpoint", "stored"),
    [
        ("https://fcm.googleapis.com/fcm/send/abc", True),
        ("https://updates.push.services.mozilla.com/wpush/v2/abc", True),
        ("https://wns2-par02p.notify.windows.com/w/?token=abc", True),
        ("https://web.push.apple.com/QGabc", True),
        ("https://10.0.0.5/", False),
        ("https://169.254.169.254/latest/meta-data/", False),
        ("https://127.0.0.1/push/x", False),
        ("https://localhost:8443/push/x", False),
        ("https://notify.windows.com.evil.example/x", False),
        ("https://evilnotify.windows.com/x", False),
        ("https://fcm.googleapis.com:8443/fcm/send/abc", False),
        ("https://fcm.googleapis.com.evil.example/x", False),
    ],
)
def test_production_accepts_only_known_push_services(
    make_app: Any, factories: Any, endpoint: str, stored: bool, db: Any
) -> None:
    app = make_app(
        ENV="production",
        SECRET_KEY="p" * 40,
        DATA_KEYS=keys.generate("t1"),
        PUSH_SERVICE_HOSTS=Settings.PUSH_SERVICE_HOSTS,
    )
    factories.patient("mona")
    client = app.test_client()
    assert (
        client.post("/api/auth/login", json={"username": "mona", "password": factories.password}).status_code
        == 200
    )
    response = subscribe(client, endpoint)
    assert response.status_code == (201 if stored else 400), response.json
    if not stored:
        assert response.json["error"] == "invalid_subscription"
    count = db.exec(select(func.count()).select_from(PushSubscription)).one()
    db.commit()
    assert count == (1 if stored else 0)


def test_the_push_service_list_is_configurable(make_app: Any, factories: Any) -> None:
    app = make_app(
        ENV="production",
        SECRET_KEY="p" * 40,
        DATA_KEYS=keys.generate("t1"),
        PUSH_SERVICE_HOSTS="push.kommune.example",
    )
    factories.patient("mona")
    client = app.test_client()
    client.post("/api/auth/login", json={"username": "mona", "password": factories.password})
    assert subscribe(client, "https://push.kommune.example/x").status_code == 201
    assert subscribe(client, "https://fcm.googleapis.com/fcm/send/abc").status_code == 400


class _RedirectingPushService:
    """A "push service" on loopback that answers 302 to an internal address,
    and that internal address, counting every request it gets."""

    def __init__(self) -> None:
        self.internal_hits: list[str] = []
        outer = self

        class Internal(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                outer.internal_hits.append(f"GET {self.path}")
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_POST = do_GET

        class Redirecting(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self.send_response(302)
                self.send_header(
                    "Location", f"http://127.0.0.1:{outer.internal.server_port}/latest/meta-data/"
                )
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.internal = ThreadingHTTPServer(("127.0.0.1", 0), Internal)
        self.redirecting = ThreadingHTTPServer(("127.0.0.1", 0), Redirecting)
        for server in (self.internal, self.redirecting):
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, daemon=True).start()

    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.redirecting.server_port}/push/mona"

    def close(self) -> None:
        for server in (self.internal, self.redirecting):
            server.shutdown()
            server.server_close()


def test_the_push_sender_follows_no_redirect(make_app: Any, factories: Any, auth: Any, db: Any) -> None:
    app = make_app(**VAPID)
    service = _RedirectingPushService()
    try:
        mona = factories.patient("mona")
        assert subscribe(auth.client_for("mona"), service.endpoint(), Browser()).status_code == 201
        dispatcher = push.dispatcher(app)
        dispatcher.submit([mona.id], push.PushMessage(title="new_message", tag="chat", url="/#/chat", ttl=60))
        assert dispatcher.drain(timeout=15)
        assert service.internal_hits == []
        assert dispatcher.counts["failed"] == 1
        assert dispatcher.counts["retried"] == 0
    finally:
        service.close()


# --- sockets per session ---------------------------------------------------------------


def test_one_session_holds_at_most_its_cap_of_sockets(
    app: Flask, factories: Any, auth: Any, socket_client: Any
) -> None:
    app.config["SOCKETS_PER_SESSION"] = 3
    factories.patient("mona")
    client = auth.client_for("mona")
    sockets = [socket_client(client) for _ in range(5)]
    assert [s.is_connected() for s in sockets] == [False, False, True, True, True]
    # Another login session of the same person is counted on its own.
    other = socket_client(auth.client_for("mona"))
    assert other.is_connected()
    assert [s.is_connected() for s in sockets[2:]] == [True, True, True]


def test_the_default_cap_ends_a_flood_of_150_sockets(factories: Any, auth: Any, socket_client: Any) -> None:
    from nattlys.realtime.connections import socket_sessions

    factories.patient("mona")
    client = auth.client_for("mona")
    sockets = [socket_client(client) for _ in range(150)]
    assert sum(s.is_connected() for s in sockets) == 10
    assert sockets[-1].is_connected()
    assert len(set(socket_sessions.values())) == 1 and len(socket_sessions) == 10


# --- accounts and invitation links per staff member --------------------------------------


def _count(db: Any, model: Any, **where: Any) -> int:
    stmt = select(func.count()).select_from(model)
    for key, value in where.items():
        stmt = stmt.where(getattr(model, key) == value)
    n = db.exec(stmt).one()
    db.commit()
    return int(n)


def test_a_supporter_creates_at_most_the_hours_cap_of_patients(
    app: Flask, factories: Any, auth: Any, db: Any
) -> None:
    app.config["ACCOUNTS_PER_STAFF_PER_HOUR"] = 5
    team = factories.team(TeamKind.bolig, members=[factories.supporter("kari")])
    kari = auth.client_for("kari")

    def new(i: int) -> Any:
        return kari.post(
            "/api/patients", json={"username": f"ny{i}", "display_name": f"Ny {i}", "team_id": team.id}
        )

    answers = [new(i) for i in range(8)]
    assert [a.status_code for a in answers] == [201] * 5 + [429] * 3
    refused = answers[5]
    assert refused.json["error"] == "too_many_accounts"
    assert "5 accounts in the last hour" in refused.json["message"]
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    assert _count(db, User, role=Role.patient) == 5  # the refused ones left nothing behind


def test_an_admin_creates_at_most_the_hours_cap_of_accounts(app: Flask, factories: Any, auth: Any) -> None:
    app.config["ACCOUNTS_PER_STAFF_PER_HOUR"] = 2
    factories.admin("ada")
    ada = auth.client_for("ada")
    codes = [
        ada.post(
            "/api/users", json={"username": f"kollega{i}", "display_name": f"S {i}", "role": "supporter"}
        ).status_code
        for i in range(3)
    ]
    assert codes == [201, 201, 429]


def test_a_staff_member_reissues_at_most_the_hours_cap_of_invitations(
    app: Flask, factories: Any, auth: Any, db: Any
) -> None:
    app.config["INVITATIONS_PER_STAFF_PER_HOUR"] = 4
    ada = factories.admin("ada")
    mona = factories.patient("mona")
    client = auth.client_for("ada")
    codes = [client.post(f"/api/users/{mona.id}/invitation").status_code for _ in range(6)]
    assert codes == [201] * 4 + [429] * 2
    last = client.post(f"/api/users/{mona.id}/invitation")
    assert last.json["error"] == "too_many_invitations"
    assert _count(db, Invitation, created_by_id=ada.id) == 4
