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
contact" add alerts and a chat, and are tested elsewhere). The servers are
measured in turn, `--rounds` times, after a warm-up, reporting per round the
check-ins/s and p50/p99 of both and the ratio, then the best and median, and
for each server worker its share of the wall time on a CPU and waiting for
one (other work on this 2-core machine), and its CPU time per check-in.
`--py-spy FILE` records the Nattlys worker during its last round (py-spy must
be installed in .venv) and prints its top functions. Not a test: it asserts
nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
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

PROJECT_ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
SIGNS = ["Jeg sover dårlig", "Jeg trekker meg unna", "Tankene går fort", "Jeg slutter å spise"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_nattlys(database_url: str, clients: int) -> list[tuple[str, str]]:
    """Patients with crisis plans and sessions, written directly: (cookie token, CSRF token)."""
    from server import create_app
    from server.accounts.models import AuthSession, Role, User
    from server.accounts.sessions import token_digest
    from server.cli import upgrade_database
    from server.db import get_db
    from server.plans.models import CrisisPlan, CrisisPlanVersion, VersionKind
    from server.plans.schemas import PlanSections

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
            plan = CrisisPlan(patient_id=user.id, created_at=now, sharing={})  # type: ignore[arg-type]
            db.add(plan)
            db.flush()
            content = PlanSections.model_validate(
                {"warning_signs": SIGNS, "self_help": ["Gå en tur", "Ring søsteren min", "Dusj"]}
            ).model_dump(mode="json")
            db.add(
                CrisisPlanVersion(
                    plan_id=plan.id,  # type: ignore[arg-type]
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
                    user_id=user.id,  # type: ignore[arg-type]
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
    url: str, per_client_headers: list[dict[str, str]], seconds: float
) -> tuple[list[float], Counter[int], float]:
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        # One cookie-less session: each client sends its own Cookie header.
        cpu0 = time.process_time()
        await asyncio.gather(
            *(
                client_loop(session, url, headers, seconds, latencies, statuses, i)
                for i, headers in enumerate(per_client_headers)
            )
        )
        cpu = time.process_time() - cpu0
    return latencies, statuses, cpu


def summary(latencies: list[float], seconds: float) -> tuple[float, float, float]:
    ordered = sorted(latencies)
    if not ordered:
        return 0.0, float("nan"), float("nan")
    p99 = ordered[max(0, int(len(ordered) * 0.99) - 1)]
    return len(ordered) / seconds, statistics.median(ordered) * 1000, p99 * 1000


def start(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        cmd,
        env=env,
        cwd=PROJECT_ROOT,
        stdout=open(log, "wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, killed as a whole at the end
    )


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


def worker_pid(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return int(children[0]) if children else master


def sched_seconds(pid: int) -> tuple[float, float]:
    """(on a CPU, runnable but waiting for one) in seconds, summed over the
    process's threads, from /proc/<pid>/task/*/schedstat. What is left of the
    wall time was spent blocked (I/O, locks, idle)."""
    on_cpu = waiting = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            ran, waited, _ = (task / "schedstat").read_text().split()
        except (OSError, ValueError):
            continue
        on_cpu += int(ran)
        waiting += int(waited)
    return on_cpu / 1e9, waiting / 1e9


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
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--worker-class",
            "gevent",
            "--workers",
            "1",
            "--no-control-socket",
            "--bind",
            f"127.0.0.1:{bare_port}",
            "tests.perf.bare_post_server:app",
        ],
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
        bare_headers = [{} for _ in range(args.clients)]
        nattlys_headers = [
            {"Cookie": f"nattlys_session={token}", "X-CSRF-Token": csrf, "Origin": nattlys_url}
            for token, csrf in sessions
        ]
        targets = [
            ("bare", bare_url + "/checkins", bare_headers, worker_pid(bare.pid)),
            ("nattlys", nattlys_url + "/api/checkins", nattlys_headers, worker_pid(nattlys.pid)),
        ]
        for _name, url, headers, _pid in targets:  # warm-up
            await measure(url, headers, 2)
        print(
            f"{args.clients} closed-loop clients x {args.seconds:.0f} s per server per round, "
            f"Nattlys on {database_url.split(':')[0]}, bare on sqlite (WAL)"
        )
        rows: dict[str, list[tuple[float, float, float]]] = {"bare": [], "nattlys": []}
        ratios = []
        for round_no in range(1, args.rounds + 1):
            for name, url, headers, pid in targets:
                if args.py_spy and name == "nattlys" and round_no == args.rounds:
                    spy = subprocess.Popen(
                        [
                            shutil.which("py-spy", path=str(VENV_BIN)) or "py-spy",
                            "record",
                            "--pid",
                            str(pid),
                            "--duration",
                            str(int(args.seconds)),
                            "--rate",
                            "200",
                            "--format",
                            "raw",
                            "--output",
                            args.py_spy,
                        ],
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                        start_new_session=True,
                    )
                    await asyncio.sleep(0.5)
                cpu0, wait0 = sched_seconds(pid)
                latencies, statuses, client_cpu = await measure(url, headers, args.seconds)
                cpu1, wait1 = sched_seconds(pid)
                server_cpu, server_wait = cpu1 - cpu0, wait1 - wait0
                rate, p50, p99 = summary(latencies, args.seconds)
                rows[name].append((rate, p50, p99))
                other = {k: v for k, v in statuses.items() if k != 201}
                print(
                    f"round {round_no} {name:<8} {rate:7.0f} check-ins/s  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms"
                    f"  server: on CPU {100 * server_cpu / args.seconds:3.0f}%, waiting for a core "
                    f"{100 * server_wait / args.seconds:3.0f}%, {1000 * server_cpu / max(1, len(latencies)):.2f} ms "
                    f"CPU per check-in; client CPU {100 * client_cpu / args.seconds:3.0f}%"
                    + (f"  non-201: {dict(other)}" if other else "")
                )
            ratios.append(rows["nattlys"][-1][0] / rows["bare"][-1][0])
            print(f"round {round_no} ratio Nattlys / bare: {ratios[-1]:.2f}")
        for name, runs in rows.items():
            rates = [r[0] for r in runs]
            p99s = [r[2] for r in runs]
            print(
                f"{name:<8} check-ins/s best {max(rates):.0f} median {statistics.median(rates):.0f};"
                f"  p99 best {min(p99s):.1f} ms median {statistics.median(p99s):.1f} ms"
            )
        print(f"ratio Nattlys / bare: best {max(ratios):.2f}, median {statistics.median(ratios):.2f}")
        if spy is not None:
            spy.wait(timeout=60)
            spy = None
            top_functions(Path(args.py_spy))
    finally:
        for proc in (bare, nattlys, spy):
            if proc is None:
                continue
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=15)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--py-spy", default="", help="record the Nattlys worker in the last round to FILE")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
