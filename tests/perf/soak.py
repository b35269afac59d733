"""Soak: 200 patients checking in and chatting through the local cluster for 30 minutes.

    .venv/bin/python -m tests.perf.soak --minutes 30
        [--patients 200] [--checkin-every 180] [--chat-every 30-60] [--answering 10]
        [--database-url postgresql://postgres@127.0.0.1:5432/nattlys_soak]
        [--redis-url redis://127.0.0.1:6379/11]

The cluster is deploy/local_cluster.py's: nginx in front of two web instances
and the scheduler, on PostgreSQL (the database is dropped and made afresh) and
Redis (the db is flushed). The patients, their teams and round-the-clock
rosters are tests/perf/bench_chat.py's (one supporter on duty per patient).
Every client talks through nginx as the PWA does: each patient and supporter
holds a Socket.IO connection with the session cookie; patients POST
/api/checkins (green, yellow and red answers, a fresh idempotency key each)
about every --checkin-every seconds and send chat:send with a client id every
--chat-every seconds; every supporter acknowledges what arrives with
chat:delivered and looks at /api/chat/inbox every few minutes, and the first
--answering supporters answer each message. The load is open loop and
constant: a leak and stability soak, not a throughput test.

Every 30 s it prints the resident memory of each web instance's worker, the
scheduler and nginx's worker, the errors in that window (non-2xx answers,
socket errors and unexpected disconnects, error or missing acks), and p50/p99
of the check-in POST and of the chat:send acknowledgement. At the end: the
table again, each process's memory slope (MiB per 10 minutes, least squares
over the second half, after warm-up), total errors, p99 of the first 5
minutes against the last 5, and what was acknowledged against what the
database holds. Not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import socketio

from tests.perf.bench_chat import prepare_nattlys
from tests.perf.bench_cluster import _local_cluster, fresh_database
from tests.perf.rounds import rss_kib, worker_pid

CSRF = "x"  # prepare_nattlys writes every session with this CSRF token
ACK_TIMEOUT = 20.0
HTTP_TIMEOUT = 20.0

# (pressure, mood, sleep, self_harm_urge, suicidal_thoughts, expected level), weighted
ANSWERS = [
    ((2, 4, "good", "none", "none"), "green", 14),
    ((6, 3, "ok", "none", "none"), "yellow", 5),
    ((9, 2, "poor", "none", "strong"), "red", 1),
]


@dataclass
class Window:
    checkin: list[float] = field(default_factory=list)
    chat: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)


@dataclass
class Stats:
    started: float = field(default_factory=time.monotonic)
    window: Window = field(default_factory=Window)
    # (seconds since start, latency) for the first-5 / last-5 minute comparison
    checkin_all: list[tuple[float, float]] = field(default_factory=list)
    chat_all: list[tuple[float, float]] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    checkins_acked: int = 0
    levels: Counter[str] = field(default_factory=Counter)
    patient_acked: int = 0
    supporter_acked: int = 0
    delivered_to_supporter: int = 0

    def now(self) -> float:
        return time.monotonic() - self.started

    def error(self, kind: str) -> None:
        self.window.errors[kind] += 1
        self.errors[kind] += 1

    def checkin(self, seconds: float) -> None:
        self.window.checkin.append(seconds)
        self.checkin_all.append((self.now(), seconds))

    def chat(self, seconds: float) -> None:
        self.window.chat.append(seconds)
        self.chat_all.append((self.now(), seconds))


def pct(values: list[float], q: float) -> float:
    """The q-quantile in milliseconds (nearest rank); nan for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))] * 1000


