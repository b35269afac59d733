"""A push service that fails: whatever it answers (500, 404, 410, 429 with
Retry-After, or nothing at all), the check-in, chat message or reminder step
that triggered the push is stored exactly once, and the dispatcher retries
only what is worth retrying, within a bound, without holding up other sends.

tests/test_push.py covers one answer of each kind; here the push service
follows a script per subscription (e.g. 500, 500, 201), and each test counts
what was sent against what was stored."""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from datetime import date, datetime
from datetime import time as wall
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlmodel import select

from nattlys.chat.models import Message
from nattlys.checkins.models import Checkin, CheckinAlert, ReminderSent
from nattlys.push import service as push
from nattlys.push.models import PushSubscription
from tests.push_double import VAPID, subscribe
from tests.scenes.checkins import OSLO, answers, circle, count, plan, run_job, staff  # noqa: F401
from tests.scenes.world import CareCircle

EVENING = datetime.combine(date(2026, 11, 25), wall(20, 0), tzinfo=OSLO)  # a Wednesday


class ScriptedPushService:
    """A push service on 127.0.0.1 that answers each endpoint from a script:
    "201", "500", "404", "410", "429:<seconds>" or "hang"; the last step repeats."""

    def __init__(self) -> None:
        self.scripts: dict[str, list[str]] = {}
        self.hits: list[tuple[str, float]] = []  # (endpoint name, monotonic time)
        self.release = threading.Event()
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                name = self.path.rsplit("/", 1)[-1]
                with outer.lock:
                    outer.hits.append((name, time.monotonic()))
                    script = outer.scripts[name]
                    step = script.pop(0) if len(script) > 1 else script[0]
                if step == "hang":
                    outer.release.wait(10)
                    return
                status, _, retry_after = step.partition(":")
                self.send_response(int(status))
                if retry_after:
                    self.send_header("Retry-After", retry_after)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def endpoint(self, name: str, *script: str) -> str:
        self.scripts[name] = list(script)
        return f"http://127.0.0.1:{self.server.server_port}/push/{name}"

    def times(self, name: str) -> list[float]:
        with self.lock:
            return [t for n, t in self.hits if n == name]

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def service() -> Any:
    server = ScriptedPushService()
    yield server
    server.close()


@pytest.fixture
def app(make_app: Any) -> Any:
    return make_app(**VAPID)


def reminder_rows(db: Any) -> list[tuple[int, str, str]]:
    rows = db.exec(select(ReminderSent)).all()
    db.commit()
    return sorted((r.patient_id, r.kind, r.step) for r in rows)


def subscriptions(db: Any) -> dict[str, PushSubscription]:
    rows = db.exec(select(PushSubscription)).all()
    db.commit()
    return {s.endpoint.rsplit("/", 1)[-1]: s for s in rows}


# (script, requests the push service gets, what the dispatcher counts, subscription kept)
OUTCOMES = {
    "answered": (["201"], 1, {"sent": 1}, True),
    "recovers_after_two_500s": (["500", "500", "201"], 3, {"sent": 1, "retried": 2}, True),
    "500_given_up_after_three_tries": (["500"], 3, {"failed": 1, "retried": 2}, True),
    "404_gone": (["404"], 1, {"gone": 1}, False),
    "410_gone": (["410"], 1, {"gone": 1}, False),
    "429_then_answered": (["429:1", "201"], 2, {"deferred": 1, "retried": 1, "sent": 1}, True),
    "429_twice_is_retried_once": (["429:1"], 2, {"deferred": 2, "retried": 1}, True),
    "429_too_long_to_wait": (["429:600", "201"], 1, {"deferred": 1}, True),
    "hangs_and_times_out": (["hang"], 3, {"timeout": 1, "retried": 2}, True),
    "400_not_retried": (["400", "201"], 1, {"failed": 1}, True),
}


@pytest.mark.parametrize("case", list(OUTCOMES))
def test_a_reminder_step_is_recorded_once_whatever_the_push_service_answers(
    app: Any, auth: Any, factories: Any, clock: Any, db: Any, service: ScriptedPushService, case: str
) -> None:
    script, requests_made, counted, kept = OUTCOMES[case]
    mona = factories.patient("mona")
    factories.checkin_schedule(mona, evening_time=wall(20, 0))
    assert subscribe(auth.client_for("mona"), service.endpoint("mona", *script)).status_code == 201
    dispatcher = push.dispatcher(app)
    clock.set(EVENING)
    assert run_job(app, clock) == {"reminder:pushed": 1}
    assert dispatcher.drain(timeout=15)

    hits = service.times("mona")
    assert len(hits) == requests_made, hits
    assert {k: v for k, v in dispatcher.counts.items() if v} == counted
    assert reminder_rows(db) == [(mona.id, "evening", "reminder")]
    left = subscriptions(db)
    assert ("mona" in left) is kept
    if case.startswith(("500", "recovers", "hangs")):
        # Backoff: the second try waits 0.5 s, the third twice as long.
        gaps = [b - a for a, b in itertools.pairwise(hits)]
        assert gaps[0] >= dispatcher.retry_backoff and gaps[1] >= 2 * dispatcher.retry_backoff, gaps
    if case.startswith("429") and requests_made == 2:
        assert hits[1] - hits[0] >= 1.0, "Retry-After: 1 is honoured"
    if kept:
        given_up = "failed" in counted or "timeout" in counted
        assert left["mona"].failures == (1 if given_up else 0)

    # The scheduler runs again a minute later: the step is not taken again, and
    # nothing more is sent, whether or not the push got through.
    clock.set(EVENING.replace(minute=1))
    assert sum(run_job(app, clock).values()) == 0
    assert dispatcher.drain(timeout=15)
    assert len(service.times("mona")) == requests_made
    assert reminder_rows(db) == [(mona.id, "evening", "reminder")]


