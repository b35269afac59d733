"""Login attempt limits, per account and per IP, shared by every server process.

Counts live in Redis when REDIS_URL is set, otherwise in the database. Windows
are fixed: once a window has passed, the account owner can log in again.

An attempt is counted (one atomic increment) before its password is checked,
so concurrent attempts cannot race past the limit; a success gives its place
back. A browser holding a device cookie from an earlier login to the same
account counts against its own limit, not the account's nor its IP's, so
strangers who lock the account out, or use up the limit of a network they
share with its owner (a housing unit's Wi-Fi), do not lock her out (OWASP
"device cookies"). A device cookie is minted only by a successful login and
names one account, so skipping the IP's count adds no guesses.
"""

from __future__ import annotations

import hashlib
import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from flask import Flask, current_app
from sqlalchemy import case
from sqlmodel import Session, col, delete, update

from nattlys.accounts.models import RateCounter
from nattlys.clock import as_utc
from nattlys.db import insert_on_conflict, standalone_session, table_of

log = logging.getLogger(__name__)


class CounterStore(Protocol):
    def hit(self, key: str, *, at: datetime, window: timedelta) -> tuple[int, datetime]:
        """Add one to the key's window; return the count and when the window started."""

    def peek(self, key: str, *, at: datetime, window: timedelta) -> tuple[int, datetime]:
        """The current count and window start without adding."""

    def reset(self, key: str) -> None: ...

    def release(self, key: str) -> None:
        """Give one back (an attempt that succeeded, a hash that finished)."""


class DatabaseCounters:
    def __init__(self, app: Flask) -> None:
        self.app = app

    def hit(self, key: str, *, at: datetime, window: timedelta) -> tuple[int, datetime]:
        # Its own transaction: a failed login is counted even though the
        # request answers 401 and rolls back.
        with standalone_session(self.app) as db:
            result = self._upsert(db, key, at=at, window=window)
            db.commit()
        return result

    def _upsert(self, db: Session, key: str, *, at: datetime, window: timedelta) -> tuple[int, datetime]:
        cutoff = at - window
        table = table_of(RateCounter)
        first_failure = insert_on_conflict(db, RateCounter).values(key=key, window_start=at, count=1)
        expired = table.c.window_start <= cutoff
        stmt = first_failure.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "count": case((expired, 1), else_=table.c.count + 1),
                "window_start": case((expired, at), else_=table.c.window_start),
            },
        ).returning(table.c.count, table.c.window_start)
        count, started = db.exec(stmt).one()
        return int(count), as_utc(started)

    def peek(self, key: str, *, at: datetime, window: timedelta) -> tuple[int, datetime]:
        with standalone_session(self.app) as db:
            row = db.get(RateCounter, key)
            if row is None or row.window_start <= at - window:
                return 0, at
            return row.count, row.window_start

    def reset(self, key: str) -> None:
        with standalone_session(self.app) as db:
            db.exec(delete(RateCounter).where(col(RateCounter.key) == key))
            db.commit()

    def release(self, key: str) -> None:
        with standalone_session(self.app) as db:
            db.exec(
                update(RateCounter)
                .where(col(RateCounter.key) == key, col(RateCounter.count) > 0)
                .values(count=RateCounter.count - 1)
            )
            db.commit()


class RedisCounters:
    def __init__(self, url: str) -> None:
        import redis

        self.redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def _key(self, key: str) -> str:
        return f"nattlys:rate:{key}"

    def hit(self, key: str, *, at: datetime, window: timedelta) -> tuple[int, datetime]:
        name = self._key(key)
        pipe = self.redis.pipeline()
        pipe.incr(name)
        pipe.ttl(name)
        count, ttl = pipe.execute()
        seconds = int(window.total_seconds())
        if ttl is None or ttl < 0:
            self.redis.expire(name, seconds)
            ttl = seconds
        return int(count), at - timedelta(seconds=seconds - int(ttl))

    def peek(self, key: str, *, at: datetime, window: timedelta) -> tuple[int, datetime]:
        name = self._key(key)
        pipe = self.redis.pipeline()
        pipe.get(name)
        pipe.ttl(name)
        raw, ttl = pipe.execute()
        if raw is None or ttl is None or ttl < 0:
            return 0, at
        seconds = int(window.total_seconds())
        return int(raw), at - timedelta(seconds=seconds - int(ttl))

    def reset(self, key: str) -> None:
        self.redis.delete(self._key(key))

    def release(self, key: str) -> None:
        # Only while the window lives: a key that has expired stays gone.
        self.redis.eval(
            "if redis.call('GET', KEYS[1]) and tonumber(redis.call('GET', KEYS[1])) > 0 then "
            "return redis.call('DECR', KEYS[1]) end return 0",
            1,
            self._key(key),
        )