def slope_per_10_min(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, MiB), in MiB per 10 minutes."""
    if len(points) < 2:
        return float("nan")
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return statistics.linear_regression(xs, ys).slope * 600


def headers(base: str, token: str) -> dict[str, str]:
    return {"Cookie": f"nattlys_session={token}", "Origin": base}


async def connect(base: str, token: str, stats: Stats, who: str, end: float) -> socketio.AsyncClient:
    client = socketio.AsyncClient(reconnection=True, reconnection_delay=1)

    @client.event
    async def disconnect(*_args: object) -> None:
        if time.monotonic() < end:
            stats.error(f"{who} socket disconnected")

    @client.event
    async def connect_error(_data: object) -> None:
        stats.error(f"{who} socket connect error")

    await client.connect(base, headers=headers(base, token), transports=["websocket"], wait_timeout=30)
    return client


async def call(client: socketio.AsyncClient, event: str, data: dict, stats: Stats, what: str) -> dict | None:
    """An acknowledged event; errors, missing acks and a closed socket are counted."""
    try:
        ack = await client.call(event, data, timeout=ACK_TIMEOUT)
    except socketio.exceptions.TimeoutError:
        stats.error(f"{what}: no ack")
        return None
    except socketio.exceptions.SocketIOError:
        stats.error(f"{what}: socket error")
        return None
    if not isinstance(ack, dict) or "ok" not in ack:
        code = ack.get("error") if isinstance(ack, dict) else ack
        stats.error(f"{what}: {code}")
        return None
    return ack["ok"]


async def patient_loop(
    base: str, token: str, http: aiohttp.ClientSession, args: argparse.Namespace, stats: Stats, end: float
) -> None:
    client = await connect(base, token, stats, "patient", end)
    weights = [w for *_x, w in ANSWERS]
    next_checkin = time.monotonic() + random.uniform(0, args.checkin_every)
    next_chat = time.monotonic() + random.uniform(0, args.chat_max)
    try:
        while True:
            at = min(next_checkin, next_chat)
            if at >= end:
                break
            await asyncio.sleep(max(0.0, at - time.monotonic()))
            if at == next_checkin:
                next_checkin += args.checkin_every * random.uniform(0.8, 1.2)
                (pressure, mood, sleep, urge, thoughts), level, _w = random.choices(ANSWERS, weights)[0]
                body = {
                    "idempotency_key": uuid.uuid4().hex,
                    "pressure": pressure,
                    "mood": mood,
                    "sleep": sleep,
                    "self_harm_urge": urge,
                    "suicidal_thoughts": thoughts,
                }
                started = time.perf_counter()
                try:
                    async with http.post(
                        f"{base}/api/checkins",
                        json=body,
                        headers={**headers(base, token), "X-CSRF-Token": CSRF},
                    ) as r:
                        answer = await r.json(content_type=None)
                        status = r.status
                except (TimeoutError, aiohttp.ClientError) as exc:
                    stats.error(f"check-in: {type(exc).__name__}")
                    continue
                if status != 201:
                    stats.error(f"check-in: HTTP {status}")
                    continue
                stats.checkin(time.perf_counter() - started)
                stats.checkins_acked += 1
                stats.levels[answer.get("level")] += 1
                if answer.get("level") != level:
                    stats.error(f"check-in: level {answer.get('level')} for {level} answers")
            else:
                next_chat += random.uniform(args.chat_min, args.chat_max)
                started = time.perf_counter()
                sent = await call(
                    client,
                    "chat:send",
                    {"client_id": uuid.uuid4().hex, "body": "Hei, er du der? Det er en tung kveld."},
                    stats,
                    "patient chat:send",
                )
                if sent is not None:
                    stats.chat(time.perf_counter() - started)
                    stats.patient_acked += 1
        # Stay connected to the end, as an open app would.
        await asyncio.sleep(max(0.0, end - time.monotonic()))
    finally:
        await client.disconnect()


async def supporter_loop(
    base: str,
    token: str,
    http: aiohttp.ClientSession,
    answers: bool,
    args: argparse.Namespace,
    stats: Stats,
    end: float,
) -> None:
    arrived: asyncio.Queue[dict] = asyncio.Queue()
    client = await connect(base, token, stats, "supporter", end)
    client.on("chat:message", lambda data: arrived.put_nowait(data))

    async def look_at_inbox() -> None:
        await asyncio.sleep(random.uniform(0, args.inbox_every))
        while time.monotonic() < end:
            try:
                async with http.get(f"{base}/api/chat/inbox", headers=headers(base, token)) as r:
                    await r.read()
                    if r.status != 200:
                        stats.error(f"supporter inbox: HTTP {r.status}")
            except (TimeoutError, aiohttp.ClientError) as exc:
                stats.error(f"supporter inbox: {type(exc).__name__}")
            await asyncio.sleep(args.inbox_every)

    inbox = asyncio.create_task(look_at_inbox())
    try:
        while True:
            try:
                data = await asyncio.wait_for(arrived.get(), timeout=max(0.01, end - time.monotonic()))
            except TimeoutError:
                break
            if data.get("sender_role") != "patient":
                continue
            stats.delivered_to_supporter += 1
            conversation = {"conversation_id": data["conversation_id"]}
            await call(
                client,
                "chat:delivered",
                {**conversation, "upto_id": data["id"]},
                stats,
                "supporter delivered",
            )
            if answers and time.monotonic() < end:
                started = time.perf_counter()
                sent = await call(
                    client,
                    "chat:send",
                    {**conversation, "client_id": uuid.uuid4().hex, "body": "Jeg er her. Fortell."},
                    stats,
                    "supporter chat:send",
                )
                if sent is not None:
                    stats.chat(time.perf_counter() - started)
                    stats.supporter_acked += 1
    finally:
        inbox.cancel()
        await client.disconnect()


def memory(cluster) -> dict[str, float]:
    """MiB resident per process (gunicorn's and nginx's worker, the scheduler itself)."""
    return {name: rss_kib(worker_pid(proc.pid)) / 1024 for name, proc in sorted(cluster.procs.items())}


async def sampler(cluster, stats: Stats, end: float, every: float, rows: list[dict]) -> None:
    names = sorted(cluster.procs)
    print(
        f"{'t (s)':>6} "
        + " ".join(f"{n + ' MiB':>16}" for n in names)
        + f" {'errors':>6} {'check-ins':>9} {'p50 ms':>7} {'p99 ms':>7} {'chat acks':>9} {'p50 ms':>7} {'p99 ms':>7}",
        flush=True,
    )
    next_at = time.monotonic() + every
    while True:
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        window, stats.window = stats.window, Window()
        row = {
            "t": stats.now(),
            "rss": memory(cluster),
            "errors": sum(window.errors.values()),
            "error_kinds": dict(window.errors),
            "checkins": len(window.checkin),
            "checkin_p50": pct(window.checkin, 0.5),
            "checkin_p99": pct(window.checkin, 0.99),
            "chats": len(window.chat),
            "chat_p50": pct(window.chat, 0.5),
            "chat_p99": pct(window.chat, 0.99),
        }
        rows.append(row)
        print(format_row(row, names), flush=True)
        if row["error_kinds"]:
            print(f"{'':>6} errors: {row['error_kinds']}", flush=True)
        next_at += every
        if next_at > end + 1:  # the last sample at the end, before the clients leave
            return


def format_row(row: dict, names: list[str]) -> str:
    return (
        f"{row['t']:6.0f} "
        + " ".join(f"{row['rss'].get(n, float('nan')):16.1f}" for n in names)
        + f" {row['errors']:6d} {row['checkins']:9d} {row['checkin_p50']:7.1f} {row['checkin_p99']:7.1f}"
        f" {row['chats']:9d} {row['chat_p50']:7.1f} {row['chat_p99']:7.1f}"
    )


def stored_counts(database_url: str) -> tuple[int, int, int]:
    """Check-ins, patients' messages and supporters' messages in the database."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as conn:
        checkins = conn.execute(text("SELECT count(*) FROM checkins")).scalar_one()
        by_role: dict[str, int] = dict(
            conn.execute(text("SELECT sender_role, count(*) FROM messages GROUP BY sender_role")).all()
        )
    engine.dispose()
    return checkins, by_role.get("patient", 0), by_role.get("supporter", 0)


