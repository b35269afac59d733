"""Chat benchmark: Nattlys against a bare Flask-SocketIO relay, same machine, same run.

    .venv/bin/python -m tests.perf.bench_chat [--seconds 10] [--pairs 20] [--rounds 3] [--idle 2000]
        [--database-url URL]

Each server runs as one gunicorn gevent worker on loopback: Nattlys exactly as
an operator starts it (`nattlys serve`), with the chat's flood limit raised
for the run through its environment (CHAT_MESSAGES_PER_MINUTE), and
tests/perf/relay_server.py (no auth, no database, no routing). `--pairs`
patient and supporter pairs talk in a closed loop: each patient sends, waits
for the acknowledgement and until its supporter has received the message,
then sends the next, so throughput and latency are the servers'.

After a short warm-up the two servers are measured in alternating rounds
(bare first in odd rounds, Nattlys first in even ones), each reporting
messages/s, p50, p99 and the worker's CPU time per message from the kernel's
scheduler statistics. A round in which a send was refused or lost is not
reported. Then `--idle` authenticated connections are opened to Nattlys and a
round runs beside them (its rate as a share of the rounds without them, and
the server's memory per idle connection); they are closed and the run waits
until the server has let go of their sockets. It ends with one line:

    chat ratio: <median> (rounds …), p99 <ms>, cpu/event <ms> (bare: …)

Not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import sys
import tempfile
import time
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import socketio

from tests.perf.rounds import (
    Round,
    bare_server,
    free_port,
    load_line,
    open_sockets,
    ratio_line,
    rss_kib,
    sched_seconds,
    start,
    stop,
    wait_sockets_closed,
    worker_pid,
)

VENV_BIN = Path(sys.executable).parent
BODY = "Hei, er du der?"
TIMEOUT = 20


def wait_ready(url: str, proc: Any) -> None:
    for _ in range(300):
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 - loopback
                return
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("server exited") from None
            time.sleep(0.2)
    raise RuntimeError("server did not start")


def prepare_nattlys(database_url: str, pairs: int, idle: int) -> tuple[list[tuple[str, str]], list[str]]:
    """Users, teams, round-the-clock rosters and sessions, written directly."""
    from datetime import date
    from datetime import time as dtime

    from nattlys import create_app
    from nattlys.accounts.models import AuthSession, Role, User
    from nattlys.accounts.sessions import token_digest
    from nattlys.care_circles.models import CareTier, CareTierTeam, Team, TeamKind, TeamMembership
    from nattlys.cli import upgrade_database
    from nattlys.db import get_db
    from nattlys.rosters.generation import bump_generation
    from nattlys.rosters.models import RosterVersion, Rotation, RotationMember, RotationShift

    upgrade_database(database_url)
    app = create_app(
        {"ENV": "testing", "DATABASE_URL": database_url, "SOCKETIO_ASYNC_MODE": "threading", "REDIS_URL": ""}
    )
    now = datetime.now(UTC)

    def session_for(db, user: User) -> str:
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
            team = Team(name=f"Bench team {n}", kind=TeamKind.bolig)
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


class Pair:
    """One patient and one supporter on one server, connected for one round."""

    def __init__(
        self,
        base: str,
        patient_headers: dict[str, str],
        supporter_headers: dict[str, str],
        query: tuple[str, str] = ("", ""),
        relay_to: str | None = None,
    ) -> None:
        self.base = base
        self.headers = (patient_headers, supporter_headers)
        self.query = query
        self.relay_to = relay_to
        self.received: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.patient = socketio.AsyncClient(reconnection=False)
        self.supporter = socketio.AsyncClient(reconnection=False)
        self.supporter.on("message" if relay_to else "chat:message", self.received.put_nowait)

    async def connect(self) -> None:
        for client, headers, query in zip(
            (self.patient, self.supporter), self.headers, self.query, strict=True
        ):
            await client.connect(
                self.base + query, headers=headers, transports=["websocket"], wait_timeout=TIMEOUT
            )

    async def send_one(self) -> bool:
        """One message there and seen by the supporter; False if it was refused or lost."""
        client_id = uuid.uuid4().hex
        try:
            if self.relay_to:
                payload = {"to": self.relay_to, "client_id": client_id, "body": BODY}
                ack = await self.patient.call("relay", payload, timeout=TIMEOUT)
            else:
                ack = await self.patient.call(
                    "chat:send", {"client_id": client_id, "body": BODY}, timeout=TIMEOUT
                )
            if not isinstance(ack, dict) or "ok" not in ack:
                return False
            while (await asyncio.wait_for(self.received.get(), timeout=TIMEOUT)).get(
                "client_id"
            ) != client_id:
                pass
        except (TimeoutError, socketio.exceptions.SocketIOError):
            return False
        return True

    async def loop(self, until: float, result: Round) -> None:
        while time.perf_counter() < until:
            started = time.perf_counter()
            if await self.send_one():
                result.latencies.append(time.perf_counter() - started)
            else:
                result.refused += 1
                await asyncio.sleep(0.05)

    async def close(self) -> None:
        await asyncio.gather(self.patient.disconnect(), self.supporter.disconnect())


def nattlys_pairs(base: str, tokens: list[tuple[str, str]]) -> list[Pair]:
    def headers(token: str) -> dict[str, str]:
        return {"Cookie": f"nattlys_session={token}", "Origin": base}

    return [Pair(base, headers(p), headers(s)) for p, s in tokens]


def relay_pairs(base: str, count: int) -> list[Pair]:
    origin = {"Origin": base}
    return [
        Pair(base, origin, origin, (f"?room=p{n}", f"?room=s{n}"), relay_to=f"s{n}") for n in range(count)
    ]


async def run_round(server: str, number: int, pairs: list[Pair], pid: int | None, seconds: float) -> Round:
    """Connect, let the pairs talk for `seconds` (the worker's CPU time read
    around just that, when its pid is given), disconnect."""
    await asyncio.gather(*(pair.connect() for pair in pairs))
    result = Round(server=server, number=number, seconds=seconds)
    cpu0, wait0 = sched_seconds(pid) if pid else (0.0, 0.0)
    until = time.perf_counter() + seconds
    await asyncio.gather(*(pair.loop(until, result) for pair in pairs))
    if pid:
        cpu1, wait1 = sched_seconds(pid)
        result.cpu, result.waiting = cpu1 - cpu0, wait1 - wait0
    await asyncio.gather(*(pair.close() for pair in pairs))
    return result


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


async def idle_phase(
    args: argparse.Namespace,
    url: str,
    tokens: list[tuple[str, str]],
    idle_tokens: list[str],
    pid: int,
    rates: list[float],
) -> None:
    sockets_before, rss_before = open_sockets(pid), rss_kib(pid)
    idle = await hold_idle(url, idle_tokens)
    await asyncio.sleep(2)
    rss_after, sockets_held = rss_kib(pid), open_sockets(pid)
    print(
        f"{len(idle)} idle authenticated connections: server RSS {rss_before / 1024:.0f} -> "
        f"{rss_after / 1024:.0f} MiB, {(rss_after - rss_before) / len(idle):.1f} KiB per connection"
    )
    beside = await run_round("+idle", args.rounds + 1, nattlys_pairs(url, tokens), pid, args.seconds)
    print(beside.line("msg"))
    if beside.valid and rates:
        print(
            f"with {len(idle)} idle connections: {beside.rate / statistics.median(rates):.2f} of the rate without them"
        )
    await asyncio.gather(*(c.disconnect() for c in idle))
    took = wait_sockets_closed(pid, down_to=sockets_before)
    print(
        f"idle connections closed; the server's sockets {sockets_before} -> {sockets_held} -> "
        f"{open_sockets(pid)} after {took:.1f} s"
    )


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
        # Closed-loop senders far exceed a person's 30 a minute: the flood
        # limit would refuse nearly every send and the benchmark measure that.
        "CHAT_MESSAGES_PER_MINUTE": str(10**9),
    }
    relay_port, nattlys_port = free_port(), free_port()
    relay = start(
        bare_server("tests.perf.relay_server:app", relay_port),
        env,
        workdir / "relay.log",
    )
    nattlys = start(
        [str(VENV_BIN / "nattlys"), "serve", "--port", str(nattlys_port)], env, workdir / "nattlys.log"
    )
    relay_url, nattlys_url = f"http://127.0.0.1:{relay_port}", f"http://127.0.0.1:{nattlys_port}"
    try:
        wait_ready(relay_url + "/socket.io/?EIO=4&transport=polling", relay)
        wait_ready(nattlys_url + "/healthz", nattlys)
        relay_pid, nattlys_pid = worker_pid(relay.pid), worker_pid(nattlys.pid)
        servers = {
            "bare": (lambda: relay_pairs(relay_url, args.pairs), relay_pid),
            "nattlys": (lambda: nattlys_pairs(nattlys_url, tokens), nattlys_pid),
        }
        print(load_line())
        print(
            f"{args.pairs} conversations x {args.seconds:.0f} s per server per round, closed loop, "
            f"Nattlys on {database_url.split(':')[0]}"
        )
        for make, pid in servers.values():
            await run_round("warm-up", 0, make(), pid, args.warmup)
        pairs: list[tuple[Round, Round]] = []
        for number in range(1, args.rounds + 1):
            order = ["bare", "nattlys"] if number % 2 else ["nattlys", "bare"]
            done = {}
            for name in order:
                make, pid = servers[name]
                done[name] = await run_round(name, number, make(), pid, args.seconds)
                print(done[name].line("msg"))
            pairs.append((done["bare"], done["nattlys"]))
        if args.idle:
            rates = [ours.rate for _, ours in pairs if ours.valid]
            await idle_phase(args, nattlys_url, tokens, idle_tokens, nattlys_pid, rates)
        print(load_line())
        print(ratio_line("chat", pairs))
    finally:
        stop(relay)
        stop(nattlys)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--pairs", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--idle", type=int, default=2000)
    parser.add_argument("--database-url", default="")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