class RedisOrDatabaseCounters:
    """Login counters in Redis; while Redis does not answer, in the database.
    Logging in keeps working (and wrong passwords keep counting) through a
    Redis outage; the two stores' counts are not added up meanwhile."""

    def __init__(self, redis_store: RedisCounters, database: DatabaseCounters) -> None:
        self.redis_store = redis_store
        self.database = database

    def _store(self, call: str, *args: Any, **kwargs: Any) -> Any:
        import redis

        try:
            return getattr(self.redis_store, call)(*args, **kwargs)
        except redis.RedisError as exc:
            log.warning(
                "login counters in the database: Redis is unreachable", extra={"error": type(exc).__name__}
            )
            return getattr(self.database, call)(*args, **kwargs)

    def hit(self, key: str, *, at: datetime, window: timedelta) -> tuple[int, datetime]:
        return self._store("hit", key, at=at, window=window)

    def peek(self, key: str, *, at: datetime, window: timedelta) -> tuple[int, datetime]:
        return self._store("peek", key, at=at, window=window)

    def reset(self, key: str) -> None:
        self._store("reset", key)

    def release(self, key: str) -> None:
        self._store("release", key)


# A crashed process's hash in flight is forgotten after this long.
IN_FLIGHT_WINDOW = timedelta(seconds=30)


def _counter_key(kind: str, value: str) -> str:
    """A key that fits rate_counters.key (200 characters) whatever the client sent."""
    if len(value) > 64:
        value = "sha256:" + hashlib.sha256(value.encode()).hexdigest()
    return f"login:{kind}:{value}"


class RateLimited(Exception):
    def __init__(self, retry_after: int, *, locked_now: bool = False) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after
        # This attempt is the one that locked the account (for the audit log).
        self.locked_now = locked_now


@dataclass
class LoginAttempt:
    """One counted attempt, between `LoginThrottle.begin` and `finish`."""

    throttle: LoginThrottle
    account_key: str
    ip_key: str | None
    in_flight_key: str

    def succeeded(self) -> None:
        self.throttle.store.reset(self.account_key)
        if self.ip_key is not None:
            self.throttle.store.release(self.ip_key)

    def finish(self) -> None:
        self.throttle.store.release(self.in_flight_key)


