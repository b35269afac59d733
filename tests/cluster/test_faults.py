"""Faults on a private cluster: two web instances (gunicorn, as deployed) and
the scheduler on a PostgreSQL cluster and a Redis server of this module's own,
so a test may kill or restart any of them without touching the shared ones.

Each test keeps a patient and a supporter writing through the fault the way
the PWA does (every message has a client id and stays in the outbox until the
server acknowledges it; after a lost connection the outbox is sent again), and
then counts: every message sent was acknowledged, and every acknowledged
message is stored exactly once. Nothing is restarted by hand except the
process the fault killed.

Needs TEST_DATABASE_URL and TEST_REDIS_URL like the other cluster tests (only
to run in the PostgreSQL + Redis pass), plus pg_createcluster and redis-server;
under CI=true a missing piece fails the tests instead of skipping them.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio
from sqlalchemy import create_engine, text

from tests.cluster.clients import Events, connect, login, wait_for
from tests.cluster.conftest import CLOCK_START, DEMO_PASSWORD, _free_port, load_local_cluster

IN_CI = os.environ.get("CI") == "true"


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


def _wait(check: Any, timeout: float, what: str, poll: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if check():
                return
        time.sleep(poll)
    raise AssertionError(f"{what} within {timeout} s")


@dataclass
class PrivateRedis:
    """redis-server on a port of its own, killed with -9 and started again on it."""

    port: int
    log: Path
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--daemonize", "no"],
                stdout=out,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        import redis

        _wait(lambda: redis.Redis(port=self.port, socket_timeout=1).ping(), 10, "redis-server answers")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


@dataclass
class PrivatePostgres:
    """A PostgreSQL cluster of this test module (pg_createcluster), trust auth on loopback."""

    version: str
    port: int
    name: str = field(default_factory=lambda: f"nattlys_faults_{os.getpid()}")

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/nattlys"

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", self.version, self.name, *args],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def create(self) -> None:
        self.drop()  # a leftover of an earlier run with this pid
        subprocess.run(
            ["pg_createcluster", self.version, self.name, "-p", str(self.port), "--", "--auth=trust"],
            check=True,
            capture_output=True,
            timeout=120,
        )
        self.start()

    def start(self) -> None:
        self._ctl("start")

    def stop(self) -> None:
        # -m immediate: like a crash, open connections are cut without goodbye.
        self._ctl("stop", "-m", "immediate")

    def drop(self) -> None:
        subprocess.run(
            ["pg_dropcluster", "--stop", self.version, self.name],
            check=False,
            capture_output=True,
            timeout=60,
        )


@dataclass
class Faults:
    cluster: Any  # deploy/local_cluster.LocalCluster
    postgres: PrivatePostgres
    redis: PrivateRedis
    _engine: Any = None

    @property
    def a(self) -> str:
        return self.cluster.web_url(self.cluster.web_ports[0])

    @property
    def b(self) -> str:
        return self.cluster.web_url(self.cluster.web_ports[1])

    def sql(self, query: str, **params: Any) -> list[Any]:
        if self._engine is None:
            from nattlys.config import normalise_database_url

            self._engine = create_engine(normalise_database_url(self.postgres.url), pool_pre_ping=True)
        with self._engine.connect() as conn:
            return list(conn.execute(text(query), params).all())

    def restore(self) -> None:
        """Whatever a test broke, running again for the next one."""
        for port in self.cluster.web_ports:
            proc = self.cluster.procs.get(f"web-{port}")
            if proc is None or proc.poll() is not None:
                self.cluster.procs.pop(f"web-{port}", None)
                self.cluster.start_web(port)


@pytest.fixture(scope="module")
def faults(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Faults]:
    if not os.environ.get("TEST_DATABASE_URL") or not os.environ.get("TEST_REDIS_URL"):
        pytest.skip(
            "fault tests run in the PostgreSQL + Redis pass (set TEST_DATABASE_URL and TEST_REDIS_URL)"
        )
    versions = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []
    if not versions or not shutil.which("pg_createcluster") or not shutil.which("redis-server"):
        _unavailable("the fault tests need pg_createcluster (postgresql-common) and redis-server")
    started = time.monotonic()
    workdir = tmp_path_factory.mktemp("faults")
    postgres = PrivatePostgres(version=versions[-1], port=_free_port())
    redis_server = PrivateRedis(port=_free_port(), log=workdir / "redis.log")
    local = load_local_cluster()
    try:
        postgres.create()
        redis_server.start()
        local.ensure_database(postgres.url)
    except (OSError, subprocess.SubprocessError, local.ClusterError) as exc:
        postgres.drop()
        redis_server.kill()
        _unavailable(f"a private PostgreSQL or Redis did not start: {exc}")
    env = {
        **local.cluster_env(postgres.url, redis_server.url),
        "NATTLYS_DEMO_PASSWORD": DEMO_PASSWORD,
        "CLOCK_START": CLOCK_START,
        # The tests write faster than a person; flood control is not under test.
        "CHAT_MESSAGES_PER_MINUTE": "100000",
    }
    cluster = local.LocalCluster(
        env=env, workdir=workdir, web_ports=[_free_port(), _free_port()], say=lambda _line: None
    )
    faults = Faults(cluster=cluster, postgres=postgres, redis=redis_server)
    try:
        cluster.migrate(demo=True)
        for port in cluster.web_ports:
            cluster.start_web(port)
        print(f"\nfault cluster ready in {time.monotonic() - started:.1f} s")
        yield faults
    finally:
        if faults._engine is not None:
            faults._engine.dispose()
        cluster.stop()
        redis_server.kill()
        postgres.drop()


# --- a PWA-like client -------------------------------------------------------------


@dataclass
class Writer:
    """One person's chat client: an outbox of (client id, body), sent in order;
    an item leaves the outbox only with the server's acknowledgement. On a
    timeout, a lost connection or internal_error it reconnects (to the first
    instance that answers, as nginx would pick a live one) and sends again."""

    name: str
    session: requests.Session
    bases: list[str]
    conversation_id: int | None = None
    outbox: list[tuple[str, str]] = field(default_factory=list)
    acked: dict[str, int] = field(default_factory=dict)  # client id -> message id
    refused: list[Any] = field(default_factory=list)  # answers that are not worth a retry
    retries: int = 0
    answered_errors: int = 0  # retries the server answered (rather than silence)
    reconnects: int = 0
    client: socketio.Client | None = None
    events: Events = field(default_factory=queue.Queue)
    # Client ids start with name and tag: one writer's messages among all the module's.
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:8])

    def connect(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for base in self.bases:
                with contextlib.suppress(Exception):
                    self.client, self.events = connect(base, self.session)
                    return
            time.sleep(0.3)
        raise AssertionError(f"{self.name} could not reconnect within {timeout} s")

    def _reconnect(self) -> None:
        self.reconnects += 1
        if self.client is not None:
            with contextlib.suppress(Exception):
                self.client.disconnect()
        self.connect()

    def write(self, body: str) -> None:
        self.outbox.append((f"{self.name}-{self.tag}-{uuid.uuid4().hex[:12]}", body))
        self.flush()

    def flush(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while self.outbox:
            assert time.monotonic() < deadline, f"{self.name}: outbox not empty after {timeout} s"
            client_id, body = self.outbox[0]
            data: dict[str, Any] = {"client_id": client_id, "body": body}
            if self.conversation_id is not None:
                data["conversation_id"] = self.conversation_id
            try:
                assert self.client is not None
                answer = self.client.call("chat:send", data, timeout=3)
            except Exception:
                answer = None
            if answer and "ok" in answer:
                self.acked[client_id] = answer["ok"]["id"]
                self.outbox.pop(0)
                continue
            if answer and answer.get("error") not in ("internal_error", "unavailable"):
                self.refused.append(answer)
                self.outbox.pop(0)
                continue
            self.retries += 1
            self.answered_errors += answer is not None
            if answer is None or not self.client.connected:  # type: ignore[union-attr]  # an answer came through it: not None
                self._reconnect()
            else:
                time.sleep(0.2)

    def close(self) -> None:
        if self.client is not None:
            with contextlib.suppress(Exception):
                self.client.disconnect()


def pair(faults: Faults, patient_base: str, kari_base: str) -> tuple[Writer, Writer]:
    """Mona on one instance, Kari (on duty) on the other, in one conversation."""
    order = [patient_base, kari_base]
    mona = Writer("mona", login(patient_base, "pasient1"), order)
    kari = Writer("kari", login(kari_base, "bolig1"), order[::-1])
    mona.connect()
    kari.connect()
    mona.write("Hei, er du der?")
    message = wait_for(kari.events, "chat:message", lambda d: d["body"] == "Hei, er du der?")
    kari.conversation_id = message["conversation_id"]
    kari.write("Ja, jeg er her.")
    return mona, kari


def keep_writing(writers: list[Writer], count: int, stop: threading.Event) -> list[threading.Thread]:
    def run(writer: Writer) -> None:
        for i in range(count):
            if stop.is_set():
                break
            writer.write(f"{writer.name} melding {i}")

    threads = [threading.Thread(target=run, args=(w,), daemon=True) for w in writers]
    for thread in threads:
        thread.start()
    return threads


def stored(faults: Faults, writers: list[Writer]) -> dict[str, int]:
    """How many rows each client id of these writers has in messages."""
    prefixes = {f"{w.name}-{w.tag}-%" for w in writers}
    rows: dict[str, int] = {}
    for prefix in prefixes:
        for client_id, n in faults.sql(
            "SELECT client_id, count(*) FROM messages WHERE client_id LIKE :p GROUP BY client_id", p=prefix
        ):
            rows[client_id] = n
    return rows


def assert_every_acknowledged_message_stored_once(faults: Faults, writers: list[Writer], sent: int) -> None:
    rows = stored(faults, writers)
    acked = {cid: mid for w in writers for cid, mid in w.acked.items()}
    assert [w.refused for w in writers] == [[] for _ in writers]
    assert all(not w.outbox for w in writers)
    assert len(acked) == sent, "every message sent was acknowledged in the end"
    assert set(rows) == set(acked), "stored == acknowledged"
    assert set(rows.values()) == {1}, "each stored once"
    ids = faults.sql("SELECT client_id, id FROM messages WHERE client_id = ANY(:ids)", ids=list(acked))
    assert dict(ids) == acked, "the acknowledgement named the stored message"


# --- the faults ----------------------------------------------------------------------


def test_kill_9_of_a_web_instance_loses_no_acknowledged_message(faults: Faults) -> None:
    mona, kari = pair(faults, faults.a, faults.b)
    stop = threading.Event()
    per_writer = 40
    try:
        threads = keep_writing([mona, kari], per_writer, stop)
        _wait(lambda: len(mona.acked) >= 12, 30, "Mona's first messages acknowledged")
        faults.cluster.stop_web(faults.cluster.web_ports[0], kill=True)  # Mona's instance, kill -9
        for thread in threads:
            thread.join(timeout=120)
        assert not any(t.is_alive() for t in threads)
        assert mona.reconnects >= 1, "Mona's socket was cut by the kill and came back on the other instance"
        assert_every_acknowledged_message_stored_once(faults, [mona, kari], sent=2 * (per_writer + 1))
        # Kari sees all of Mona's messages: live, or by the sync the PWA does on reconnect.
        synced = kari.client.call(  # type: ignore[union-attr]  # her writer connected it
            "chat:sync", {"conversation_id": kari.conversation_id, "after_id": 0}, timeout=10
        )
        seen = {m["client_id"] for m in synced["ok"]["messages"]}
        assert set(mona.acked) <= seen
        report("kill -9 web", [mona, kari])
    finally:
        stop.set()
        mona.close()
        kari.close()
        faults.restore()


def report(fault: str, writers: list[Writer]) -> None:
    print(  # the figures the issue asks for, in the test log
        f"\n{fault}: "
        + "; ".join(
            f"{w.name} sent {len(w.acked) + len(w.outbox)}, acknowledged {len(w.acked)}, "
            f"retried {w.retries}, reconnected {w.reconnects}"
            for w in writers
        )
    )


def ready(base: str) -> tuple[int, dict[str, str]]:
    response = requests.get(base + "/readyz", timeout=5)
    return response.status_code, response.json()["checks"]


def test_postgresql_restart_under_load_recovers_by_itself(faults: Faults) -> None:
    mona, kari = pair(faults, faults.a, faults.b)
    stop = threading.Event()
    per_writer = 30
    try:
        threads = keep_writing([mona, kari], per_writer, stop)
        _wait(lambda: len(mona.acked) >= 8 and len(kari.acked) >= 8, 30, "the first messages acknowledged")
        faults.postgres.stop()
        outage = time.monotonic()
        for base in (faults.a, faults.b):
            _wait(
                lambda b=base: ready(b) == (503, {"database": "unreachable", "redis": "ok"}), 10, "readyz 503"
            )
        # An API call in the outage gets a clear JSON error, not a hang.
        answer = mona.session.get(faults.a + "/api/chat/conversation", timeout=10)
        assert answer.status_code == 503 and answer.json()["error"] == "unavailable", answer.text
        assert answer.headers["Retry-After"] == "5"
        acked_in_outage = sum(len(w.acked) for w in (mona, kari))
        time.sleep(1)
        assert sum(len(w.acked) for w in (mona, kari)) == acked_in_outage, "nothing acknowledged unstored"
        faults.postgres.start()
        # Nobody restarts the web instances: their pools reconnect by themselves.
        for base in (faults.a, faults.b):
            _wait(lambda b=base: ready(b)[0] == 200, 30, "readyz 200 again")
        recovered = time.monotonic() - outage
        for thread in threads:
            thread.join(timeout=120)
        assert not any(t.is_alive() for t in threads)
        assert mona.retries + kari.retries >= 1, "the outage was felt by the writers"
        # A chat event in the outage is answered with an error the outbox
        # retries (not left unanswered until the client gives up on the socket).
        assert mona.answered_errors + kari.answered_errors >= 1
        assert mona.reconnects == kari.reconnects == 0
        assert_every_acknowledged_message_stored_once(faults, [mona, kari], sent=2 * (per_writer + 1))
        report(f"PostgreSQL restart (ready again {recovered:.1f} s after the stop)", [mona, kari])
    finally:
        stop.set()
        mona.close()
        kari.close()
        with contextlib.suppress(subprocess.CalledProcessError):
            faults.postgres.start()
        faults.restore()


def test_redis_restart_cross_instance_delivery_resumes_by_itself(faults: Faults) -> None:
    mona, kari = pair(faults, faults.a, faults.b)
    try:
        faults.redis.kill()
        for base in (faults.a, faults.b):
            _wait(
                lambda b=base: ready(b) == (503, {"database": "ok", "redis": "unreachable"}), 10, "readyz 503"
            )
        # Logging in while Redis is away: the login counters move to the
        # database, so a patient can still log in and guessing still stops.
        right = requests.post(
            faults.b + "/api/auth/login", json={"username": "pasient5", "password": DEMO_PASSWORD}, timeout=10
        )
        assert right.status_code == 200, right.text
        wrong = [
            requests.post(
                faults.b + "/api/auth/login", json={"username": "pasient4", "password": "feil"}, timeout=10
            ).status_code
            for _ in range(6)
        ]
        assert wrong == [401] * 5 + [429]
        # Mona writes through the outage; her outbox keeps what is not acknowledged.
        writing = threading.Thread(
            target=lambda: [mona.write(f"Under brudd {i}") for i in range(5)],  # type: ignore[func-returns-value]  # called for its side effect
            daemon=True,
        )
        writing.start()
        time.sleep(2)
        faults.redis.start()
        back = time.monotonic()
        for base in (faults.a, faults.b):
            _wait(lambda b=base: ready(b)[0] == 200, 30, "readyz 200 again")
        writing.join(timeout=90)
        assert not writing.is_alive()
        # Kari's socket on the other instance gets Mona's messages live again.
        # Each instance listens to Redis again by itself (the Socket.IO queue's
        # listener retries with backoff); until then nothing crosses instances.
        subscribed = listening_instances(faults)
        _wait(lambda: subscribed() == 2, 30, "both instances subscribed to Redis again")
        print(f"\nboth instances listening to Redis again {time.monotonic() - back:.1f} s after it came back")
        drain_events(kari.events)
        mona.write("Etter brudd")
        wait_for(kari.events, "chat:message", lambda d: d["body"] == "Etter brudd", timeout=30)
        kari.write("Fikk den")
        wait_for(mona.events, "chat:message", lambda d: d["body"] == "Fikk den", timeout=30)
        assert_every_acknowledged_message_stored_once(faults, [mona, kari], sent=1 + 5 + 1 + 2)
        report("Redis kill -9 and restart", [mona, kari])
    finally:
        mona.close()
        kari.close()
        if faults.redis.proc is None or faults.redis.proc.poll() is not None:
            faults.redis.start()
        faults.restore()


def listening_instances(faults: Faults) -> Any:
    import redis

    from nattlys.config import normalise_database_url
    from nattlys.realtime.connections import event_channel

    channel = event_channel(normalise_database_url(faults.postgres.url))

    def count() -> int:
        client = redis.Redis(port=faults.redis.port, socket_timeout=2)
        try:
            return int(dict(client.pubsub_numsub(channel))[channel.encode()])
        finally:
            client.close()

    return count


def drain_events(received: Events) -> None:
    while not received.empty():
        received.get_nowait()


# The scheduler's clock: 22:05 the same evening. Due then (demo schedules):
# the missed step of the 20:00 check-ins of pasient1, 2, 4 (Monday is one of
# pasient4's days) and 6, and the gentle reminders for 21:00 of pasient5 and 7.
# The bolig shift ended at 22:00, and every 3-minute offer made since 21:30 is
# past its deadline.
SCHEDULER_CLOCK = "2026-11-23T22:05:00+01:00"
SCHEDULER_CLOCK_UTC = "2026-11-23 21:05:00"  # as stored
# The demo's history already holds a reminder record for every earlier evening.
SCHEDULER_EVENING = "2026-11-23"
DUE_STEPS = {
    ("pasient1", "missed"),
    ("pasient2", "missed"),
    ("pasient4", "missed"),
    ("pasient5", "gentle"),
    ("pasient6", "missed"),
    ("pasient7", "gentle"),
}


def test_kill_9_of_the_scheduler_skips_and_doubles_nothing(faults: Faults) -> None:
    cluster = faults.cluster
    # Four patients write: each conversation is offered to tier 0 with a deadline.
    writers = [Writer(name, login(faults.a, name), [faults.a, faults.b]) for name in ("pasient2", "pasient3", "pasient4", "pasient5")]  # fmt: skip
    try:
        for writer in writers:
            writer.connect()
            writer.write("Kan noen svare meg?")
    finally:
        for writer in writers:
            writer.close()
    due_offers = {
        row[0]
        for row in faults.sql(
            "SELECT id FROM conversations WHERE state = 'offered' AND escalate_at <= :at",
            at=SCHEDULER_CLOCK_UTC,
        )
    }
    held = {row[0] for row in faults.sql("SELECT id FROM conversations WHERE state = 'held'")}
    assert len(due_offers) >= 3, "offers to escalate"
    before = faults.sql("SELECT max(id) FROM routing_decisions")[0][0] or 0

    def decisions() -> list[tuple[int, str]]:
        return [
            (c, a)
            for c, a in faults.sql(
                "SELECT conversation_id, action FROM routing_decisions WHERE id > :id ORDER BY id", id=before
            )
        ]

    def steps() -> list[tuple[str, str, str]]:
        return [
            tuple(r)
            for r in faults.sql(
                "SELECT u.username, r.step, r.outcome FROM checkin_reminders r JOIN users u ON u.id = r.patient_id"
                " WHERE r.local_date = :tonight ORDER BY r.id",
                tonight=SCHEDULER_EVENING,
            )
        ]

    # kill -9 as soon as the first job's first decision is committed: mid-run.
    cluster.start_scheduler(CLOCK_START=SCHEDULER_CLOCK)
    _wait(lambda: decisions() or steps(), 30, "the scheduler at work", poll=0.005)
    cluster.stop_scheduler(kill=True)
    done_before_kill = (len(decisions()), len(steps()))

    cluster.start_scheduler(CLOCK_START=SCHEDULER_CLOCK)
    try:

        def all_due_done() -> bool:
            made = decisions()
            return (
                {c for c, a in made if a == "escalate"} >= due_offers
                and {c for c, a in made if a == "shift_change"} >= held
                and len(steps()) >= len(DUE_STEPS)
            )

        _wait(all_due_done, 60, "every due escalation, handover and reminder step taken")
        # One more chat tick (every 5 s) must not add anything.
        settled = (decisions(), steps())
        time.sleep(6)
        assert (decisions(), steps()) == settled
    finally:
        cluster.stop_scheduler()

    made = decisions()
    assert sorted(c for c, a in made if a == "escalate") == sorted(due_offers), (
        "each due offer escalated once"
    )
    assert sorted(c for c, a in made if a == "shift_change") == sorted(held), (
        "each held chat handed over once"
    )
    taken = steps()
    assert {(u, s) for u, s, _ in taken} == DUE_STEPS and len(taken) == len(DUE_STEPS)
    # Nobody on duty (pasient6's bolig-only nights) still makes an alert: it waits for the next shift.
    told = [u for u, _, outcome in taken if outcome in ("told_on_duty", "no_one_on_duty")]
    alerts = faults.sql(
        "SELECT u.username FROM checkin_alerts a JOIN users u ON u.id = a.patient_id WHERE a.reason = 'missed'"
    )
    assert sorted(r[0] for r in alerts) == sorted(told), "one alert per missed step she wanted told"
    print(
        f"\nkill -9 scheduler: {len(due_offers)} offers due, {len(held)} held; before the kill "
        f"{done_before_kill[0]} decisions and {done_before_kill[1]} steps; after the restart "
        f"{len(made)} decisions ({', '.join(sorted({a for _, a in made}))}), {len(taken)} steps "
        f"({', '.join(sorted(o for _, _, o in taken))})"
    )
