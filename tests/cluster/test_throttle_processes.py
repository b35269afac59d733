"""Account attacks across two real `nattlys serve` processes on PostgreSQL +
Redis: an attacker who spreads wrong passwords over the processes behind the
load balancer gets no more tries than against one, and a supporter disabled on
one process stops hearing patients on a socket held by the other."""

from __future__ import annotations

import os
import secrets
import threading
import uuid
from typing import Any

import redis
import requests

from tests.cluster.clients import connect, login, wait_for
from tests.cluster.conftest import DEMO_PASSWORD

PASSWORD = DEMO_PASSWORD  # so that login() from the two-process test serves these users too
WRONG = "feil passord igjen"
MAX_FAILURES = 5  # LOGIN_MAX_FAILURES_PER_ACCOUNT's default


def _attempt(base: str, username: str, password: str, ip: str) -> requests.Response:
    return requests.post(
        f"{base}/api/auth/login",
        json={"username": username, "password": password},
        headers={"X-Forwarded-For": ip},
        timeout=10,
    )


def test_wrong_passwords_alternating_between_two_processes_share_one_limit(start_server: Any) -> None:
    # Behind one proxy, so each test run can be its own client address and
    # leave the loopback address's per-IP count alone.
    one = start_server(PROXY_COUNT="1")
    two = start_server(PROXY_COUNT="1")
    ip = "10.{}.{}.{}".format(*secrets.token_bytes(3))
    username = f"sperret-{uuid.uuid4().hex[:8]}"

    admin = login(one.url, "admin")
    _enrol(
        admin, two.url, "/api/users", {"username": username, "display_name": "Sperret", "role": "supporter"}
    )

    store = redis.Redis.from_url(os.environ["TEST_REDIS_URL"])
    try:
        # Neither process alone sees more than three of the five failures.
        for n in range(MAX_FAILURES):
            server = (one, two)[n % 2]
            response = _attempt(server.url, username, WRONG, ip)
            assert response.status_code == 401, (n, server.url, response.text)

        for server in (two, one):
            locked = _attempt(server.url, username, PASSWORD, ip)
            assert locked.status_code == 429, (server.url, locked.text)
            assert locked.json()["error"] == "rate_limited"
            retry_after = locked.headers.get("Retry-After", "")
            assert retry_after.isdigit() and 0 < int(retry_after) <= 900, retry_after
            assert "csrf_token" not in locked.json()
            assert not any(
                c.startswith("nattlys_session=") for c in locked.headers.get("Set-Cookie", "").split(",")
            )
    finally:
        store.delete(f"nattlys:rate:login:account:{username}", f"nattlys:rate:login:ip:{ip}")
    # The lock was the only thing in the way: the same password works once it is lifted.
    assert _attempt(one.url, username, PASSWORD, ip).status_code == 200


def _enrol(admin: requests.Session, base: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """Create a user through the API and choose their password with the link."""
    created = admin.post(f"{base}{path}", json=body, timeout=10)
    assert created.status_code == 201, created.text
    token = created.json()["invitation"]["url"].rsplit("/", 1)[1]
    accepted = requests.post(
        f"{base}/api/invitations/accept", json={"token": token, "password": PASSWORD}, timeout=10
    )
    assert accepted.status_code == 200, accepted.text
    return accepted.json()["user"]


def _chat_bodies(received: Any) -> list[str]:
    bodies = []
    while not received.empty():
        name, data = received.get_nowait()
        if name == "chat:message":
            bodies.append(data["body"])
    return bodies


def test_a_supporter_disabled_on_one_process_hears_nothing_on_a_socket_held_by_the_other(
    start_server: Any,
) -> None:
    one = start_server()
    two = start_server()
    suffix = uuid.uuid4().hex[:8]
    admin = login(one.url, "admin")
    supporter = _enrol(
        admin,
        one.url,
        "/api/users",
        {"username": f"vakt-{suffix}", "display_name": "Vakt", "role": "supporter"},
    )
    supporter_id = supporter["id"]
    team = admin.post(f"{one.url}/api/teams", json={"name": f"Bolig {suffix}", "kind": "bolig"}, timeout=10)
    assert team.status_code == 201, team.text
    team_id = team.json()["id"]
    assert admin.put(
        f"{one.url}/api/teams/{team_id}/members", json={"user_ids": [supporter_id]}, timeout=10
    ).ok
    rotation = {
        "name": "Døgn",
        "start_date": "2026-11-16",
        "member_ids": [supporter_id],
        "shifts": [{"weekdays": list(range(7)), "start": "00:00", "end": "00:00", "ends_next_day": True}],
    }
    draft = admin.put(
        f"{one.url}/api/teams/{team_id}/roster/draft", json={"rotations": [rotation]}, timeout=10
    )
    assert draft.status_code == 200, draft.text
    published = admin.post(
        f"{one.url}/api/teams/{team_id}/roster/publish", json={"confirm_uncovered": True}, timeout=10
    )
    assert published.status_code == 200, published.text
    patient = _enrol(
        admin,
        one.url,
        "/api/patients",
        {"username": f"pas-{suffix}", "display_name": "Pasient", "team_id": team_id},
    )

    supporter_socket, supporter_events = connect(two.url, login(two.url, supporter["username"]))
    patient_http = login(one.url, patient["username"])
    # The patient's own echo comes through process two as well: once it has
    # arrived there, process two has handled the event meant for the supporter.
    patient_socket, patient_events = connect(two.url, login(two.url, patient["username"]))
    try:

        def write(text: str) -> None:
            sent = patient_http.post(
                f"{one.url}/api/chat/messages", json={"client_id": uuid.uuid4().hex, "body": text}, timeout=10
            )
            assert sent.status_code == 201, sent.text
            wait_for(patient_events, "chat:message", lambda d: d["body"] == text)

        write("Er det noen der?")
        wait_for(supporter_events, "chat:message", lambda d: d["body"] == "Er det noen der?")

        disabled = admin.patch(f"{one.url}/api/users/{supporter_id}", json={"is_active": False}, timeout=10)
        assert disabled.status_code == 200, disabled.text
        write("Hallo?")
        assert "Hallo?" not in _chat_bodies(supporter_events)

        # Its next event is refused: the server ends the connection.
        gone = threading.Event()
        supporter_socket.on("disconnect", lambda *_args: gone.set())
        supporter_socket.emit("chat:sync", {"conversation_id": 0})
        assert gone.wait(10), "the disabled supporter's socket is still open"
    finally:
        supporter_socket.disconnect()
        patient_socket.disconnect()
