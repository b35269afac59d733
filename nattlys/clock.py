"""The one source of "now", so tests can freeze or move time exactly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

OSLO = ZoneInfo("Europe/Oslo")
_CLOCK_KEY = "nattlys_clock"


def _system_now() -> datetime:
    return datetime.now(UTC)


def now() -> datetime:
    """Timezone-aware UTC now, from the app's clock when one is installed."""
    if has_app_context():
        clock: Callable[[], datetime] | None = current_app.extensions.get(_CLOCK_KEY)
        if clock is not None:
            return clock()
    return _system_now()


def install(app, clock: Callable[[], datetime]) -> None:
    app.extensions[_CLOCK_KEY] = clock


def as_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def running_from(start: datetime) -> Callable[[], datetime]:
    """A clock that starts at `start` and then runs at real speed."""
    import time

    origin = time.monotonic()
    start_utc = as_utc(start)

    def now_() -> datetime:
        from datetime import timedelta

        return start_utc + timedelta(seconds=time.monotonic() - origin)

    return now_
