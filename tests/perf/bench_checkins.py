"""Check-in submission benchmark: Nattlys against a bare Flask JSON POST endpoint, same run.

    .venv/bin/python -m tests.perf.bench_checkins [--seconds 10] [--clients 20] [--rounds 3]
        [--database-url URL] [--py-spy FILE]

Two servers, each one gunicorn gevent worker on loopback: `nattlys serve`
(SQLite by default, or --database-url for PostgreSQL) and
tests/perf/bare_post_server.py (Flask, one INSERT into SQLite with WAL).
Nattlys gets one patient per client, each with a crisis plan (warning signs
and self-help steps) and a session written directly (as bench_chat.py does);
every request carries the session cookie, the CSRF header and an Origin, and
goes through the whole real path (session, CSRF, validation, plan, levels,
idempotency, audit row, commit).

Each client is a closed loop (aiohttp, sends the next check-in when the
answer came) for `--seconds`; answers are green or yellow (red and "I want
contact" add alerts and a chat, and are tested elsewhere). After a warm-up
the servers are measured in alternating rounds (bare first in odd rounds),
`--rounds` times, reporting per round the check-ins/s, p50, p99 and the
worker's CPU time per check-in from the kernel's scheduler statistics (and
its share of the wall time on a CPU and waiting for one: other work on this
2-core machine). A round with any answer other than 201 is not reported.
`--py-spy FILE` records the Nattlys worker during its last round (py-spy must
be installed in .venv) and prints its top functions. It ends with one line:

    checkin ratio: <median> (rounds …), p99 <ms>, cpu/event <ms> (bare: …)

Not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

from tests.perf.rounds import (
    Round,
    bare_server,
    free_port,
    load_line,
    ratio_line,
    sched_seconds,
    start,
    stop,
    worker_pid,
)

VENV_BIN = Path(sys.executable).parent
SIGNS = ["Jeg sover dårlig", "Jeg trekker meg unna", "Tankene går fort", "Jeg slutter å spise"]


def prepare_nattlys(database_url: str, clients: int) -> list[tuple[str, str]]:
    """Patients with crisis plans and sessions, written directly: (cookie token, CSRF token)."""
    from nattlys import create_app
    from nattlys.accounts.models import AuthSession, Role, User
    from nattlys.accounts.sessions import token_digest
    from nattlys.cli import upgrade_database
    from nattlys.db import get_db
    from nattlys.plans.models import CrisisPlan, CrisisPlanVersion, VersionKind
    from nattlys.plans.schemas import PlanSections

    upgrade_database(database_url)
    app = create_app(
        {"ENV": "testing", "DATABASE_URL": database_url, "SOCKETIO_ASYNC_MODE": "threading", "REDIS_URL": ""}
    )
    now = datetime.now(UTC)
    out = []
    with app.app_context():
        db = get_db()
        for n in range(clients):
            user = User(username=f"bench-p{n}", display_name=f"P{n}", role=Role.patient)
            db.add(user)
            db.flush()
            plan = CrisisPlan(patient_id=user.id, created_at=now, sharing={})
            db.add(plan)
            db.flush()
            content = PlanSections.model_validate(
                {"warning_signs": SIGNS, "self_help": ["Gå en tur", "Ring søsteren min", "Dusj"]}
            ).model_dump(mode="json")
            db.add(
                CrisisPlanVersion(
                    plan_id=plan.id,
                    number=1,
                    content=content,
                    kind=VersionKind.edit,
                    author_id=user.id,
                    author_role=user.role,
                    created_at=now,
                )
            )
            plan.current_version = 1
            token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
            db.add(
                AuthSession(
                    id=token_digest(token),
                    user_id=user.id,
                    csrf_token=csrf,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=now + timedelta(days=30),
                    absolute_expires_at=None,
                )
            )
            out.append((token, csrf))
        db.commit()
    app.extensions["nattlys_engine"].dispose()
    return out


def answers(rng: random.Random) -> dict[str, Any]:
    """A green or yellow check-in (never red, never "I want contact")."""
    return {
        "idempotency_key": uuid.uuid4().hex,
        "pressure": rng.randint(0, 7),
        "mood": rng.randint(1, 5),
        "sleep": rng.choice(["good", "ok", "poor", "none"]),
        "warning_signs": rng.sample(range(len(SIGNS)), rng.randint(0, 2)),
        "self_harm_urge": rng.choice(["none", "none", "some"]),
        "suicidal_thoughts": rng.choice(["none", "none", "none", "some"]),
        "note": "",
    }


async def client_loop(
    session: aiohttp.ClientSession,
    url: str,
    headers: dict[str, str],
    seconds: float,
    latencies: list[float],
    statuses: Counter[int],
    seed: int,
) -> None:
    rng = random.Random(seed)
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        body = answers(rng)
        started = time.perf_counter()
        async with session.post(url, json=body, headers=headers) as resp:
            await resp.read()
            statuses[resp.status] += 1
        if resp.status == 201:
            latencies.append(time.perf_counter() - started)


async def measure(
    name: str, number: int, url: str, per_client_headers: list[dict[str, str]], seconds: float, pid: int
) -> tuple[Round, Counter[int]]:
    result = Round(server=name, number=number, seconds=seconds)
    statuses: Counter[int] = Counter()
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        # One cookie-less session: each client sends its own Cookie header.
        cpu0, wait0 = sched_seconds(pid)
        await asyncio.gather(
            *(
                client_loop(session, url, headers, seconds, result.latencies, statuses, i)
                for i, headers in enumerate(per_client_headers)
            )
        )
        cpu1, wait1 = sched_seconds(pid)
    result.cpu, result.waiting = cpu1 - cpu0, wait1 - wait0
    result.refused = sum(n for status, n in statuses.items() if status != 201)
    return result, statuses


async def wait_ready(url: str, proc: subprocess.Popen[bytes]) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(150):
            try:
                async with session.get(url) as resp:
                    if resp.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            if proc.poll() is not None:
                raise RuntimeError("server exited")
            await asyncio.sleep(0.2)
    raise RuntimeError("server did not start")


def top_functions(raw: Path, limit: int = 25) -> None:
    """Inclusive share of samples per function, from py-spy's raw (collapsed) output."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        for frame in set(frames):
            inclusive[frame] += n
        own[frames[-1]] += n
    if not total:
        print("py-spy recorded nothing")
        return
    print(f"py-spy, Nattlys worker, {total} samples; inclusive share (own share):")
    shown = 0
    for frame, n in inclusive.most_common():
        if "site-packages/gevent" in frame or "<module>" in frame or "gunicorn" in frame:
            continue
        print(f"  {100 * n / total:5.1f}% ({100 * own[frame] / total:4.1f}%)  {frame}")
        shown += 1
        if shown >= limit:
            break
    print("top own time:")
    for frame, n in own.most_common(12):
        print(f"  {100 * n / total:5.1f}%  {frame}")


