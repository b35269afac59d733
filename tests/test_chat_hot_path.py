"""The send path does no more than it must: a refused send writes nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from server.db import get_engine
from tests.test_chat import cid, circle, messages_in_db, staff_rosters  # noqa: F401 - circle is a fixture

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b(?!.*\bauth_sessions\b)", re.IGNORECASE | re.DOTALL)


@contextmanager
def writes_to(app: Any) -> Iterator[list[str]]:
    """The statements that write anything but the login session's last-seen time."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if WRITE.match(statement):
            seen.append(statement.split("(")[0].strip())

    engine = get_engine(app)
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_a_patients_send_refused_by_the_flood_limit_writes_nothing(
    app: Any,
    auth: Any,
    factories: Any,
    circle: dict[str, Any],  # noqa: F811
    db: Any,
) -> None:
    staff_rosters(factories, circle)
    mona = auth.client_for("mona")
    for n in range(30):
        assert mona.post("/api/chat/messages", json={"client_id": cid(), "body": f"{n}"}).status_code == 201

    with writes_to(app) as writes:
        flooded = mona.post("/api/chat/messages", json={"client_id": cid(), "body": "en til"})

    assert flooded.status_code == 429
    assert writes == []
    assert messages_in_db(db) == 30


def test_a_supporters_send_refused_by_the_flood_limit_writes_nothing(
    app: Any,
    auth: Any,
    factories: Any,
    circle: dict[str, Any],  # noqa: F811
    socket_client: Any,
    db: Any,
) -> None:
    staff_rosters(factories, circle)
    conversation_id = (
        auth.client_for("mona")
        .post("/api/chat/messages", json={"client_id": cid(), "body": "Hei"})
        .json["conversation_id"]
    )
    kari = socket_client(auth.client_for("kari"))
    for n in range(30):
        answer = kari.emit(
            "chat:send",
            {"conversation_id": conversation_id, "client_id": cid(), "body": f"{n}"},
            callback=True,
        )
        assert "ok" in answer

    with writes_to(app) as writes:
        answer = kari.emit(
            "chat:send",
            {"conversation_id": conversation_id, "client_id": cid(), "body": "en til"},
            callback=True,
        )

    assert answer["error"] == "rate_limited" and answer["retry_after"] > 0
    assert writes == []
    assert messages_in_db(db) == 31
