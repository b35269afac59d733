"""Clients of a running Nattlys for the cluster tests: log in over HTTP (with
the demo staff's second factor), connect a socket with the session's cookie,
and wait for the events it receives."""

from __future__ import annotations

import queue
import re
import time
import uuid
from typing import Any

import requests
import socketio

from tests.cluster.conftest import DEMO_PASSWORD
from tests.demo_totp import complete_login

Events = queue.Queue[tuple[str, Any]]


def login(base: str, username: str) -> requests.Session:
    session = requests.Session()
    response = session.post(
        f"{base}/api/auth/login", json={"username": username, "password": DEMO_PASSWORD}, timeout=10
    )
    assert response.status_code == 200, response.text
    answer = complete_login(session, base, username, response.json(), demo_password=DEMO_PASSWORD)
    session.headers["X-CSRF-Token"] = answer["csrf_token"]
    return session


def upstream_port(base: str, session: requests.Session) -> int:
    """Which web instance nginx sends this session's requests (and socket) to."""
    response = session.get(f"{base}/healthz", timeout=10)
    assert response.status_code == 200
    return int(response.headers["X-Nattlys-Upstream"].rsplit(":", 1)[-1])


def login_on(base: str, username: str, *, port: int | None = None, not_port: int | None = None) -> Any:
    """Log in until nginx places the session as wanted. Place patients, not
    staff: each staff login spends an authenticator step, and after two the next
    waits 30 s for a new one, so a few unlucky draws outlast the test's timeout."""
    for _ in range(40):
        session = login(base, username)
        landed = upstream_port(base, session)
        if (port is None or landed == port) and landed != not_port:
            return session, landed
    raise AssertionError(f"could not place {username} on the wanted instance")


def connect(
    base: str, session: requests.Session, *, reconnection: bool = False
) -> tuple[socketio.Client, Events]:
    received: Events = queue.Queue()
    # One Origin header, the browser's: websocket-client would add a second one.
    client = socketio.Client(
        reconnection=reconnection,
        reconnection_delay=0.5,
        reconnection_delay_max=1,
        websocket_extra_options={"suppress_origin": True},
    )
    client.on("*", lambda event, data=None: received.put((event, data)))
    client.on("connect", lambda: received.put(("connect", None)))
    cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
    client.connect(
        base, headers={"Cookie": cookie, "Origin": base}, transports=["websocket"], wait_timeout=10
    )
    return client, received


def wait_for(received: Events, event: str, predicate: Any = lambda d: True, timeout: float = 10) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            name, data = received.get(timeout=max(0.05, deadline - time.monotonic()))
        except queue.Empty:
            break
        if name == event and predicate(data):
            return data
    raise AssertionError(f"no {event} within {timeout} s")


def metric(text: str, name: str) -> float:
    found = re.search(rf"^{name} (\S+)$", text, flags=re.MULTILINE)
    assert found, f"{name} missing"
    return float(found.group(1))


def drain(received: Events) -> None:
    while not received.empty():
        received.get_nowait()


def send(client: socketio.Client, body: str, *, client_id: str | None = None, **extra: Any) -> dict[str, Any]:
    ack = client.call(
        "chat:send", {"client_id": client_id or uuid.uuid4().hex, "body": body, **extra}, timeout=10
    )
    assert "ok" in ack, ack
    return ack["ok"]
