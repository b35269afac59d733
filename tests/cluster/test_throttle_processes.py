"""Login throttling across two real `nattlys serve` processes on PostgreSQL +
Redis: an attacker who spreads wrong passwords over the processes behind the
load balancer gets no more tries than against one."""

from __future__ import annotations

import os
import secrets
import uuid
from typing import Any

import redis
import requests

from tests.cluster.test_two_processes import login

PASSWORD = "et eget langt passord"
WRONG = "feil passord igjen"
MAX_FAILURES = 5  # LOGIN_MAX_FAILURES_PER_ACCOUNT's default


def _attempt(base: str, username: str, password: str, ip: str) -> requests.Response:
    return requests.post(
        f"{base}/api/auth/login",
        json={"username": username, "password": password},
        headers={"X-Forwarded-For": ip},
        timeout=10,
    )


def test_wrong_passwords_alternating_between_two_processes_share_one_limit(start_server: Any) -> None:
    # Behind one proxy, so each test run can be its own client address and
    # leave the loopback address's per-IP count alone.
    one = start_server(PROXY_COUNT="1")
    two = start_server(PROXY_COUNT="1")
    ip = "10.{}.{}.{}".format(*secrets.token_bytes(3))
    username = f"sperret-{uuid.uuid4().hex[:8]}"

    admin = login(one.url, "admin")
    created = admin.post(
        f"{one.url}/api/users",
        json={"username": username, "display_name": "Sperret Testbruker", "role": "supporter"},
        headers={"X-Forwarded-For": ip},
        timeout=10,
    )
    assert created.status_code == 201, created.text
    token = created.json()["invitation"]["url"].rsplit("/", 1)[1]
    accepted = requests.post(
        f"{two.url}/api/invitations/accept", json={"token": token, "password": PASSWORD}, timeout=10
    )
    assert accepted.status_code == 200, accepted.text

    store = redis.Redis.from_url(os.environ["TEST_REDIS_URL"])
    try:
        # Neither process alone sees more than three of the five failures.
        for n in range(MAX_FAILURES):
            server = (one, two)[n % 2]
            response = _attempt(server.url, username, WRONG, ip)
            assert response.status_code == 401, (n, server.url, response.text)

        for server in (two, one):
            locked = _attempt(server.url, username, PASSWORD, ip)
            assert locked.status_code == 429, (server.url, locked.text)
            assert locked.json()["error"] == "rate_limited"
            retry_after = locked.headers.get("Retry-After", "")
            assert retry_after.isdigit() and 0 < int(retry_after) <= 900, retry_after
            assert "csrf_token" not in locked.json()
            assert not any(
                c.startswith("nattlys_session=") for c in locked.headers.get("Set-Cookie", "").split(",")
            )
    finally:
        store.delete(f"nattlys:rate:login:account:{username}", f"nattlys:rate:login:ip:{ip}")
    # The lock was the only thing in the way: the same password works once it is lifted.
    assert _attempt(one.url, username, PASSWORD, ip).status_code == 200
