"""Chat benchmark through nginx: one web instance against two, same run.

    .venv/bin/python -m tests.perf.bench_cluster [--seconds 10] [--pairs 20]
        [--database-url postgresql://postgres@127.0.0.1:5432/nattlys_bench]
        [--redis-url redis://127.0.0.1:6379/7]

The cluster is deploy/local_cluster.py's (nginx with the production locations
and sticky rule, gunicorn with deploy/gunicorn.conf.py), on PostgreSQL and
Redis, with no scheduler. The conversations are tests/perf/bench_chat.py's: 20
patient and supporter pairs, closed loop (each patient sends, waits until its
supporter has the message, sends the next). With two instances the sticky key
(the session cookie) spreads the clients, so about half of the messages cross
instances through Redis. The database is dropped and made afresh. Reports
messages/s, p50/p99 for one and two instances and the ratio two/one. Not a
test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import sys
import tempfile
from pathlib import Path

from tests.perf.bench_chat import nattlys_pairs, prepare_nattlys, run_round

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _local_cluster():
    spec = importlib.util.spec_from_file_location(
        "nattlys_local_cluster", PROJECT_ROOT / "deploy" / "local_cluster.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def fresh_database(url: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from nattlys.config import normalise_database_url

    parsed = make_url(normalise_database_url(url))
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    return parsed.render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--pairs", type=int, default=20)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/nattlys_bench")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/7")
    args = parser.parse_args()

    local = _local_cluster()
    nginx = local.ensure_nginx()
    database_url = fresh_database(args.database_url)
    import redis

    redis.Redis.from_url(args.redis_url).flushdb()
    tokens, _idle = prepare_nattlys(database_url, args.pairs, 0)
    env = {
        **local.cluster_env(database_url, args.redis_url),
        "NATTLYS_ENV": "development",
        # The benchmark measures the server, not the flood limit.
        "CHAT_MESSAGES_PER_MINUTE": "1000000",
    }
    env.pop("CLOCK_START", None)
    print(
        f"{args.pairs} conversations x {args.seconds:.0f} s, closed loop, through nginx, "
        f"PostgreSQL + Redis, {os.cpu_count()} CPUs"
    )
    rates = {}
    for count in (1, 2):
        workdir = Path(tempfile.mkdtemp(prefix=f"bench-cluster-{count}-"))
        workdir.chmod(0o755)
        cluster = local.LocalCluster(
            env=env,
            workdir=workdir,
            listen_port=local.free_port(),
            web_ports=[local.free_port() for _ in range(count)],
            nginx=nginx,
            say=lambda _line: None,
        )
        cluster.start(scheduler=False)
        try:
            result = asyncio.run(
                run_round(f"{count} web", 1, nattlys_pairs(cluster.url, tokens), None, args.seconds)
            )
        finally:
            cluster.stop()
        print(result.line("msg"))
        rates[count] = result.rate
    print(f"ratio two / one: {rates[2] / rates[1]:.2f}")


if __name__ == "__main__":
    main()
