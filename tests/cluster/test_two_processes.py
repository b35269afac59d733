"""Two server processes on PostgreSQL + Redis: a patient connected to one and a
supporter connected to the other talk to each other through the Redis queue."""

from __future__ import annotations

import queue
import uuid
from typing import Any

import requests
import socketio

from tests.cluster.conftest import DEMO_PASSWORD
from tests.demo_totp import complete_login


def login(base: str, username: str) -> requests.Session:
    session = requests.Session()
    response = session.post(
        f"{base}/api/auth/login", json={"username": username, "password": DEMO_PASSWORD}, timeout=10
    )
    assert response.status_code == 200, response.text
    answer = complete_login(session, base, username, response.json(), demo_password=DEMO_PASSWORD)
    session.headers["X-CSRF-Token"] = answer["csrf_token"]
    return session


def connect(base: str, session: requests.Session) -> tuple[socketio.Client, queue.Queue[tuple[str, Any]]]:
    received: queue.Queue[tuple[str, Any]] = queue.Queue()
    # Send one Origin header, ours: websocket-client would add a second one.
    client = socketio.Client(reconnection=False, websocket_extra_options={"suppress_origin": True})
    client.on("*", lambda event, data=None: received.put((event, data)))
    cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
    client.connect(
        base, headers={"Cookie": cookie, "Origin": base}, transports=["websocket"], wait_timeout=10
    )
    return client, received


def wait_for(
    received: queue.Queue[tuple[str, Any]], event: str, predicate: Any = lambda d: True, timeout: float = 10
) -> Any:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            name, data = received.get(timeout=max(0.05, deadline - time.monotonic()))
        except queue.Empty:
            break
        if name == event and predicate(data):
            return data
    raise AssertionError(f"no {event} within {timeout} s")


def test_patient_and_supporter_on_different_processes_exchange_messages(start_server: Any) -> None:
    one = start_server()
    two = start_server()
    patient_http = login(one.url, "pasient1")
    kari_http = login(two.url, "bolig1")
    patient, patient_events = connect(one.url, patient_http)
    kari, kari_events = connect(two.url, kari_http)
    try:
        ack = patient.call(
            "chat:send", {"client_id": uuid.uuid4().hex, "body": "Hei, er du der?"}, timeout=10
        )
        assert "ok" in ack, ack
        message = wait_for(kari_events, "chat:message", lambda d: d["body"] == "Hei, er du der?")
        reply = kari.call(
            "chat:send",
            {
                "conversation_id": message["conversation_id"],
                "client_id": uuid.uuid4().hex,
                "body": "Ja, jeg er her.",
            },
            timeout=10,
        )
        assert "ok" in reply, reply
        got = wait_for(patient_events, "chat:message", lambda d: d["body"] == "Ja, jeg er her.")
        assert got["sender_name"] == "Kari"
        status = wait_for(patient_events, "chat:status", lambda d: d["code"] in ("read", "answering"))
        assert status["supporter_name"] == "Kari"
    finally:
        patient.disconnect()
        kari.disconnect()
