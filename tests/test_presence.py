"""Presence in Redis when more sockets come and go at once than its connection pool holds.

Found by the soak (tests/perf/soak.py): when 200 clients left one web instance
together, the presence pool ran out, the disconnect handler failed, and those
users stayed "online" for good, so a patient who had closed the app was no
longer sent a push for a supporter's answer.
"""

from __future__ import annotations

import threading

import pytest

from nattlys.realtime.presence import RedisPresence


def test_a_closed_app_counts_as_closed_even_when_every_pool_connection_is_busy(redis_url: str) -> None:
    if not redis_url:
        pytest.skip("Redis presence runs in the PostgreSQL + Redis pass (set TEST_REDIS_URL)")
    presence = RedisPresence(redis_url)
    patient_id = 990_001
    presence.connected(patient_id)
    pool = presence.redis.connection_pool
    # Every connection is held by another socket's handler; one finishes shortly.
    busy = [pool.get_connection() for _ in range(pool.max_connections)]
    others_finish = threading.Timer(0.2, lambda: [pool.release(c) for c in busy])  # type: ignore[func-returns-value]  # called for its side effect
    others_finish.start()
    try:
        presence.disconnected(patient_id)
        assert presence.online([patient_id]) == set()
    finally:
        others_finish.join()
        presence.redis.hdel("nattlys:presence", str(patient_id))
        pool.disconnect()
