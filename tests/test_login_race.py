"""Issue #13.5 against a real `nattlys serve` (gunicorn, gevent): concurrent
wrong passwords cannot race past the account limit, and a locked-out account's
owner still gets in from the browser she has logged in with before.

The probe found 60 concurrent wrong passwords all checked (401 x 60, limit 5),
and the right password getting in after 24 failures among 25 concurrent tries.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.conftest import TEST_REDIS_URL

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEMO_PASSWORD = "nattlys-race-demo"
WRONG = "feil passord igjen"
MAX_FAILURES = 5  # LOGIN_MAX_FAILURES_PER_ACCOUNT's default


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One gevent worker on SQLite with the demo data (and Redis counters when
    the suite runs with TEST_REDIS_URL)."""
    workdir = tmp_path_factory.mktemp("race")
    env = {
        **os.environ,
        "NATTLYS_ENV": "development",
        "DATABASE_URL": f"sqlite:///{workdir / 'nattlys.db'}",
        "REDIS_URL": TEST_REDIS_URL,
        "SOCKETIO_MESSAGE_QUEUE": "",
        "NATTLYS_DEMO_PASSWORD": DEMO_PASSWORD,
        "SCHEDULER": "off",
        # One web instance behind "one proxy": each test can be its own client address.
        "PROXY_COUNT": "1",
    }
    nattlys = [sys.executable, "-m", "nattlys"]
    subprocess.run([*nattlys, "db", "upgrade"], env=env, cwd=PROJECT_ROOT, check=True, capture_output=True)
    subprocess.run([*nattlys, "demo"], env=env, cwd=PROJECT_ROOT, check=True, capture_output=True)
    port = _free_port()
    log = open(workdir / "server.log", "wb")  # noqa: SIM115 - kept open for the server's lifetime
    proc = subprocess.Popen(
        [*nattlys, "serve", "--port", str(port)], env=env, cwd=PROJECT_ROOT, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1) as r:  # noqa: S310 - loopback only
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            log.close()
            pytest.fail("nattlys serve did not start:\n" + (workdir / "server.log").read_text()[-3000:])
        time.sleep(0.2)
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def _attempt(base: str, username: str, password: str, ip: str, client: requests.Session | None = None) -> int:
    response = (client or requests).post(
        f"{base}/api/auth/login",
        json={"username": username, "password": password},
        headers={"X-Forwarded-For": ip, "Origin": base},
        timeout=30,
    )
    return response.status_code


def _burst(base: str, username: str, passwords: list[str], ip: str) -> list[int]:
    with ThreadPoolExecutor(max_workers=len(passwords)) as pool:
        return list(pool.map(lambda pw: _attempt(base, username, pw, ip), passwords))


def test_sixty_concurrent_wrong_passwords_check_at_most_the_limit(server: str) -> None:
    statuses = Counter(_burst(server, "pasient2", [WRONG] * 60, ip="10.60.0.1"))
    # 401: the password was checked; 429: refused before any hash.
    assert statuses[401] <= MAX_FAILURES, statuses
    assert statuses[401] + statuses[429] == 60, statuses


def test_the_right_password_among_concurrent_wrong_ones_gets_no_extra_tries(server: str) -> None:
    statuses = Counter(_burst(server, "pasient3", [WRONG] * 24 + [DEMO_PASSWORD], ip="10.25.0.2"))
    # However the 25 interleave, no more than the limit are checked at all.
    assert statuses[401] + statuses[200] <= MAX_FAILURES, statuses
    assert statuses[401] + statuses[200] + statuses[429] == 25, statuses


def test_the_owner_gets_in_from_her_own_phone_while_strangers_are_locked_out(server: str) -> None:
    phone = requests.Session()
    assert _attempt(server, "pasient4", DEMO_PASSWORD, ip="10.44.0.1", client=phone) == 200
    assert any(c.name == "nattlys_device" for c in phone.cookies), "a device cookie after a good login"

    attack = Counter(_burst(server, "pasient4", [WRONG] * 60, ip="10.66.0.1"))
    assert attack[401] <= MAX_FAILURES, attack
    for _ in range(MAX_FAILURES):  # tries turned away only for being concurrent come back
        _attempt(server, "pasient4", WRONG, ip="10.66.0.2")
    # Anyone else, even with the right password, waits out the window ...
    assert _attempt(server, "pasient4", DEMO_PASSWORD, ip="10.44.0.2") == 429
    # ... but her phone, which has logged in to this account before, gets in.
    assert _attempt(server, "pasient4", DEMO_PASSWORD, ip="10.44.0.1", client=phone) == 200
