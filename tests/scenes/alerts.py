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
from nattlys.care_circles.models import TeamKind
from nattlys.chat.tick import tick as chat_tick

OSLO = ZoneInfo("Europe/Oslo")


@pytest.fixture
def circle(factories: Any, clock: Any) -> dict[str, Any]:
    """Mona: bolig (Kari 08-22, Ola 22-08) -> kommune (Ingrid 15:30-23) -> DPS (Silje round the clock)."""
    clock.set(datetime(2026, 11, 25, 20, 0, tzinfo=OSLO))  # Wednesday evening
    people = {
        name: factories.supporter(name, display_name=name.capitalize())
        for name in ("kari", "ola", "ingrid", "silje")
    }
    bolig = factories.team(TeamKind.bolig, members=[people["kari"], people["ola"]], name="Bolig Askøy")
    kommune = factories.team(TeamKind.kommune, members=[people["ingrid"]], name="Askøy kommune")
    dps = factories.team(TeamKind.dps, members=[people["silje"]], name="Øyane DPS")
    mona = factories.patient("mona", display_name="Mona")
    factories.care_circle(mona, [[bolig], [kommune], [dps]])
    factories.admin("admin")
    return {**people, "bolig": bolig, "kommune": kommune, "dps": dps, "mona": mona}


# Rosters run from this Monday, so the DST nights of 2026 and 2027 are covered.
FROM = date(2026, 10, 5)


def staff(factories: Any, c: dict[str, Any]) -> None:
    factories.published_roster(
        c["bolig"],
        [([c["kari"]], [("08:00", "22:00", False)]), ([c["ola"]], [("22:00", "08:00", True)])],
        start_date=FROM,
    )
    factories.published_roster(c["kommune"], [([c["ingrid"]], [("15:30", "23:00", False)])], start_date=FROM)
    factories.published_roster(c["dps"], [([c["silje"]], [("00:00", "00:00", True)])], start_date=FROM)


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