@dataclass
class LoginThrottle:
    store: CounterStore
    max_per_account: int
    max_per_ip: int
    window: timedelta
    max_in_flight_per_account: int = 2

    def begin(self, username: str, ip: str, *, device: str | None, at: datetime) -> LoginAttempt:
        """Count this attempt, or raise RateLimited. `device` is the nonce of
        a device cookie from an earlier login to this account."""
        name = username.strip().lower()
        account_key = _counter_key("device", device) if device else _counter_key("account", name)
        ip_key = None if device else _counter_key("ip", ip)
        in_flight_key = _counter_key("hashing", f"{name}:{device or ''}")
        limits = [(account_key, self.max_per_account)]
        if ip_key is not None:
            limits.append((ip_key, self.max_per_ip))
        waits: list[int] = []
        locked_now = False
        for key, limit in limits:
            count, started = self.store.hit(key, at=at, window=self.window)
            if count > limit:
                waits.append(math.ceil((started + self.window - at).total_seconds()))
                locked_now = locked_now or (key == account_key and count == limit + 1)
        if waits:
            raise RateLimited(max(1, max(waits)), locked_now=locked_now)
        # At most this many of one account's passwords are being hashed at once,
        # across every process; the rest are told to try again in a second.
        in_flight, _ = self.store.hit(in_flight_key, at=at, window=IN_FLIGHT_WINDOW)
        if in_flight > self.max_in_flight_per_account:
            for key, _limit in limits:
                self.store.release(key)
            self.store.release(in_flight_key)
            raise RateLimited(1)
        return LoginAttempt(self, account_key=account_key, ip_key=ip_key, in_flight_key=in_flight_key)

    def _wait(self, keys: list[tuple[str, int]], *, at: datetime) -> int | None:
        waits = []
        for key, limit in keys:
            count, started = self.store.peek(key, at=at, window=self.window)
            if count >= limit:
                waits.append(math.ceil((started + self.window - at).total_seconds()))
        return max(1, max(waits)) if waits else None

    # Invitation links are credentials too: wrong tokens from one IP count
    # against the same per-IP limit as wrong passwords, in their own counter.
    def _token_keys(self, ip: str) -> list[tuple[str, int]]:
        return [(f"token:ip:{ip}"[:200], self.max_per_ip)]

    def token_retry_after(self, ip: str, *, at: datetime) -> int | None:
        return self._wait(self._token_keys(ip), at=at)

    def record_token_failure(self, ip: str, *, at: datetime) -> None:
        for key, _limit in self._token_keys(ip):
            self.store.hit(key, at=at, window=self.window)


_KEY = "nattlys_login_throttle"


def init_app(app: Flask) -> None:
    store: CounterStore
    if app.config.get("REDIS_URL"):
        store = RedisOrDatabaseCounters(RedisCounters(app.config["REDIS_URL"]), DatabaseCounters(app))
    else:
        store = DatabaseCounters(app)
    app.extensions[_KEY] = LoginThrottle(
        store=store,
        max_per_account=int(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]),
        max_per_ip=int(app.config["LOGIN_MAX_FAILURES_PER_IP"]),
        window=timedelta(seconds=int(app.config["LOGIN_WINDOW_SECONDS"])),
        max_in_flight_per_account=int(app.config["LOGIN_MAX_CONCURRENT_PER_ACCOUNT"]),
    )


def login_throttle() -> LoginThrottle:
    return current_app.extensions[_KEY]


class LocalCounters:
    """Fixed windows in this process's memory: for limits that only need to
    hold per process (chat flood control on a single machine)."""

    def __init__(self) -> None:
        import threading

        self._windows: dict[str, tuple[datetime, int]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, *, at: datetime, window: timedelta) -> tuple[int, datetime]:
        with self._lock:
            started, count = self._windows.get(key, (at, 0))
            if at - started >= window:
                started, count = at, 0
            count += 1
            self._windows[key] = (started, count)
            if len(self._windows) > 100_000:  # forget windows that have ended
                self._windows = {k: v for k, v in self._windows.items() if at - v[0] < window}
            return count, started

    def release(self, key: str) -> None:
        with self._lock:
            if (found := self._windows.get(key)) is not None and found[1] > 0:
                self._windows[key] = (found[0], found[1] - 1)


_FLOOD_KEY = "nattlys_flood_counters"


def flood_hit(key: str, *, at: datetime, window: timedelta) -> tuple[int, datetime]:
    """One more in a flood-control counter: shared through Redis when several
    processes serve, else in this process (no database write per message)."""
    return _flood_store().hit(key, at=at, window=window)


def flood_release(key: str) -> None:
    """Give one back: what was counted turned out not to be new."""
    _flood_store().release(key)


def _flood_store() -> RedisCounters | LocalCounters:
    store = login_throttle().store
    if isinstance(store, RedisOrDatabaseCounters):
        # Redis only: a message that cannot be counted waits in the outbox
        # rather than being stored while no other instance can show it live.
        return store.redis_store
    local: LocalCounters = current_app.extensions.setdefault(_FLOOD_KEY, LocalCounters())
    return local
