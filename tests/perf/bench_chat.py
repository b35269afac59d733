"""Chat benchmark: Nattlys against a bare Flask-SocketIO relay, same machine, same run.

    .venv/bin/python -m tests.perf.bench_chat [--seconds 10] [--pairs 20] [--idle 2000] [--database-url URL]

Each server runs as its own gunicorn gevent process on loopback. 20 patient and
supporter pairs talk for 10 s: each patient sends, waits until its supporter has
received the message, and sends the next (closed loop), so throughput and
latency are the server's. Reports messages/s and p50/p99 for both servers and
the ratio. Then it opens 2,000 idle authenticated connections to Nattlys and
runs the conversations again, reporting the server's memory per idle
connection. Not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import socketio

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str, proc: subprocess.Popen[bytes]) -> None:
    import urllib.request

    for _ in range(150):
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 - loopback
                return
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("server exited") from None
            time.sleep(0.2)
    raise RuntimeError("server did not start")


def rss_kib(pid: int) -> int:
    """Resident memory of a gunicorn master's worker (the child doing the work)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    target = int(children[0]) if children else pid
    for line in Path(f"/proc/{target}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def prepare_nattlys(database_url: str, pairs: int, idle: int) -> tuple[list[tuple[str, str]], list[str]]:
    """Users, teams, round-the-clock rosters and sessions, written directly."""
    from datetime import date
    from datetime import time as dtime

    from server import create_app
    from server.accounts.models import AuthSession, Role, User
    from server.accounts.sessions import token_digest
    from server.care_circles.models import CareTier, CareTierTeam, Team, TeamMembership
    from server.cli import upgrade_database
    from server.db import get_db
    from server.rosters.generation import bump_generation
    from server.rosters.models import RosterVersion, Rotation, RotationMember, RotationShift

    upgrade_database(database_url)
    app = create_app(
        {"ENV": "testing", "DATABASE_URL": database_url, "SOCKETIO_ASYNC_MODE": "threading", "REDIS_URL": ""}
    )
    now = datetime.now(UTC)

    def session_for(db, user: User) -> str:  # type: ignore[no-untyped-def]
        token = secrets.token_urlsafe(32)
        db.add(
            AuthSession(
                id=token_digest(token),
                user_id=user.id,
                csrf_token="x",
                created_at=now,
                last_seen_at=now,
                expires_at=now + timedelta(days=30),
                absolute_expires_at=None,
            )
        )
        return token

    with app.app_context():
        db = get_db()
        tokens: list[tuple[str, str]] = []
        for n in range(pairs):
            supporter = User(username=f"bench-s{n}", display_name=f"S{n}", role=Role.supporter)
            patient = User(username=f"bench-p{n}", display_name=f"P{n}", role=Role.patient)
            team = Team(name=f"Bench team {n}", kind="bolig")
            db.add_all([supporter, patient, team])
            db.flush()
            db.add(TeamMembership(team_id=team.id, user_id=supporter.id))
            version = RosterVersion(team_id=team.id, status="published", created_at=now, published_at=now)
            db.add(version)
            db.flush()
            rotation = Rotation(
                version_id=version.id, name="Døgn", start_date=date(2026, 1, 5), period_days=7
            )
            db.add(rotation)
            db.flush()
            db.add(RotationMember(rotation_id=rotation.id, position=0, user_id=supporter.id))
            db.add(
                RotationShift(
                    rotation_id=rotation.id,
                    weekdays=127,
                    start_time=dtime(0),
                    end_time=dtime(0),
                    ends_next_day=True,
                )
            )
            tier = CareTier(patient_id=patient.id, position=0)
            db.add(tier)
            db.flush()
            db.add(CareTierTeam(tier_id=tier.id, team_id=team.id))
            tokens.append((session_for(db, patient), session_for(db, supporter)))
        idle_tokens = []
        for n in range(idle):
            user = User(username=f"bench-idle{n}", display_name=f"I{n}", role=Role.patient)
            db.add(user)
            db.flush()
            idle_tokens.append(session_for(db, user))
        bump_generation(db)
        db.commit()
    return tokens, idle_tokens


async def nattlys_pair(
    base: str, patient_token: str, supporter_token: str, seconds: float, latencies: list[float]
) -> None:
    received: asyncio.Queue[dict] = asyncio.Queue()
    opts = {"transports": ["websocket"], "wait_timeout": 20}
    patient = socketio.AsyncClient(reconnection=False)
    supporter = socketio.AsyncClient(reconnection=False)
    supporter.on("chat:message", lambda data: received.put_nowait(data))
    await patient.connect(
        base, headers={"Cookie": f"nattlys_session={patient_token}", "Origin": base}, **opts
    )
    await supporter.connect(
        base, headers={"Cookie": f"nattlys_session={supporter_token}", "Origin": base}, **opts
    )
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        client_id = uuid.uuid4().hex
        started = time.perf_counter()
        ack = await patient.call("chat:send", {"client_id": client_id, "body": "Hei, er du der?"}, timeout=20)
        if "ok" not in ack:
            await asyncio.sleep(0.05)
            continue
        while True:
            data = await asyncio.wait_for(received.get(), timeout=20)
            if data.get("client_id") == client_id:
                break
        latencies.append(time.perf_counter() - started)
    await patient.disconnect()
    await supporter.disconnect()


async def relay_pair(base: str, n: int, seconds: float, latencies: list[float]) -> None:
    received: asyncio.Queue[dict] = asyncio.Queue()
    patient = socketio.AsyncClient(reconnection=False)
    supporter = socketio.AsyncClient(reconnection=False)
    supporter.on("message", lambda data: received.put_nowait(data))
    await patient.connect(
        f"{base}?room=p{n}", headers={"Origin": base}, transports=["websocket"], wait_timeout=20
    )
    await supporter.connect(
        f"{base}?room=s{n}", headers={"Origin": base}, transports=["websocket"], wait_timeout=20
    )
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        client_id = uuid.uuid4().hex
        started = time.perf_counter()
        await patient.call(
            "relay", {"to": f"s{n}", "client_id": client_id, "body": "Hei, er du der?"}, timeout=20
        )
        while True:
            data = await asyncio.wait_for(received.get(), timeout=20)
            if data.get("client_id") == client_id:
                break
        latencies.append(time.perf_counter() - started)
    await patient.disconnect()
    await supporter.disconnect()


def report(name: str, latencies: list[float], seconds: float) -> float:
    ordered = sorted(latencies)
    rate = len(ordered) / seconds
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000
    print(f"{name:<34} {rate:8.0f} msg/s   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   ({len(ordered)} messages)")
    return rate


async def hold_idle(base: str, tokens: list[str]) -> list[socketio.AsyncClient]:
    clients = []
    for chunk in range(0, len(tokens), 100):
        batch = []
        for token in tokens[chunk : chunk + 100]:
            client = socketio.AsyncClient(reconnection=False)
            batch.append(
                client.connect(
                    base,
                    headers={"Cookie": f"nattlys_session={token}", "Origin": base},
                    transports=["websocket"],
                    wait_timeout=30,
                )
            )
            clients.append(client)
        await asyncio.gather(*batch)
    return clients


def start(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(cmd, env=env, cwd=PROJECT_ROOT, stdout=open(log, "wb"), stderr=subprocess.STDOUT)


async def main_async(args: argparse.Namespace) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="bench-chat-"))
    database_url = args.database_url or f"sqlite:///{workdir}/bench.db"
    tokens, idle_tokens = prepare_nattlys(database_url, args.pairs, args.idle)
    env = {
        **os.environ,
        "NATTLYS_ENV": "development",
        "DATABASE_URL": database_url,
        "REDIS_URL": "",
        "SCHEDULER": "off",
    }
    gunicorn = [
        sys.executable,
        "-m",
        "gunicorn",
        "--worker-class",
        "gevent",
        "--workers",
        "1",
        "--no-control-socket",
        "--worker-connections",
        "5000",
    ]

    relay_port, nattlys_port = free_port(), free_port()
    relay = start(
        [*gunicorn, "--bind", f"127.0.0.1:{relay_port}", "tests.perf.relay_server:app"],
        env,
        workdir / "relay.log",
    )
    nattlys = start(
        [*gunicorn, "--bind", f"127.0.0.1:{nattlys_port}", "server.wsgi:app"], env, workdir / "nattlys.log"
    )
    relay_url, nattlys_url = f"http://127.0.0.1:{relay_port}", f"http://127.0.0.1:{nattlys_port}"
    try:
        wait_ready(relay_url + "/socket.io/?EIO=4&transport=polling", relay)
        wait_ready(nattlys_url + "/healthz", nattlys)
        print(
            f"{args.pairs} conversations x {args.seconds:.0f} s, closed loop, on {database_url.split(':')[0]}"
        )
        relay_lat: list[float] = []
        await asyncio.gather(*(relay_pair(relay_url, n, args.seconds, relay_lat) for n in range(args.pairs)))
        base_rate = report("bare Flask-SocketIO relay", relay_lat, args.seconds)
        lat: list[float] = []
        await asyncio.gather(*(nattlys_pair(nattlys_url, p, s, args.seconds, lat) for p, s in tokens))
        rate = report("Nattlys (auth, DB, routing, audit)", lat, args.seconds)
        print(f"ratio Nattlys / bare relay: {rate / base_rate:.2f}")

        if args.idle:
            before = rss_kib(nattlys.pid)
            idle = await hold_idle(nattlys_url, idle_tokens)
            await asyncio.sleep(2)
            after = rss_kib(nattlys.pid)
            print(
                f"{len(idle)} idle authenticated connections: server RSS {before / 1024:.0f} -> {after / 1024:.0f} MiB, "
                f"{(after - before) / len(idle):.1f} KiB per connection"
            )
            lat2: list[float] = []
            await asyncio.gather(*(nattlys_pair(nattlys_url, p, s, args.seconds, lat2) for p, s in tokens))
            report(f"Nattlys with {len(idle)} idle connections", lat2, args.seconds)
            await asyncio.gather(*(c.disconnect() for c in idle))
    finally:
        for proc in (relay, nattlys):
            proc.terminate()
            proc.wait(timeout=15)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--pairs", type=int, default=20)
    parser.add_argument("--idle", type=int, default=2000)
    parser.add_argument("--database-url", default="")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