def summary(rows: list[dict], stats: Stats, seconds: float, database_url: str) -> None:
    names = sorted(rows[0]["rss"]) if rows else []
    print("\n=== soak summary ===")
    print(
        f"{'t (s)':>6} "
        + " ".join(f"{n + ' MiB':>16}" for n in names)
        + f" {'errors':>6} {'check-ins':>9} {'p50 ms':>7} {'p99 ms':>7} {'chat acks':>9} {'p50 ms':>7} {'p99 ms':>7}"
    )
    for row in rows:
        print(format_row(row, names))
    print("\nmemory slope over the second half (MiB per 10 min):")
    half = seconds / 2
    for name in names:
        points = [(r["t"], r["rss"][name]) for r in rows if r["t"] >= half and name in r["rss"]]
        first, last = rows[0]["rss"].get(name, float("nan")), rows[-1]["rss"].get(name, float("nan"))
        print(f"  {name:<16} {slope_per_10_min(points):+7.2f}   (first {first:.1f} MiB, last {last:.1f} MiB)")
    print(f"\nerrors in total: {sum(stats.errors.values())}", dict(stats.errors) or "")
    early = min(300.0, seconds / 2)
    late = seconds - early
    for what, series in (("check-in POST", stats.checkin_all), ("chat:send ack", stats.chat_all)):
        first = [v for t, v in series if t <= early]
        last = [v for t, v in series if t > late]
        print(
            f"{what} p99: first {early / 60:g} min {pct(first, 0.99):.1f} ms ({len(first)}), "
            f"last {early / 60:g} min {pct(last, 0.99):.1f} ms ({len(last)})"
        )
    checkins, patient_msgs, supporter_msgs = stored_counts(database_url)
    print(
        f"check-ins: {stats.checkins_acked} acknowledged (201), {checkins} stored  levels {dict(stats.levels)}"
    )
    print(f"patients' messages: {stats.patient_acked} acknowledged, {patient_msgs} stored")
    print(f"supporters' messages: {stats.supporter_acked} acknowledged, {supporter_msgs} stored")
    print(f"patients' messages seen by a supporter's socket: {stats.delivered_to_supporter}")
    match = (checkins, patient_msgs, supporter_msgs) == (
        stats.checkins_acked,
        stats.patient_acked,
        stats.supporter_acked,
    )
    print(f"sent = stored: {'yes' if match else 'NO'}")


