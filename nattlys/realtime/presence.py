"""Which supporters have the app open, to prefer them when offering a chat.

Counted per process in memory, or in Redis when several processes serve."""

from __future__ import annotations

import threading
from collections import Counter

from flask import Flask, current_app

_KEY = "nattlys_presence"


class LocalPresence:
    def __init__(self) -> None:
        self._counts: Counter[int] = Counter()
        self._lock = threading.Lock()

    def connected(self, user_id: int) -> None:
        with self._lock:
            self._counts[user_id] += 1

    def disconnected(self, user_id: int) -> None:
        with self._lock:
            self._counts[user_id] -= 1
            if self._counts[user_id] <= 0:
                del self._counts[user_id]

    def online(self, user_ids: list[int]) -> set[int]:
        with self._lock:
            return {u for u in user_ids if self._counts.get(u, 0) > 0}


class RedisPresence:
    def __init__(self, url: str) -> None:
        import redis

        # A blocking pool: when more sockets connect or disconnect at once than
        # the pool holds (every client of a restarted instance), the surplus waits
        # for a connection instead of failing, which would leave a closed app
        # counted as open for good (and its pushes never sent).
        pool = redis.BlockingConnectionPool.from_url(
            url, max_connections=100, timeout=10, socket_timeout=2, socket_connect_timeout=2
        )
        self.redis = redis.Redis(connection_pool=pool)

    def connected(self, user_id: int) -> None:
        self.redis.hincrby("nattlys:presence", str(user_id), 1)

    def disconnected(self, user_id: int) -> None:
        if self.redis.hincrby("nattlys:presence", str(user_id), -1) <= 0:
            self.redis.hdel("nattlys:presence", str(user_id))

    def online(self, user_ids: list[int]) -> set[int]:
        if not user_ids:
            return set()
        values = self.redis.hmget("nattlys:presence", [str(u) for u in user_ids])
        return {u for u, v in zip(user_ids, values, strict=True) if v and int(v) > 0}


def init_app(app: Flask) -> None:
    url = app.config.get("REDIS_URL")
    app.extensions[_KEY] = RedisPresence(url) if url else LocalPresence()


def presence() -> LocalPresence | RedisPresence:
    return current_app.extensions[_KEY]