async def main_async(args: argparse.Namespace) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="bench-checkins-"))
    database_url = args.database_url or f"sqlite:///{workdir}/nattlys.db"
    sessions = prepare_nattlys(database_url, args.clients)
    env = {
        **os.environ,
        "NATTLYS_ENV": "development",
        "DATABASE_URL": database_url,
        "REDIS_URL": "",
        "SCHEDULER": "off",
        "BARE_DB": str(workdir / "bare.db"),
    }
    bare_port, nattlys_port = free_port(), free_port()
    bare = start(
        bare_server("tests.perf.bare_post_server:app", bare_port),
        env,
        workdir / "bare.log",
    )
    # Exactly what an operator runs (it execs gunicorn with one gevent worker).
    nattlys = start(
        [str(VENV_BIN / "nattlys"), "serve", "--port", str(nattlys_port)], env, workdir / "nattlys.log"
    )
    bare_url, nattlys_url = f"http://127.0.0.1:{bare_port}", f"http://127.0.0.1:{nattlys_port}"
    spy: subprocess.Popen[bytes] | None = None
    try:
        await wait_ready(bare_url + "/healthz", bare)
        await wait_ready(nattlys_url + "/healthz", nattlys)
        nattlys_headers = [
            {"Cookie": f"nattlys_session={token}", "X-CSRF-Token": csrf, "Origin": nattlys_url}
            for token, csrf in sessions
        ]
        targets: dict[str, tuple[str, list[dict[str, str]], int]] = {
            "bare": (bare_url + "/checkins", [{} for _ in range(args.clients)], worker_pid(bare.pid)),
            "nattlys": (nattlys_url + "/api/checkins", nattlys_headers, worker_pid(nattlys.pid)),
        }
        for name, (url, headers, pid) in targets.items():
            await measure(name, 0, url, headers, args.warmup, pid)
        print(load_line())
        print(
            f"{args.clients} closed-loop clients x {args.seconds:.0f} s per server per round, "
            f"Nattlys on {database_url.split(':')[0]}, bare on sqlite (WAL)"
        )
        pairs: list[tuple[Round, Round]] = []
        for number in range(1, args.rounds + 1):
            done = {}
            for name in ["bare", "nattlys"] if number % 2 else ["nattlys", "bare"]:
                url, headers, pid = targets[name]
                if args.py_spy and name == "nattlys" and number == args.rounds:
                    spy = start_py_spy(pid, args.seconds, args.py_spy)
                    await asyncio.sleep(0.5)
                done[name], statuses = await measure(name, number, url, headers, args.seconds, pid)
                other = {k: v for k, v in statuses.items() if k != 201}
                print(done[name].line("check-ins") + (f"  non-201: {other}" if other else ""))
            pairs.append((done["bare"], done["nattlys"]))
        if spy is not None:
            spy.wait(timeout=60)
            spy = None
            top_functions(Path(args.py_spy))
        print(load_line())
        print(ratio_line("checkin", pairs))
    finally:
        for proc in (bare, nattlys, spy):
            stop(proc)
        shutil.rmtree(workdir, ignore_errors=True)


def start_py_spy(pid: int, seconds: float, output: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            shutil.which("py-spy", path=str(VENV_BIN)) or "py-spy",
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(int(seconds)),
            "--rate",
            "200",
            "--format",
            "raw",
            "--output",
            output,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--py-spy", default="", help="record the Nattlys worker in the last round to FILE")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
