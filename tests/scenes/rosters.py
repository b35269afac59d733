"""The roster scene (tests/test_rosters.py): Mona's circle of three teams with an
administrator's client, and the helpers that write rotations and publish them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import AuthActions
from tests.factories import Factories
from tests.scenes.world import CareCircle, build_care_circle, extend

OSLO = ZoneInfo("Europe/Oslo")
EVERY_DAY = [0, 1, 2, 3, 4, 5, 6]


def oslo(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=OSLO)


def rotation(name: str, members: list[Any], shifts: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "start_date": extra.pop("start_date", "2026-11-02"),
        "period_days": extra.pop("period_days", 7),
        "member_ids": [m.id for m in members],
        "shifts": shifts,
        **extra,
    }


def shift(start: str, end: str, days: list[int] = EVERY_DAY, next_day: bool = False) -> dict[str, Any]:
    return {"weekdays": days, "start": start, "end": end, "ends_next_day": next_day}


def publish(admin_client: Any, team: Any, rotations: list[dict[str, Any]], confirm: bool = True) -> Any:
    put = admin_client.put(f"/api/teams/{team.id}/roster/draft", json={"rotations": rotations})
    assert put.status_code == 200, put.json
    return admin_client.post(f"/api/teams/{team.id}/roster/publish", json={"confirm_uncovered": confirm})


@dataclass(frozen=True, kw_only=True)
class RosterCircle(CareCircle):
    """The circle with the administrator's logged-in client (an ApiClient,
    typed Any as in tests/scenes/crisis_plans.py)."""

    as_admin: Any


@pytest.fixture
def setting(factories: Factories, auth: AuthActions) -> RosterCircle:
    c = build_care_circle(factories, admin=True)
    return extend(c, RosterCircle, as_admin=auth.client_for(c.admin.username))