async def drive(cluster, tokens: list[tuple[str, str]], args: argparse.Namespace) -> tuple[list[dict], Stats]:
    base = cluster.url
    stats = Stats()
    timeout = aiohttp.ClientTimeout(total=HTTP_TIMEOUT)
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(
        timeout=timeout, connector=connector, cookie_jar=aiohttp.DummyCookieJar()
    ) as http:
        end = time.monotonic() + args.minutes * 60
        rows: list[dict] = []
        sample = asyncio.create_task(sampler(cluster, stats, end, args.sample_every, rows))
        tasks = []
        for n, (patient, supporter) in enumerate(tokens):
            tasks.append(
                asyncio.create_task(
                    supporter_loop(base, supporter, http, n < args.answering, args, stats, end)
                )
            )
            tasks.append(asyncio.create_task(patient_loop(base, patient, http, args, stats, end)))
            if n % 20 == 19:
                await asyncio.sleep(0.5)  # connect gradually, not in one burst
        results = await asyncio.gather(*tasks, return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                stats.error(f"client failed: {type(result).__name__}: {result}")
        await sample
    return rows, stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--patients", type=int, default=200)
    parser.add_argument(
        "--checkin-every", type=float, default=180, help="seconds between a patient's check-ins"
    )
    parser.add_argument("--chat-every", default="30-60", help="seconds between a patient's messages, min-max")
    parser.add_argument("--answering", type=int, default=10, help="supporters who answer every message")
    parser.add_argument(
        "--inbox-every", type=float, default=240, help="seconds between a supporter's inbox looks"
    )
    parser.add_argument("--sample-every", type=float, default=30)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/nattlys_soak")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/11")
    args = parser.parse_args()
    args.chat_min, args.chat_max = (float(x) for x in args.chat_every.split("-"))

    local = _local_cluster()
    nginx = local.ensure_nginx()
    database_url = fresh_database(args.database_url)
    import redis

    redis.Redis.from_url(args.redis_url).flushdb()
    tokens, _idle = prepare_nattlys(database_url, args.patients, 0)
    env = {**local.cluster_env(database_url, args.redis_url), "NATTLYS_ENV": "development"}
    env.pop("CLOCK_START", None)
    workdir = Path(tempfile.mkdtemp(prefix="soak-"))
    workdir.chmod(0o755)
    cluster = local.LocalCluster(
        env=env,
        workdir=workdir,
        listen_port=local.free_port(),
        web_ports=[local.free_port(), local.free_port()],
        nginx=nginx,
        say=lambda _line: None,
    )
    print(
        f"soak: {args.patients} patients x {args.minutes:g} min through nginx -> 2 web instances + scheduler "
        f"(logs in {workdir}); a check-in every ~{args.checkin_every:g} s and a message every "
        f"{args.chat_every} s per patient, {args.answering} supporters answering",
        flush=True,
    )
    cluster.start(scheduler=True)
    try:
        rows, stats = asyncio.run(drive(cluster, tokens, args))
        still_online = presence_left(args.redis_url)
    finally:
        cluster.stop()
    summary(rows, stats, args.minutes * 60, database_url)
    print(f"users still counted online after every client left: {still_online}")
    logged = server_errors(workdir)
    print(f"errors the servers logged: {sum(logged.values())}", logged or "")
    sys.stdout.flush()


def presence_left(redis_url: str, wait: float = 15) -> int:
    """Users the presence hash still counts online once every client has gone."""
    import redis

    client = redis.Redis.from_url(redis_url)
    deadline = time.monotonic() + wait
    # The servers run the disconnect handlers after the clients have gone.
    while (left := client.hlen("nattlys:presence")) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def server_errors(workdir: Path) -> Counter[str]:
    """Error lines in the web instances' and the scheduler's logs, by message."""
    found: Counter[str] = Counter()
    for log in sorted(workdir.glob("*.log")):
        if log.name.startswith("nginx-access"):
            continue
        for line in log.read_text(errors="replace").splitlines():
            if '"level": "error"' in line or '"level": "critical"' in line or "[ERROR]" in line:
                found[f"{log.stem}: {_msg(line)}"] += 1
    return found


def _msg(line: str) -> str:
    import json

    try:
        record = json.loads(line)
    except ValueError:
        return line[:160]
    last = (record.get("exc") or "").strip().splitlines()[-1:]
    return f"{record.get('logger')}: {record.get('msg')} {' '.join(last)}".strip()


if __name__ == "__main__":
    main()
