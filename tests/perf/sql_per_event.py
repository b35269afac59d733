"""SQL statements per event: how many statements the app sends to the database
for what a patient does most, and the CPU time the app spends on each.

    .venv/bin/python -m tests.perf.sql_per_event [--database-url URL] [--repeat 3]

Without `--database-url` it runs on a temporary SQLite file; with a PostgreSQL
URL it WIPES that database first (its public schema), like the test suite. The
app is built as the tests build it (tests/conftest.py, the chat's flood limit
raised so repeated messages are not refused); Mona's care circle is
bolig (Kari, on duty round the clock) then DPS (Silje, round the clock), she
has a crisis plan with warning signs (a check-in reads it), and a
SQLAlchemy `before_cursor_execute` listener counts the statements of:

- her first chat message (HTTP POST /api/chat/messages: a new conversation, routed);
- her next message over the socket (`chat:send`, while Kari has the offer);
- her next message over HTTP;
- a green check-in (POST /api/checkins);
- Kari's screen confirming delivery of Mona's newest message (`chat:delivered`; she logs in
  again first: her staff session idles out while the events above run), and Mona's next
  message after it (the usual evening: each message turns her status from "delivered" back
  to "sent");
- Kari's answer over the socket (`chat:send`; the first one takes the conversation, so the
  figure is of a later one, in a conversation she holds).

The "next" events, the check-in, the delivery marks and the answers run
`--repeat` times. Each line gives the statements of the last one, by kind
(SELECT, INSERT, UPDATE, DELETE, other: savepoints, locks), and the median CPU
time of this process per event (test client and database driver included; with
`--repeat 200` a steadier figure on a shared machine than requests per second).
Not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event
from sqlmodel import Session

from nattlys import clock as app_clock
from nattlys import create_app
from nattlys.care_circles.models import TeamKind
from nattlys.cli import upgrade_database
from nattlys.config import normalise_database_url
from nattlys.db import get_engine
from nattlys.realtime.connections import socketio
from tests.conftest import PASSWORD, ApiClient, AuthActions, MovableClock, _reset_postgres, test_config
from tests.factories import Factories

OSLO = ZoneInfo("Europe/Oslo")
KINDS = ("SELECT", "INSERT", "UPDATE", "DELETE")
FIRST_WORD = re.compile(r"^\s*(\w+)")


@contextmanager
def statements(engine: Any) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def by_kind(seen: list[str]) -> str:
    kinds: Counter[str] = Counter()
    for statement in seen:
        match = FIRST_WORD.match(statement)
        word = match.group(1).upper() if match else ""
        kinds[word if word in KINDS else "other"] += 1
    return " ".join(f"{k.lower()} {kinds[k]}" for k in (*KINDS, "other") if kinds[k])


def arrange(app: Any, clock: MovableClock) -> AuthActions:
    clock.set(datetime(2026, 11, 25, 20, 0, tzinfo=OSLO))  # a Wednesday evening
    db = Session(get_engine(app), expire_on_commit=False)
    factories = Factories(app=app, db=db, password=PASSWORD)
    kari = factories.supporter("kari", display_name="Kari")
    silje = factories.supporter("silje", display_name="Silje")
    bolig = factories.team(TeamKind.bolig, members=[kari], name="Bolig Askøy")
    dps = factories.team(TeamKind.dps, members=[silje], name="Øyane DPS")
    mona = factories.patient("mona", display_name="Mona")
    factories.care_circle(mona, [[bolig], [dps]])
    factories.crisis_plan(mona, {"warning_signs": ["Sover lite"], "self_help": ["Gå en tur"]})
    factories.published_roster(bolig, [([kari], [("00:00", "00:00", True)])])
    factories.published_roster(dps, [([silje], [("00:00", "00:00", True)])])
    return AuthActions(app, factories)


def green_checkin() -> dict[str, Any]:
    return {
        "idempotency_key": uuid.uuid4().hex,
        "pressure": 2,
        "mood": 4,
        "sleep": "good",
        "warning_signs": [],
        "self_harm_urge": "none",
        "suicidal_thoughts": "none",
        "wants_contact": False,
    }


def measure(database_url: str, repeat: int) -> list[tuple[str, list[str], float]]:
    upgrade_database(database_url)
    clock = MovableClock(datetime(2026, 11, 25, 19, 0, tzinfo=OSLO))
    app = create_app({**test_config(database_url, ""), "CHAT_MESSAGES_PER_MINUTE": 10**6})
    app.test_client_class = ApiClient
    app_clock.install(app, clock)
    auth = arrange(app, clock)
    mona = auth.client_for("mona")
    kari_socket = socketio.test_client(app, flask_test_client=auth.client_for("kari"))
    mona_socket = socketio.test_client(app, flask_test_client=mona)
    engine = get_engine(app)
    results: list[tuple[str, list[str], float]] = []
    cpu: dict[str, list[float]] = {}

    def run(name: str, action: Callable[[], Any], ok: Callable[[Any], bool]) -> Any:
        started = time.process_time()
        with statements(engine) as seen:
            outcome = action()
        cpu.setdefault(name, []).append(time.process_time() - started)
        if not ok(outcome):
            raise RuntimeError(f"{name} failed: {outcome!r}")
        results[:] = [r for r in results if r[0] != name]
        results.append((name, list(seen), statistics.median(cpu[name])))
        kari_socket.get_received()  # what the supporter's screen got; not kept
        mona_socket.get_received()
        return outcome

    def http_message() -> Any:
        return mona.post("/api/chat/messages", json={"client_id": uuid.uuid4().hex, "body": "Hei"})

    def socket_message() -> Any:
        payload = {"client_id": uuid.uuid4().hex, "body": "Er du der?"}
        return mona_socket.emit("chat:send", payload, callback=True)

    run("first chat message (HTTP)", http_message, lambda r: r.status_code == 201)
    for _ in range(repeat):
        clock.advance(seconds=5)
        run("next message (socket)", socket_message, lambda a: "id" in (a or {}).get("ok", {}))
    for _ in range(repeat):
        clock.advance(seconds=5)
        run("next message (HTTP)", http_message, lambda r: r.status_code == 201)
    for _ in range(repeat):
        clock.advance(minutes=1)
        run(
            "green check-in (HTTP)",
            lambda: mona.post("/api/checkins", json=green_checkin()),
            lambda r: r.status_code == 201 and r.json["level"] == "green",
        )
    conversation_id = socket_message()["ok"]["conversation_id"]
    # Her staff session has idled out (30 minutes) while Mona went on: she logs in again.
    kari_socket.disconnect()
    kari_socket = socketio.test_client(app, flask_test_client=auth.client_for("kari"))
    for _ in range(repeat):
        clock.advance(seconds=5)
        sent = run("next message, Kari online (socket)", socket_message, lambda a: "id" in a.get("ok", {}))
        mark = {"conversation_id": conversation_id, "upto_id": sent["ok"]["id"]}
        run(
            "Kari's delivery mark (socket)",
            partial(kari_socket.emit, "chat:delivered", mark, callback=True),
            lambda a: a == {"ok": True},
        )
    for _ in range(repeat + 1):
        clock.advance(seconds=5)
        answer = {"conversation_id": conversation_id, "client_id": uuid.uuid4().hex, "body": "Jeg er her."}
        run(
            "Kari's answer (socket)",
            partial(kari_socket.emit, "chat:send", answer, callback=True),
            lambda a: "id" in (a or {}).get("ok", {}),
        )
    kari_socket.disconnect()
    mona_socket.disconnect()
    engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (wiped first); default SQLite")
    parser.add_argument("--repeat", type=int, default=3, help="how many of each 'next' event")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if args.database_url:
            url = normalise_database_url(args.database_url)
            _reset_postgres(url)
        else:
            url = f"sqlite:///{Path(folder) / 'sql-per-event.db'}"
        results = measure(url, args.repeat)
    print(f"SQL statements per event on {url.split(':')[0].split('+')[0]}:")
    for name, seen, seconds in results:
        print(f"  {name:36} {len(seen):3}  ({by_kind(seen)})  cpu {seconds * 1000:.2f} ms")


if __name__ == "__main__":
    main()
