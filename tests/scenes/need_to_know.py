"""The need-to-know scene (tests/test_need_to_know.py): Mona's circle with its
rosters published, Ingrid her named primary contact, discharged on 20
November; Wednesday 20:00."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from nattlys.care_circles.models import TeamKind
from tests.factories import Factories
from tests.scenes.world import CareCircle, build_care_circle, publish_rosters

OSLO = ZoneInfo("Europe/Oslo")


@pytest.fixture
def circle(factories: Factories, clock: Any) -> CareCircle:
    """Mona: bolig (Kari 08-22, Ola 22-08) -> DPS (Silje round the clock);
    Ingrid (kommune, days) is her named primary contact. Wednesday 20:00."""
    clock.set(datetime(2026, 11, 25, 20, 0, tzinfo=OSLO))
    c = build_care_circle(
        factories,
        supporters=("kari", "ola", "silje", "ingrid"),
        tiers=(TeamKind.bolig, TeamKind.dps),
        contacts=("ingrid",),
        admin=True,
    )
    publish_rosters(factories, c)
    factories.discharge(c.mona, date(2026, 11, 20), by=c.kari)
    return c
