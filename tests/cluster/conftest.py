"""Real server processes on loopback against PostgreSQL and Redis.

These tests need TEST_DATABASE_URL and TEST_REDIS_URL (the PostgreSQL + Redis
run of .ci/run sets both). Each session gets its own database, created next to
the test database and dropped afterwards.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from nattlys.config import normalise_database_url

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "nattlys-cluster-demo"
CLOCK_START = "2026-11-23T21:30:00+01:00"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def cluster_database() -> Iterator[str]:
    base = os.environ.get("TEST_DATABASE_URL", "")
    redis_url = os.environ.get("TEST_REDIS_URL", "")
    if not base or not redis_url:
        pytest.skip("scale-out tests run on PostgreSQL + Redis (set TEST_DATABASE_URL and TEST_REDIS_URL)")
    url = make_url(normalise_database_url(base))
    name = f"{url.database}_cluster"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@dataclass
class Server:
    port: int
    env: dict[str, str]
    log: Path
    proc: subprocess.Popen[bytes] | None = None
    handles: list[Any] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        out = open(self.log, "ab")  # noqa: SIM115 - closed in stop()
        self.handles.append(out)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "nattlys", "serve", "--port", str(self.port)],
            env=self.env,
            cwd=PROJECT_ROOT,
            stdout=out,
            stderr=out,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/readyz", timeout=1) as r:  # noqa: S310 - loopback
                    if r.status == 200:
                        return self
            except OSError:
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError("server did not start:\n" + self.log.read_text()[-3000:])

    def stop(self, *, kill: bool = False) -> None:
        if self.proc is not None and self.proc.poll() is None:
            if kill:
                self.proc.kill()
            else:
                self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        for handle in self.handles:
            handle.close()
        self.handles.clear()


@pytest.fixture(scope="session")
def cluster_env(cluster_database: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    env = {
        **os.environ,
        "NATTLYS_ENV": "development",
        "DATABASE_URL": cluster_database,
        "REDIS_URL": os.environ["TEST_REDIS_URL"],
        "NATTLYS_DEMO_PASSWORD": DEMO_PASSWORD,
        "CLOCK_START": CLOCK_START,
        "SCHEDULER": "off",
    }
    for args in (["db", "upgrade"], ["demo"]):
        subprocess.run(
            [sys.executable, "-m", "nattlys", *args],
            env=env,
            cwd=PROJECT_ROOT,
            check=True,
            capture_output=True,
        )
    return env


def rewind_authenticator_steps(env: dict[str, str]) -> None:
    """Each server's clock starts again at CLOCK_START, but the session's servers
    share one database: forget the authenticator steps taken under an earlier
    server's clock, or staff could not log in again until that time came round."""
    engine = create_engine(env["DATABASE_URL"])
    with engine.begin() as conn:
        conn.execute(text("UPDATE second_factors SET last_step = 0"))
    engine.dispose()


@pytest.fixture
def start_server(cluster_env: dict[str, str], tmp_path: Path) -> Iterator[Any]:
    servers: list[Server] = []

    def start(**extra_env: str) -> Server:
        rewind_authenticator_steps(cluster_env)
        server = Server(
            port=_free_port(), env={**cluster_env, **extra_env}, log=tmp_path / f"server-{len(servers)}.log"
        )
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()


def load_local_cluster() -> Any:
    """deploy/local_cluster.py (a script, not a package), imported for its LocalCluster."""
    import importlib.util

    name = "nattlys_local_cluster"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, PROJECT_ROOT / "deploy" / "local_cluster.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def nginx_cluster(cluster_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """nginx in front of two web instances, as `make cluster` starts them (the
    scheduler is started by the tests that need it)."""
    local = load_local_cluster()
    nginx = local.find_nginx()
    if nginx is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but nginx is not installed (.ci/run installs it)", pytrace=False)
        pytest.skip("nginx is not installed (apt-get install nginx; .ci/run installs it)")
    workdir = tmp_path_factory.mktemp("nginx-cluster")
    workdir.chmod(0o755)
    cluster = local.LocalCluster(
        env={**cluster_env, "PROXY_COUNT": "1"},
        workdir=workdir,
        listen_port=_free_port(),
        web_ports=[_free_port(), _free_port()],
        nginx=nginx,
        say=lambda _line: None,
    )
    rewind_authenticator_steps(cluster_env)
    cluster.start(scheduler=False)
    yield cluster
    cluster.stop()