def test_a_hanging_push_service_holds_up_neither_the_job_nor_other_patients(
    make_app: Any, auth: Any, factories: Any, clock: Any, db: Any, service: ScriptedPushService
) -> None:
    app = make_app(**{**VAPID, "PUSH_TIMEOUT_MS": 2000})
    patients = [factories.patient(f"pat{i}") for i in range(6)]
    for i, patient in enumerate(patients):
        factories.checkin_schedule(patient, evening_time=wall(20, 0))
        script = ["hang"] if i == 0 else ["201"]
        assert (
            subscribe(auth.client_for(patient.username), service.endpoint(f"pat{i}", *script)).status_code
            == 201
        )
    dispatcher = push.dispatcher(app)
    clock.set(EVENING)
    started = time.monotonic()
    assert run_job(app, clock) == {"reminder:pushed": 6}
    assert time.monotonic() - started < 2, "the job does not wait for push services"
    deadline = time.monotonic() + 10
    while dispatcher.counts["sent"] < 5 and time.monotonic() < deadline:
        time.sleep(0.02)
    # Every other patient was reached while the first request still hangs.
    assert dispatcher.counts["sent"] == 5
    assert dispatcher.counts["timeout"] == dispatcher.counts["retried"] == 0
    assert len(service.times("pat0")) == 1
    assert time.monotonic() - service.times("pat0")[0] < 2
    service.release.set()
    assert dispatcher.drain(timeout=20)
    assert len(reminder_rows(db)) == 6


def test_a_subscription_removed_before_the_retry_gets_nothing_more(
    app: Any, auth: Any, factories: Any, clock: Any, db: Any, service: ScriptedPushService
) -> None:
    mona = factories.patient("mona")
    factories.checkin_schedule(mona, evening_time=wall(20, 0))
    client = auth.client_for("mona")
    endpoint = service.endpoint("mona", "500", "201")
    assert subscribe(client, endpoint).status_code == 201
    dispatcher = push.dispatcher(app)
    dispatcher.retry_backoff = 1.0
    clock.set(EVENING)
    run_job(app, clock)
    deadline = time.monotonic() + 5
    while not service.times("mona") and time.monotonic() < deadline:
        time.sleep(0.02)
    # Mona logs out (the PWA unsubscribes) before the retry is due.
    assert client.delete("/api/push/subscriptions", json={"endpoint": endpoint}).status_code == 204
    assert dispatcher.drain(timeout=10)
    assert len(service.times("mona")) == 1
    assert dispatcher.counts["dropped"] == 1 and dispatcher.counts["sent"] == 0


def test_a_red_check_in_and_a_chat_reply_are_stored_once_when_push_fails(
    app: Any,
    auth: Any,
    factories: Any,
    circle: CareCircle,  # noqa: F811
    plan: Any,  # noqa: F811
    db: Any,
    socket_client: Any,
    service: ScriptedPushService,
) -> None:
    staff(factories, circle)
    kari, mona = auth.client_for("kari"), auth.client_for("mona")
    assert subscribe(kari, service.endpoint("kari", "500")).status_code == 201
    mona_endpoint = service.endpoint("mona", "hang")
    assert subscribe(mona, mona_endpoint).status_code == 201
    dispatcher = push.dispatcher(app)

    # A red check-in, sent twice (the PWA's retry after a lost answer).
    same = answers(suicidal_thoughts="strong", pressure=9, wants_contact=True)
    started = time.monotonic()
    first = mona.post("/api/checkins", json=same)
    again = mona.post("/api/checkins", json=same)
    assert time.monotonic() - started < 2, "answered without waiting for the push service"
    assert first.status_code == again.status_code == 201
    assert again.json["checkin"]["id"] == first.json["checkin"]["id"]
    assert first.json["alert"]["status"] == "in_chat"  # one offer: the chat's

    # Kari answers the chat the check-in opened, twice with one client id; Mona
    # has no socket open, so she is pushed "Ny melding" (and her service hangs).
    conversation_id = kari.get("/api/chat/inbox").json[0]["conversation_id"]
    kari_socket = socket_client(kari)
    client_id = uuid.uuid4().hex
    acks = [
        kari_socket.emit(
            "chat:send",
            {"conversation_id": conversation_id, "client_id": client_id, "body": "Jeg ringer deg nå"},
            callback=True,
        )
        for _ in range(2)
    ]
    assert "ok" in acks[0] and acks[0] == acks[1], acks
    assert time.monotonic() - started < 4

    assert dispatcher.drain(timeout=20)
    assert count(db, Checkin) == 1
    assert count(db, CheckinAlert) == 1
    stored = db.exec(select(Message).where(Message.client_id == client_id)).all()
    db.commit()
    assert len(stored) == 1
    # Kari was pushed the one offer (the red check-in's contact request),
    # Mona the reply: Kari's service failed and Mona's hung, so each push was
    # tried three times and then given up once, and both stay subscribed.
    queued = sorted((u, m.title) for u, m in dispatcher.history)
    assert queued == sorted([(circle.kari.id, "new_message"), (circle.mona.id, "new_message")])
    assert len(service.times("kari")) == 3 and len(service.times("mona")) == 3
    assert dispatcher.counts["failed"] == 1 and dispatcher.counts["timeout"] == 1
    assert dispatcher.counts["sent"] == 0
    assert {s: sub.failures for s, sub in subscriptions(db).items()} == {"kari": 1, "mona": 1}
