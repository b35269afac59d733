"""The alert escalation scene (tests/test_alert_escalation.py): Mona's circle,
bolig -> kommune -> DPS with an administrator, rosters from a Monday before
the DST nights of 2026 and 2027, a red check-in, and both schedulers' ticks."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from nattlys.alerts import escalation
from nattlys.chat.tick import tick as chat_tick
from tests.factories import Factories
from tests.scenes.world import CareCircle, build_care_circle, publish_rosters

OSLO = ZoneInfo("Europe/Oslo")


@pytest.fixture
def circle(factories: Factories, clock: Any) -> CareCircle:
    """Mona: bolig (Kari 08-22, Ola 22-08) -> kommune (Ingrid 15:30-23) -> DPS (Silje round the clock)."""
    clock.set(datetime(2026, 11, 25, 20, 0, tzinfo=OSLO))  # Wednesday evening
    return build_care_circle(factories, admin=True)


# Rosters run from this Monday, so the DST nights of 2026 and 2027 are covered.
FROM = date(2026, 10, 5)


def staff(factories: Factories, c: CareCircle) -> None:
    publish_rosters(factories, c, start_date=FROM)


def red(**over: Any) -> dict[str, Any]:
    body = {
        "idempotency_key": uuid.uuid4().hex,
        "pressure": 9,
        "mood": 2,
        "sleep": "poor",
        "warning_signs": [],
        "self_harm_urge": "strong",
        "suicidal_thoughts": "none",
        "wants_contact": False,
    }
    body.update(over)
    return body


def run_ticks(app: Any, clock: Any) -> dict[str, int]:
    from nattlys.db import get_db

    with app.app_context():
        counts = chat_tick(get_db(), at=clock())
        counts.update(escalation.tick(get_db(), at=clock()))
        return counts


def events(socket: Any, name: str) -> list[dict[str, Any]]:
    return [r["args"][0] for r in socket.get_received() if r["name"] == name]
