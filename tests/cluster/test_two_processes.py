"""Two server processes on PostgreSQL + Redis: a patient connected to one and a
supporter connected to the other talk to each other through the Redis queue."""

from __future__ import annotations

import uuid
from typing import Any

from tests.cluster.clients import connect, login, wait_for


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
